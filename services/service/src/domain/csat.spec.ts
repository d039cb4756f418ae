import { DomainError } from '@crm/decider';
import { hashSurveyToken, signSurveyToken, surveyExpiry, verifySurveyToken } from './csat';

const claims = { tenantId: 'acme', ticketId: 'T1', surveyId: 'S1', expiresAt: '2026-12-01T10:00:00.000Z' };
const SECRET = 'test-secret';

describe('CSAT survey token rules', () => {
  it('given a token we signed, when verified for its ticket, then it yields its survey and expiry', () => {
    const token = signSurveyToken(claims, SECRET);
    expect(verifySurveyToken(token, { tenantId: 'acme', ticketId: 'T1' }, SECRET)).toEqual({ surveyId: 'S1', expiresAt: claims.expiresAt });
  });

  it.each([
    ['another ticket', { tenantId: 'acme', ticketId: 'T2' }, SECRET],
    ['another tenant', { tenantId: 'globex', ticketId: 'T1' }, SECRET],
    ['another secret', { tenantId: 'acme', ticketId: 'T1' }, 'other-secret'],
  ])('given a token, when verified for %s, then it is invalid', (_case, ticket, secret) => {
    expect(() => verifySurveyToken(signSurveyToken(claims, SECRET), ticket, secret)).toThrow(DomainError);
  });

  it('given a token whose expiry was changed, then the signature no longer matches', () => {
    const [surveyId, expiry, signature] = signSurveyToken(claims, SECRET).split('.');
    expect(() => verifySurveyToken(`${surveyId}.${Number(expiry) + 86_400}.${signature}`, { tenantId: 'acme', ticketId: 'T1' }, SECRET)).toThrow(/Invalid survey token/);
  });

  it.each(['', 'garbage', 'S1.123', 'S1.abc.def'])('given a malformed token %p, then it is invalid', (token) => {
    expect(() => verifySurveyToken(token, { tenantId: 'acme', ticketId: 'T1' }, SECRET)).toThrow(DomainError);
  });

  it('stores only a hash: the same token gives the same hash, which is not the token', () => {
    const token = signSurveyToken(claims, SECRET);
    expect(hashSurveyToken(token)).toBe(hashSurveyToken(token));
    expect(hashSurveyToken(token)).not.toContain(token.split('.')[2]);
  });

  it('expiry is whole seconds after the time to live', () => {
    expect(surveyExpiry(new Date('2026-11-01T10:00:00.750Z'), 24)).toBe('2026-11-02T10:00:00.000Z');
  });
});

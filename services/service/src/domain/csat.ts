import { DomainError } from '@crm/decider';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSAT survey tokens: `<surveyId>.<expiry in epoch seconds>.<signature>`, the signature an HMAC-SHA256
 * over tenant, ticket, survey and expiry. The signature proves we issued the link without storing it;
 * the ticket keeps only the token's SHA-256, which makes the token single-use (the survey is marked
 * answered) without a secret worth stealing in the event log.
 */

export interface SurveyTokenClaims {
  tenantId: string;
  ticketId: string;
  surveyId: string;
  /** ISO-8601 instant, whole seconds. */
  expiresAt: string;
}

const toBase64Url = (buffer: Buffer) => buffer.toString('base64url');

function signature(claims: SurveyTokenClaims, secret: string): Buffer {
  const epochSeconds = Math.floor(Date.parse(claims.expiresAt) / 1000);
  return createHmac('sha256', secret).update(`csat\n${claims.tenantId}\n${claims.ticketId}\n${claims.surveyId}\n${epochSeconds}`).digest();
}

/** Expiry rounded down to the second, as the token carries it. */
export function surveyExpiry(now: Date, ttlHours: number): string {
  return new Date(Math.floor((now.getTime() + ttlHours * 3_600_000) / 1000) * 1000).toISOString();
}

export function signSurveyToken(claims: SurveyTokenClaims, secret: string): string {
  const epochSeconds = Math.floor(Date.parse(claims.expiresAt) / 1000);
  return `${claims.surveyId}.${epochSeconds}.${toBase64Url(signature(claims, secret))}`;
}

export function hashSurveyToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const badToken = () => new DomainError('invalid', 'Invalid survey token', [{ field: 'token', reason: 'not a survey token we issued for this ticket' }]);

/**
 * Checks the signature of a token for a ticket and returns its survey id and expiry. Whether it is
 * still open, unused and unexpired is the ticket's decision (RecordCsat).
 */
export function verifySurveyToken(token: string, ticket: { tenantId: string; ticketId: string }, secret: string): { surveyId: string; expiresAt: string } {
  const match = /^([0-9A-Za-z_-]{1,64})\.(\d{1,12})\.([0-9A-Za-z_-]{43})$/.exec(token ?? '');
  if (!match) throw badToken();
  const [, surveyId, epochSeconds, signatureText] = match;
  const expiresAt = new Date(Number(epochSeconds) * 1000).toISOString();
  const expected = signature({ ...ticket, surveyId, expiresAt }, secret);
  const given = Buffer.from(signatureText, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw badToken();
  return { surveyId, expiresAt };
}

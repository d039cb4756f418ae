import { UnauthorizedException } from '@nestjs/common';
import { DomainError } from '@crm/decider';
import type { ReplicatedRecord } from '@crm/runtime';
import type { ContactDirectory } from './contact-directory';
import { PortalService } from './portal.service';
import type { TicketsConfig } from './ticket-config';
import type { TicketQueries } from './ticket-queries';
import type { TicketsService } from './tickets.service';

const config: TicketsConfig = { csatTokenSecret: 'csat', csatSurveyTtlHours: 24, portalTokenSecret: 'portal-secret', portalSessionTtlMinutes: 60 };

/** Contacts known to the directory; `merged` maps a source to its survivor, as the directory resolves them. */
function directoryOf(contacts: string[], merged: Record<string, string> = {}): ContactDirectory {
  return {
    find: async (_kind: string, _tenantId: string, id: string) => {
      const resolved = merged[id] ?? id;
      return contacts.includes(resolved) ? ({ recordId: resolved } as ReplicatedRecord) : null;
    },
  } as unknown as ContactDirectory;
}

function portal(directory: ContactDirectory, now: { value: number }, secret = config.portalTokenSecret) {
  return new PortalService({} as TicketsService, {} as TicketQueries, directory, { ...config, portalTokenSecret: secret }, () => new Date(now.value));
}

describe('portal session rules', () => {
  const now = { value: Date.parse('2026-11-23T10:00:00.000Z') };

  it('given a known contact, when a session is issued, then its bearer token identifies that contact of that tenant', async () => {
    const service = portal(directoryOf(['c1']), now);
    const session = await service.issueSession('acme', 'c1');
    expect(session).toMatchObject({ tenantId: 'acme', contactId: 'c1', expiresAt: '2026-11-23T11:00:00.000Z' });
    await expect(service.authenticate(`Bearer ${session.token}`)).resolves.toEqual({ tenantId: 'acme', contactId: 'c1', expiresAt: session.expiresAt });
  });

  it('given an unknown contact, when a session is asked for, then it is invalid input', async () => {
    await expect(portal(directoryOf([]), now).issueSession('acme', 'nobody')).rejects.toBeInstanceOf(DomainError);
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic abc'],
    ['garbage', 'Bearer garbage'],
    ['a token with a changed signature', 'tamper-signature'],
    ['a token with changed claims', 'tamper-claims'],
  ])('given %s, then the request is unauthorised', async (_case, header) => {
    const service = portal(directoryOf(['c1', 'c2']), now);
    const { token } = await service.issueSession('acme', 'c1');
    const [prefix, claims, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ t: 'acme', c: 'c2', e: 9_999_999_999 })).toString('base64url');
    const authorization =
      header === 'tamper-signature' ? `Bearer ${prefix}.${claims}.${signature.slice(0, -2)}AA` : header === 'tamper-claims' ? `Bearer ${prefix}.${forged}.${signature}` : header;
    await expect(service.authenticate(authorization)).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('given a token signed with another secret, then it is unauthorised', async () => {
    const { token } = await portal(directoryOf(['c1']), now, 'other').issueSession('acme', 'c1');
    await expect(portal(directoryOf(['c1']), now).authenticate(`Bearer ${token}`)).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('given an expired session, then it is unauthorised', async () => {
    const clock = { value: now.value };
    const service = portal(directoryOf(['c1']), clock);
    const { token } = await service.issueSession('acme', 'c1');
    clock.value += 60 * 60_000;
    await expect(service.authenticate(`Bearer ${token}`)).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('given a contact deleted since, then the session ends; given one merged since, then it speaks for the survivor', async () => {
    const { token } = await portal(directoryOf(['c1']), now).issueSession('acme', 'c1');
    await expect(portal(directoryOf([]), now).authenticate(`Bearer ${token}`)).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(portal(directoryOf(['c9'], { c1: 'c9' }), now).authenticate(`Bearer ${token}`)).resolves.toMatchObject({ contactId: 'c9' });
  });
});

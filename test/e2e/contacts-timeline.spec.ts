import { describeWithMongo } from '@crm/testing';
import { randomUUID } from 'node:crypto';
import { type HttpResponse, RunningCrm } from '../../tools/running-crm';
import { expectProblem, type Page, uniqueTenant } from './support';

type Definition = { name: string; label: string; type: string; options: string[]; required: boolean; revision: number; entity: string };
type Interaction = {
  id: string;
  kind: string;
  direction: string | null;
  linkedContactIds: string[];
  participants: { email: string | null; phone: string | null; matchedContactIds: string[] }[];
  unmatchedParticipants: { email?: string; phone?: string }[];
};
type Entry = { id: string; source: string; type: string; occurredAt: string; changedFields?: string[]; actorId: string };

/** Custom field definitions, interactions and the contact timeline, through the gateway. */
function timelineJourney(start: () => Promise<RunningCrm>): void {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await start();
  });

  afterAll(async () => {
    await crm?.stop();
  });

  async function createContact(t: string, body: Record<string, unknown>) {
    const response = await crm.call<{ id: string; revision: number; customFields: Record<string, unknown> }>('POST', '/api/v1/contacts', { tenant: t, actor: 'alice', body });
    expect(response.status).toBe(201);
    return response;
  }

  async function define(t: string, path: string, body: Record<string, unknown>) {
    const response = await crm.call<Definition>('POST', path, { tenant: t, body });
    expect(response.status).toBe(201);
    return response;
  }

  describe('custom field definitions', () => {
    it('are created, listed, read, changed under If-Match and removed, for contacts and companies alike', async () => {
      const t = uniqueTenant('cf-crud');
      const path = '/api/v1/contacts/custom-fields';
      const created = await define(t, path, { name: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] });
      expect(created.headers.location).toBe(`${path}/tier`);
      expect(created.headers.etag).toBe('"0"');
      expect(created.body).toEqual({ entity: 'contact', name: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'], required: false, revision: 0 });
      const seats = await define(t, path, { name: 'seats', type: 'number', required: true });
      expect(seats.body).toMatchObject({ label: 'seats', options: [], required: true, revision: 1 });

      // The static segment is not taken for a contact id: this is the list, not "contact not found".
      const list = await crm.call<Page<Definition>>('GET', path, { tenant: t });
      expect(list.status).toBe(200);
      expect(list.body.items.map((definition) => definition.name)).toEqual(['tier', 'seats']);
      const one = await crm.call<Definition>('GET', `${path}/tier`, { tenant: t });
      expect(one.headers.etag).toBe('"0"');

      // Each definition has its own ETag: changing seats does not make the ETag of tier stale.
      const changedSeats = await crm.call<Definition>('PATCH', `${path}/seats`, { tenant: t, body: { label: 'Seats' }, headers: { 'if-match': '"1"' } });
      expect(changedSeats.status).toBe(200);
      expect(changedSeats.headers.etag).toBe('"2"');
      const changedTier = await crm.call<Definition>('PATCH', `${path}/tier`, { tenant: t, body: { options: ['gold', 'silver', 'bronze'] }, headers: { 'if-match': '"0"' } });
      expect(changedTier.status).toBe(200);
      expect(changedTier.body).toMatchObject({ options: ['gold', 'silver', 'bronze'], revision: 3 });
      expectProblem(await crm.call('PATCH', `${path}/tier`, { tenant: t, body: { label: 'Stale' }, headers: { 'if-match': '"0"' } }), 412);
      expectProblem(await crm.call('PATCH', `${path}/tier`, { tenant: t, body: { name: 'rank' } }), 400, ['name']);

      expectProblem(await crm.call('DELETE', `${path}/tier`, { tenant: t, headers: { 'if-match': '"0"' } }), 412);
      expect((await crm.call('DELETE', `${path}/tier`, { tenant: t, headers: { 'if-match': '"3"' } })).status).toBe(204);
      expectProblem(await crm.call('GET', `${path}/tier`, { tenant: t }), 404);
      expectProblem(await crm.call('DELETE', `${path}/tier`, { tenant: t }), 404);
      expect((await crm.call<Page<Definition>>('GET', path, { tenant: t })).body.items.map((definition) => definition.name)).toEqual(['seats']);

      // Companies have their own definitions; another tenant sees none of these.
      const companyField = await define(t, '/api/v1/companies/custom-fields', { name: 'tier', type: 'text' });
      expect(companyField.body).toMatchObject({ entity: 'company', name: 'tier', type: 'text' });
      expect((await crm.call<Page<Definition>>('GET', '/api/v1/companies/custom-fields', { tenant: t })).body.items.map((definition) => definition.name)).toEqual(['tier']);
      expect((await crm.call<Page<Definition>>('GET', path, { tenant: uniqueTenant('cf-other') })).body.items).toEqual([]);
    });

    it('refuses bad definitions with problem+json naming the field', async () => {
      const t = uniqueTenant('cf-bad');
      const post = (body: unknown) => crm.call('POST', '/api/v1/contacts/custom-fields', { tenant: t, body });
      expectProblem(await post({ name: '1st', type: 'text' }), 400, ['name']);
      expectProblem(await post({ name: 'tier', type: 'colour' }), 400, ['type']);
      expectProblem(await post({ name: 'tier', type: 'select' }), 400, ['options']);
      expectProblem(await post({ name: 'tier', type: 'select', options: ['a', 'a'] }), 400, ['options.1']);
      expectProblem(await post({ name: 'seats', type: 'number', options: ['1'] }), 400, ['options']);
      expectProblem(await post({ name: 'seats', type: 'number', required: 'yes' }), 400, ['required']);
      await define(t, '/api/v1/contacts/custom-fields', { name: 'tier', type: 'text' });
      expectProblem(await post({ name: 'TIER', type: 'text' }), 409);
      expect((await crm.call<Page<Definition>>('GET', '/api/v1/contacts/custom-fields', { tenant: t })).body.items.map((definition) => definition.name)).toEqual(['tier']);
    });
  });

  describe('writes checked against the definitions', () => {
    it('answers 400 naming customFields.<name> for wrong types, unknown keys and missing required fields, and stores nothing', async () => {
      const t = uniqueTenant('cf-write');
      const fields = '/api/v1/contacts/custom-fields';
      await define(t, fields, { name: 'tier', type: 'select', options: ['gold', 'silver'] });
      await define(t, fields, { name: 'seats', type: 'number', required: true });
      await define(t, fields, { name: 'renewal', type: 'date' });
      await define(t, fields, { name: 'partner', type: 'boolean' });
      await define(t, fields, { name: 'motto', type: 'text' });
      const post = (customFields: unknown) => crm.call('POST', '/api/v1/contacts', { tenant: t, body: { firstName: 'Ada', customFields } });

      expectProblem(await post({ seats: 'ten' }), 400, ['customFields.seats']);
      expectProblem(await post({ seats: 1, tier: 'bronze' }), 400, ['customFields.tier']);
      expectProblem(await post({ seats: 1, renewal: '2027-02-30' }), 400, ['customFields.renewal']);
      expectProblem(await post({ seats: 1, partner: 'yes' }), 400, ['customFields.partner']);
      expectProblem(await post({ seats: 1, motto: 42 }), 400, ['customFields.motto']);
      expectProblem(await post({ seats: 1, colour: 'red' }), 400, ['customFields.colour']);
      expectProblem(await post({ tier: 'gold' }), 400, ['customFields.seats']);
      expectProblem(await post(undefined), 400, ['customFields.seats']);
      const several = await post({ seats: 'ten', tier: 'bronze' });
      expectProblem(several, 400, ['customFields.seats', 'customFields.tier']);

      const good = await createContact(t, { firstName: 'Valid', customFields: { seats: 5, tier: 'gold', renewal: '2027-01-31', partner: true, motto: 'Onwards' } });
      expect(good.body.customFields).toEqual({ seats: 5, tier: 'gold', renewal: '2027-01-31', partner: true, motto: 'Onwards' });
      const contactPath = `/api/v1/contacts/${good.body.id}`;
      expectProblem(await crm.call('PATCH', contactPath, { tenant: t, body: { customFields: { seats: null } } }), 400, ['customFields.seats']);
      expectProblem(await crm.call('PATCH', contactPath, { tenant: t, body: { customFields: { tier: 'platinum' } } }), 400, ['customFields.tier']);

      // Nothing refused above was stored: one contact, still at revision 0.
      const list = await crm.call<Page<{ firstName: string }>>('GET', '/api/v1/contacts', { tenant: t, headers: { 'x-consistency-token': good.headers['x-consistency-token'] } });
      expect(list.body.items.map((contact) => contact.firstName)).toEqual(['Valid']);
      expect((await crm.call<{ revision: number }>('GET', contactPath, { tenant: t })).body.revision).toBe(0);

      // A patch may leave required fields out, and null removes an optional value.
      const patched = await crm.call<{ customFields: Record<string, unknown> }>('PATCH', contactPath, { tenant: t, body: { title: 'CTO', customFields: { motto: null } } });
      expect(patched.status).toBe(200);
      expect(patched.body.customFields).toEqual({ seats: 5, tier: 'gold', renewal: '2027-01-31', partner: true });
    });

    it('keeps stored values when a definition changes, and checks only new writes', async () => {
      const t = uniqueTenant('cf-change');
      const fields = '/api/v1/contacts/custom-fields';
      await define(t, fields, { name: 'tier', type: 'text' });
      const contact = await createContact(t, { firstName: 'Old', customFields: { tier: 'platinum' } });
      const path = `/api/v1/contacts/${contact.body.id}`;
      expect((await crm.call('PATCH', `${fields}/tier`, { tenant: t, body: { type: 'select', options: ['gold'], required: true } })).status).toBe(200);

      expect((await crm.call<{ customFields: Record<string, unknown> }>('GET', path, { tenant: t })).body.customFields).toEqual({ tier: 'platinum' });
      expect((await crm.call('PATCH', path, { tenant: t, body: { lastName: 'Record' } })).status).toBe(200);
      expectProblem(await crm.call('PATCH', path, { tenant: t, body: { customFields: { tier: 'platinum' } } }), 400, ['customFields.tier']);
      expectProblem(await crm.call('POST', '/api/v1/contacts', { tenant: t, body: { firstName: 'New' } }), 400, ['customFields.tier']);

      // Once the definition is gone, its stored value is still there and can be removed with null.
      expect((await crm.call('DELETE', `${fields}/tier`, { tenant: t })).status).toBe(204);
      const cleaned = await crm.call<{ customFields: Record<string, unknown> }>('PATCH', path, { tenant: t, body: { customFields: { tier: null } } });
      expect(cleaned.status).toBe(200);
      expect(cleaned.body.customFields).toEqual({});
    });

    it('checks companies against their own definitions', async () => {
      const t = uniqueTenant('cf-company');
      await define(t, '/api/v1/companies/custom-fields', { name: 'employees', type: 'number', required: true });
      expectProblem(await crm.call('POST', '/api/v1/companies', { tenant: t, body: { name: 'Acme' } }), 400, ['customFields.employees']);
      expectProblem(await crm.call('POST', '/api/v1/companies', { tenant: t, body: { name: 'Acme', customFields: { employees: 'lots' } } }), 400, ['customFields.employees']);
      const company = await crm.call<{ id: string }>('POST', '/api/v1/companies', { tenant: t, body: { name: 'Acme', customFields: { employees: 12 } } });
      expect(company.status).toBe(201);
      expectProblem(await crm.call('PATCH', `/api/v1/companies/${company.body.id}`, { tenant: t, body: { customFields: { founded: 1999 } } }), 400, ['customFields.founded']);
      // Contacts of the tenant have no definitions: still free-form.
      await createContact(t, { firstName: 'Free', customFields: { anything: { nested: true } } });
    });
  });

  describe('interactions', () => {
    it('records each kind of interaction, and refuses what does not apply', async () => {
      const t = uniqueTenant('int-kinds');
      const contact = await createContact(t, { firstName: 'Ada' });
      const path = `/api/v1/contacts/${contact.body.id}/interactions`;
      const bodies = [
        { kind: 'note', body: 'Prefers email over calls' },
        { kind: 'call', direction: 'outbound', channel: 'phone', subject: 'Renewal', durationSeconds: 420, occurredAt: '2026-01-10T09:00:00Z' },
        { kind: 'email', direction: 'inbound', channel: 'email', subject: 'Re: quote', body: 'Looks good' },
        { kind: 'meeting', channel: 'in-person', subject: 'Workshop', durationSeconds: 3600 },
        { kind: 'message', direction: 'outbound', channel: 'whatsapp', body: 'See you tomorrow' },
      ];
      for (const body of bodies) {
        const recorded = await crm.call<Interaction>('POST', path, { tenant: t, actor: 'bob', body });
        expect(recorded.status).toBe(201);
        expect(recorded.headers.location).toBe(`${path}/${recorded.body.id}`);
        expect(recorded.headers['x-consistency-token']).toMatch(/^p\d+$/);
        expect(recorded.body).toMatchObject({ ...body, ...(body.occurredAt ? { occurredAt: '2026-01-10T09:00:00.000Z' } : {}), unmatchedParticipants: [] });
        const read = await crm.call<Interaction>('GET', recorded.headers.location, { tenant: t });
        expect(read.status).toBe(200);
        expect(read.body).toMatchObject({ id: recorded.body.id, kind: body.kind, recordedBy: 'bob' });
      }

      expectProblem(await crm.call('POST', path, { tenant: t, body: { kind: 'fax' } }), 400, ['kind']);
      expectProblem(await crm.call('POST', path, { tenant: t, body: { kind: 'note', body: 'x', direction: 'inbound' } }), 400, ['direction']);
      expectProblem(await crm.call('POST', path, { tenant: t, body: { kind: 'email', durationSeconds: 5 } }), 400, ['durationSeconds']);
      expectProblem(await crm.call('POST', path, { tenant: t, body: { kind: 'note' } }), 400, ['body']);
      expectProblem(await crm.call('POST', path, { tenant: t, body: { kind: 'call', occurredAt: 'yesterday' } }), 400, ['occurredAt']);
      expectProblem(await crm.call('POST', path, { tenant: t, body: { kind: 'call', participants: [{ email: 'a@x.example', phone: '+37060012345' }] } }), 400, ['participants.0']);
      expectProblem(await crm.call('POST', path, { tenant: t, body: { kind: 'call', participants: [{ phone: '12' }] } }), 400, ['participants.0.phone']);
      expectProblem(await crm.call('POST', path, { tenant: t, body: { kind: 'call', participants: [{ contactId: 'NOSUCHCONTACT' }] } }), 400, ['participants.0.contactId']);
      expectProblem(await crm.call('POST', '/api/v1/contacts/NOSUCHCONTACT/interactions', { tenant: t, body: { kind: 'note', body: 'x' } }), 404);
      expectProblem(await crm.call('POST', path, { tenant: uniqueTenant('int-other'), body: { kind: 'note', body: 'x' } }), 404);
    });

    it('links participants matched to contacts and reports the unmatched ones back', async () => {
      const t = uniqueTenant('int-match');
      const ada = await createContact(t, { firstName: 'Ada', emails: [{ address: 'ada@engines.example' }] });
      const grace = await createContact(t, { firstName: 'Grace', emails: [{ address: 'grace@navy.example' }], phones: [{ number: '+37060012345' }] });
      const charles = await createContact(t, { firstName: 'Charles' });
      // The same address in another tenant must not match.
      await createContact(uniqueTenant('int-elsewhere'), { firstName: 'Stranger', emails: [{ address: 'stranger@example.com' }] });

      const recorded = await crm.call<Interaction>('POST', `/api/v1/contacts/${ada.body.id}/interactions`, {
        tenant: t,
        body: {
          kind: 'meeting',
          subject: 'Engine review',
          participants: [
            { email: 'ADA@engines.example' },
            { email: 'grace@navy.example', name: 'Grace' },
            { phone: '+370 600 12345' },
            { contactId: charles.body.id },
            { email: 'stranger@example.com' },
            { phone: '+37060099999' },
          ],
        },
      });
      expect(recorded.status).toBe(201);
      expect(recorded.body.linkedContactIds.sort()).toEqual([grace.body.id, charles.body.id].sort());
      expect(recorded.body.participants.map((participant) => participant.matchedContactIds)).toEqual([[ada.body.id], [grace.body.id], [grace.body.id], [charles.body.id], [], []]);
      expect(recorded.body.unmatchedParticipants).toEqual([{ email: 'stranger@example.com' }, { phone: '+37060099999' }]);

      // The interaction shows on the timelines of the linked contacts too.
      const token = recorded.headers['x-consistency-token'];
      for (const contact of [ada, grace, charles]) {
        const timeline = await crm.call<Page<Entry>>('GET', `/api/v1/contacts/${contact.body.id}/timeline?source=interaction`, { tenant: t, headers: { 'x-consistency-token': token } });
        expect(timeline.body.items.map((entry) => entry.id)).toEqual([`interaction:${recorded.body.id}`]);
      }
      expect((await crm.call('GET', `/api/v1/contacts/${grace.body.id}/interactions/${recorded.body.id}`, { tenant: t })).status).toBe(200);
    });
  });

  describe('the timeline', () => {
    it('merges history and interactions by time, newest first or oldest first, with cursor pages', async () => {
      const t = uniqueTenant('timeline');
      const contact = await createContact(t, { firstName: 'Alan', lastName: 'Turing' });
      const id = contact.body.id;
      const base = `/api/v1/contacts/${id}`;
      await crm.call('POST', `${base}/interactions`, { tenant: t, body: { kind: 'call', direction: 'inbound', occurredAt: '2020-01-01T00:00:00Z' } });
      await crm.call('PATCH', base, { tenant: t, actor: 'bob', body: { status: 'customer' } });
      const last = await crm.call<Interaction>('POST', `${base}/interactions`, { tenant: t, body: { kind: 'note', body: 'Signed' } });
      const headers = { 'x-consistency-token': last.headers['x-consistency-token'] };

      const newestFirst = await crm.call<Page<Entry>>('GET', `${base}/timeline`, { tenant: t, headers });
      expect(newestFirst.status).toBe(200);
      expect(newestFirst.body.items.map((entry) => [entry.source, entry.type])).toEqual([
        ['interaction', 'note'],
        ['contact', 'ContactStatusChanged'],
        ['contact', 'ContactCreated'],
        ['interaction', 'call'],
      ]);
      expect(newestFirst.body.items[1]).toMatchObject({ actorId: 'bob', changedFields: ['status'] });
      const times = newestFirst.body.items.map((entry) => entry.occurredAt);
      expect([...times].sort().reverse()).toEqual(times);

      const pages = async (order: string) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const query: string = `?order=${order}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
          const page: HttpResponse<Page<Entry>> = await crm.call<Page<Entry>>('GET', `${base}/timeline${query}`, { tenant: t, headers });
          expect(page.status).toBe(200);
          expect(page.body.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.body.items.map((entry) => entry.id));
          cursor = page.body.nextCursor;
        } while (cursor);
        return seen;
      };
      const descending = await pages('desc');
      expect(descending).toEqual(newestFirst.body.items.map((entry) => entry.id));
      expect(await pages('asc')).toEqual([...descending].reverse());

      const firstPage = await crm.call<Page<Entry>>('GET', `${base}/timeline?limit=1`, { tenant: t });
      expectProblem(await crm.call('GET', `${base}/timeline?order=asc&limit=1&cursor=${encodeURIComponent(firstPage.body.nextCursor!)}`, { tenant: t }), 400, ['cursor']);
      expectProblem(await crm.call('GET', `${base}/timeline?limit=201`, { tenant: t }), 400, ['limit']);
      expectProblem(await crm.call('GET', `${base}/timeline?order=sideways`, { tenant: t }), 400, ['order']);
      expectProblem(await crm.call('GET', `${base}/timeline?cursor=garbage`, { tenant: t }), 400, ['cursor']);
    });

    it('keeps tenants apart and goes away with the contact', async () => {
      const owner = uniqueTenant('tl-owner');
      const contact = await createContact(owner, { firstName: 'Private' });
      const base = `/api/v1/contacts/${contact.body.id}`;
      const recorded = await crm.call<Interaction>('POST', `${base}/interactions`, { tenant: owner, body: { kind: 'note', body: 'Secret' } });
      const other = uniqueTenant('tl-other');
      expectProblem(await crm.call('GET', `${base}/timeline`, { tenant: other }), 404);
      expectProblem(await crm.call('GET', `${base}/interactions/${recorded.body.id}`, { tenant: other }), 404);
      const mine = await crm.call<Page<Entry>>('GET', `${base}/timeline`, { tenant: owner, headers: { 'x-consistency-token': recorded.headers['x-consistency-token'] } });
      expect(mine.body.items).toHaveLength(2);

      expect((await crm.call('DELETE', base, { tenant: owner })).status).toBe(204);
      expectProblem(await crm.call('GET', `${base}/timeline`, { tenant: owner }), 404);
    });
  });

  it('lists the new routes in the merged OpenAPI document at the gateway', async () => {
    const document = await crm.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json');
    expect(document.status).toBe(200);
    const paths = document.body.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/contacts/custom-fields',
        '/api/v1/contacts/custom-fields/{name}',
        '/api/v1/companies/custom-fields',
        '/api/v1/companies/custom-fields/{name}',
        '/api/v1/contacts/{id}/interactions',
        '/api/v1/contacts/{id}/interactions/{interactionId}',
        '/api/v1/contacts/{id}/timeline',
      ]),
    );
    expect(Object.keys(paths['/api/v1/contacts/custom-fields/{name}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(paths['/api/v1/companies/custom-fields']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths).some((path) => path.startsWith('/admin'))).toBe(false);
  });
}

describe('custom fields, interactions and timelines through the gateway', () => {
  timelineJourney(() => RunningCrm.start());
});

// The projection's writes and keyset pages on the other read-store adapter (the bus and event store stay embedded).
describeWithMongo('custom fields, interactions and timelines through the gateway, on the MongoDB read store', (url) => {
  const database = `crm_e2e_timeline_${randomUUID().slice(0, 8)}`;
  timelineJourney(() => RunningCrm.start(undefined, { READ_STORE: 'mongodb', MONGODB_URL: url, MONGODB_DATABASE: database }));
});

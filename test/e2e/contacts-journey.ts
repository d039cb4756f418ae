import { callUrl, type RunningCrm } from '../../tools/running-crm';
import { expectProblem, type Page, uniqueTenant } from './support';

type Contact = { id: string; firstName: string; lastName: string; emails: { address: string; primary: boolean }[]; status: string; archived: boolean; revision: number; tags: string[]; companyId: string | null };

/**
 * The contacts journey through the gateway, run on the embedded adapters (contacts.spec.ts) and on real
 * brokers (real-infrastructure.spec.ts): the same behaviour is promised whatever the adapters.
 */
export function contactsJourney(start: () => Promise<RunningCrm>): void {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await start();
  });

  afterAll(async () => {
    await crm?.stop();
  });

  async function createContact(tenantId: string, body: Record<string, unknown>) {
    const response = await crm.call<Contact>('POST', '/api/v1/contacts', { tenant: tenantId, actor: 'alice', body });
    expect(response.status).toBe(201);
    return response;
  }

  describe('contacts through the gateway', () => {
    it('creates a contact: 201, Location, ETag "0", consistency token, and an immediate read sees it', async () => {
      const t = uniqueTenant('create');
      const created = await createContact(t, { firstName: 'Ada', lastName: 'Lovelace', emails: [{ address: 'Ada@Example.com' }], tags: ['VIP'] });
      expect(created.headers.location).toBe(`/api/v1/contacts/${created.body.id}`);
      expect(created.headers.etag).toBe('"0"');
      expect(created.headers['x-consistency-token']).toMatch(/^p\d+$/);
      expect(created.headers['x-request-id']).toBeTruthy();
      expect(created.body).toMatchObject({ firstName: 'Ada', emails: [{ address: 'ada@example.com', primary: true }], tags: ['vip'], status: 'lead', revision: 0 });

      const read = await crm.call<Contact>('GET', created.headers.location, { tenant: t });
      expect(read.status).toBe(200);
      expect(read.headers.etag).toBe('"0"');
      expect(read.body).toEqual(created.body);
    });

    it('uses If-Match for optimistic concurrency: a stale revision answers 412 and changes nothing', async () => {
      const t = uniqueTenant('etag');
      const { body: contact } = await createContact(t, { firstName: 'Grace', lastName: 'Hopper' });
      const path = `/api/v1/contacts/${contact.id}`;

      const first = await crm.call<Contact>('PATCH', path, { tenant: t, body: { title: 'Rear Admiral' }, headers: { 'if-match': '"0"' } });
      expect(first.status).toBe(200);
      expect(first.headers.etag).toBe('"1"');

      const stale = await crm.call('PATCH', path, { tenant: t, body: { title: 'Captain' }, headers: { 'if-match': '"0"' } });
      expectProblem(stale, 412);
      expect((await crm.call<Contact>('GET', path, { tenant: t })).body).toMatchObject({ title: 'Rear Admiral', revision: 1 });

      const lastWriterWins = await crm.call<Contact>('PATCH', path, { tenant: t, body: { title: 'Commodore' } });
      expect(lastWriterWins.status).toBe(200);
      expect(lastWriterWins.headers.etag).toBe('"2"');

      expectProblem(await crm.call('PATCH', path, { tenant: t, body: { title: 'X' }, headers: { 'if-match': 'garbage' } }), 400, ['If-Match']);
    });

    it('reads a contact as of any past instant (time travel) and lists its history with actors and fields', async () => {
      const t = uniqueTenant('asof');
      const { body: contact } = await createContact(t, { firstName: 'Alan', lastName: 'Turing', status: 'lead' });
      const path = `/api/v1/contacts/${contact.id}`;
      const afterCreate = new Date().toISOString();
      await crm.call('PATCH', path, { tenant: t, actor: 'bob', body: { status: 'customer', lastName: 'M. Turing' } });

      const then = await crm.call<Contact>('GET', `${path}?asOf=${encodeURIComponent(afterCreate)}`, { tenant: t });
      expect(then.status).toBe(200);
      expect(then.body).toMatchObject({ lastName: 'Turing', status: 'lead', revision: 0 });
      expect((await crm.call<Contact>('GET', path, { tenant: t })).body).toMatchObject({ lastName: 'M. Turing', status: 'customer' });
      expectProblem(await crm.call('GET', `${path}?asOf=2000-01-01T00:00:00Z`, { tenant: t }), 404);

      const history = await crm.call<{ items: { type: string; actorId: string; changedFields: string[]; revision: number }[] }>('GET', `${path}/history`, { tenant: t });
      expect(history.status).toBe(200);
      expect(history.body.items.map((entry) => [entry.revision, entry.type, entry.actorId])).toEqual([
        [0, 'ContactCreated', 'alice'],
        [1, 'ContactRenamed', 'bob'],
        [2, 'ContactStatusChanged', 'bob'],
      ]);
      expect(history.body.items[2].changedFields).toEqual(['status']);
    });

    it('archives, restores and deletes: archived contacts leave default lists, deleted ones are gone', async () => {
      const t = uniqueTenant('life');
      const created = await createContact(t, { firstName: 'Kept' });
      const { body: contact } = created;
      const path = `/api/v1/contacts/${contact.id}`;

      const archived = await crm.call<Contact>('POST', `${path}/archive`, { tenant: t });
      expect(archived.status).toBe(200);
      expect(archived.body.archived).toBe(true);
      const token = archived.headers['x-consistency-token'];
      expect((await crm.call<Page<Contact>>('GET', '/api/v1/contacts', { tenant: t, headers: { 'x-consistency-token': token } })).body.items).toEqual([]);
      expect((await crm.call<Page<Contact>>('GET', '/api/v1/contacts?archived=true', { tenant: t, headers: { 'x-consistency-token': token } })).body.items.map((c) => c.id)).toEqual([contact.id]);

      const restored = await crm.call<Contact>('POST', `${path}/restore`, { tenant: t });
      expect(restored.body.archived).toBe(false);

      const deleted = await crm.call('DELETE', path, { tenant: t });
      expect(deleted.status).toBe(204);
      expectProblem(await crm.call('GET', path, { tenant: t }), 404);
      expectProblem(await crm.call('GET', `${path}/history`, { tenant: t }), 404);
      expectProblem(await crm.call('PATCH', path, { tenant: t, body: { firstName: 'Back' } }), 404);
      const list = await crm.call<Page<Contact>>('GET', '/api/v1/contacts', { tenant: t, headers: { 'x-consistency-token': deleted.headers['x-consistency-token'] } });
      expect(list.body.items).toEqual([]);
    });

    it('lists with filters, sorting, a bounded limit and cursor pagination, reading its own writes', async () => {
      const t = uniqueTenant('list');
      const company = await crm.call<{ id: string }>('POST', '/api/v1/companies', { tenant: t, body: { name: 'Analytical Engines', domain: 'engines.example' } });
      expect(company.status).toBe(201);
      const people = [
        { firstName: 'Ada', lastName: 'Lovelace', emails: [{ address: 'ada@engines.example' }], status: 'customer', tags: ['vip'], industry: 'Software', region: 'EMEA', companyId: company.body.id },
        { firstName: 'Adam', lastName: 'Smith', emails: [{ address: 'adam@market.example' }], status: 'lead', industry: 'Finance', region: 'EMEA' },
        { firstName: 'Charles', lastName: 'Babbage', emails: [{ address: 'charles@engines.example' }], status: 'prospect', tags: ['vip'], industry: 'Software', region: 'NA', companyId: company.body.id },
      ];
      let token = '';
      for (const person of people) token = (await createContact(t, person)).headers['x-consistency-token'];
      const list = (query: string) => crm.call<Page<Contact>>('GET', `/api/v1/contacts${query}`, { tenant: t, headers: { 'x-consistency-token': token } });
      const names = async (query: string) => (await list(query)).body.items.map((contact) => contact.firstName).sort();

      expect(await names('')).toEqual(['Ada', 'Adam', 'Charles']);
      expect(await names('?q=ad')).toEqual(['Ada', 'Adam']);
      expect(await names('?q=LOVE')).toEqual(['Ada']);
      expect(await names('?q=charles%40')).toEqual(['Charles']);
      expect(await names('?email=ADA@engines.example')).toEqual(['Ada']);
      expect(await names('?tag=VIP')).toEqual(['Ada', 'Charles']);
      expect(await names('?status=lead')).toEqual(['Adam']);
      expect(await names('?industry=Software&region=NA')).toEqual(['Charles']);
      expect(await names(`?companyId=${company.body.id}`)).toEqual(['Ada', 'Charles']);
      const ofCompany = await crm.call<Page<Contact>>('GET', `/api/v1/companies/${company.body.id}/contacts`, { tenant: t, headers: { 'x-consistency-token': token } });
      expect(ofCompany.body.items.map((contact) => contact.firstName).sort()).toEqual(['Ada', 'Charles']);
      expect((await list('?sort=lastName')).body.items.map((contact) => contact.lastName)).toEqual(['Babbage', 'Lovelace', 'Smith']);
      expect((await list('?sort=-lastName')).body.items.map((contact) => contact.lastName)).toEqual(['Smith', 'Lovelace', 'Babbage']);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<Contact> = (await list(`?sort=lastName&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((contact) => contact.lastName));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['Babbage', 'Lovelace', 'Smith']);

      expectProblem(await list('?limit=201'), 400, ['limit']);
      expectProblem(await list('?status=vip'), 400, ['status']);
      expectProblem(await list('?cursor=not-a-cursor'), 400, ['cursor']);
      expectProblem(await list('?sort=password'), 400, ['sort']);
    });

    it('keeps tenants apart: another tenant neither reads nor lists the record', async () => {
      const owner = uniqueTenant('owner');
      const other = uniqueTenant('other');
      const created = await createContact(owner, { firstName: 'Private', emails: [{ address: 'private@example.com' }] });
      expectProblem(await crm.call('GET', `/api/v1/contacts/${created.body.id}`, { tenant: other }), 404);
      expectProblem(await crm.call('PATCH', `/api/v1/contacts/${created.body.id}`, { tenant: other, body: { firstName: 'Stolen' } }), 404);
      const list = await crm.call<Page<Contact>>('GET', '/api/v1/contacts?q=private', { tenant: other, headers: { 'x-consistency-token': created.headers['x-consistency-token'] } });
      expect(list.body.items).toEqual([]);
      expectProblem(await crm.call('GET', '/api/v1/contacts', { tenant: 'Bad Tenant!' }), 400, ['headers']);
    });

    it('answers bad input with 400 problem+json naming the fields, and writes nothing', async () => {
      const t = uniqueTenant('bad');
      const post = (body: unknown) => crm.call('POST', '/api/v1/contacts', { tenant: t, body });
      expectProblem(await post({ lastName: '' }), 400, ['firstName']);
      expectProblem(await post({}), 400, ['firstName']);
      expectProblem(await post({ firstName: 'A', emails: [{ address: 'not-an-email' }] }), 400, ['emails.0.address']);
      expectProblem(await post({ firstName: 'A', status: 'vip' }), 400, ['status']);
      expectProblem(await post({ firstName: 'A', phones: [{ number: '12' }] }), 400, ['phones.0.number']);
      expectProblem(await post({ firstName: 'A', birthday: '31/12/1990' }), 400, ['birthday']);
      expectProblem(await post({ firstName: 'A', unknownField: 1 }), 400, ['unknownField']);
      expectProblem(await post({ firstName: 'x'.repeat(101) }), 400, ['firstName']);
      expectProblem(await post({ firstName: 'A', companyId: 'NOSUCHCOMPANY' }), 400, ['companyId']);
      expectProblem(await crm.call('POST', '/api/v1/contacts', { tenant: t, rawBody: '{"firstName": ', headers: { 'content-type': 'application/json' } }), 400);
      expectProblem(await crm.call('POST', '/api/v1/contacts', { tenant: t, rawBody: 'firstName=A', headers: { 'content-type': 'text/plain' } }), 415);
      expectProblem(await post([]), 400, ['body']);
      const oversized = await crm.call('POST', '/api/v1/contacts', { tenant: t, rawBody: JSON.stringify({ firstName: 'A', customFields: { blob: 'x'.repeat(2_000_000) } }), headers: { 'content-type': 'application/json' } });
      expectProblem(oversized, 413);
      expectProblem(await crm.call('GET', '/api/v1/contacts/01UNKNOWN', { tenant: t }), 404);
      expectProblem(await crm.call('GET', '/api/v1/contacts/..%2F..%2Fetc', { tenant: t }), 400);

      const good = await createContact(t, { firstName: 'Valid' });
      expectProblem(await crm.call('GET', `/api/v1/contacts/${good.body.id}?asOf=yesterday`, { tenant: t }), 400, ['asOf']);
      expectProblem(await crm.call('PATCH', `/api/v1/contacts/${good.body.id}`, { tenant: t, body: { emails: [{ address: 'nope' }] } }), 400, ['emails.0.address']);
      expectProblem(await crm.call('PATCH', `/api/v1/contacts/${good.body.id}`, { tenant: t, body: { firstName: null, lastName: null } }), 400, ['firstName']);

      // Nothing above wrote an event: the only contact is the valid one, still at revision 0.
      const list = await crm.call<Page<Contact>>('GET', '/api/v1/contacts', { tenant: t, headers: { 'x-consistency-token': good.headers['x-consistency-token'] } });
      expect(list.body.items.map((contact) => contact.firstName)).toEqual(['Valid']);
      expect((await crm.call<Contact>('GET', `/api/v1/contacts/${good.body.id}`, { tenant: t })).body.revision).toBe(0);
    });

    it('manages companies the same way', async () => {
      const t = uniqueTenant('companies');
      const created = await crm.call<{ id: string; name: string; domain: string }>('POST', '/api/v1/companies', { tenant: t, body: { name: 'Acme', domain: 'https://www.ACME.example/about', size: '11-50' } });
      expect(created.status).toBe(201);
      expect(created.headers.etag).toBe('"0"');
      expect(created.body).toMatchObject({ name: 'Acme', domain: 'acme.example', size: '11-50' });
      const path = `/api/v1/companies/${created.body.id}`;
      expectProblem(await crm.call('PATCH', path, { tenant: t, body: { name: 'Acme Corp' }, headers: { 'if-match': '"7"' } }), 412);
      const renamed = await crm.call('PATCH', path, { tenant: t, body: { name: 'Acme Corp' }, headers: { 'if-match': '"0"' } });
      expect(renamed.headers.etag).toBe('"1"');
      const list = await crm.call<Page<{ name: string }>>('GET', '/api/v1/companies?q=acme', { tenant: t, headers: { 'x-consistency-token': renamed.headers['x-consistency-token'] } });
      expect(list.body.items.map((company) => company.name)).toEqual(['Acme Corp']);
      expectProblem(await crm.call('POST', '/api/v1/companies', { tenant: t, body: { domain: 'x.example' } }), 400, ['name']);
      expectProblem(await crm.call('POST', '/api/v1/companies', { tenant: t, body: { name: 'B', size: 'huge' } }), 400, ['size']);
    });

    it('serves one merged OpenAPI document and Swagger UI at the gateway', async () => {
      const document = await crm.call<{ paths: Record<string, unknown> }>('GET', '/docs-json');
      expect(document.status).toBe(200);
      expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/api/v1/contacts', '/api/v1/contacts/{id}', '/api/v1/companies', '/api/v1/companies/{id}/contacts']));
      const ui = await crm.call('GET', '/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toMatch(/swagger/i);
    });

    it('passes the correlation id through to the events', async () => {
      const t = uniqueTenant('corr');
      const created = await crm.call<Contact>('POST', '/api/v1/contacts', { tenant: t, body: { firstName: 'Traced' }, headers: { 'x-correlation-id': 'journey-42' } });
      const history = await crm.call<{ items: { correlationId: string; causationId: string }[] }>('GET', `/api/v1/contacts/${created.body.id}/history`, { tenant: t });
      expect(history.body.items[0].correlationId).toBe('journey-42');
      expect(history.body.items[0].causationId).toBe(created.headers['x-request-id']);
    });

    it('rebuilds the list read models from event 0 on the operator route, which the gateway does not expose', async () => {
      const t = uniqueTenant('rebuild');
      let token = '';
      for (const firstName of ['Replay', 'Replayed', 'Replaying']) token = (await createContact(t, { firstName })).headers['x-consistency-token'];
      await crm.call('GET', '/api/v1/contacts', { tenant: t, headers: { 'x-consistency-token': token } });

      expect((await crm.call('POST', '/admin/read-models/rebuild')).status).toBe(404);
      const rebuilt = await callUrl<{ events: number; position: number }>(`http://127.0.0.1:${crm.ports.contacts}/admin/read-models/rebuild`, 'POST');
      expect(rebuilt.status).toBe(200);
      expect(rebuilt.body.events).toBeGreaterThanOrEqual(3);

      const list = await crm.call<Page<Contact>>('GET', '/api/v1/contacts?q=replay', { tenant: t });
      expect(list.body.items.map((contact) => contact.firstName).sort()).toEqual(['Replay', 'Replayed', 'Replaying']);
    });
  });
}

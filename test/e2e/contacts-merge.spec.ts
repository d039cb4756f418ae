import { RunningCrm } from '../../tools/running-crm';
import { expectProblem, type Page, type Problem, uniqueTenant } from './support';

type DuplicateProblem = Problem & { duplicates?: Duplicate[] };
type Duplicate = { id: string; rule: string };
type Contact = {
  id: string;
  firstName: string;
  lastName: string;
  emails: { address: string; primary: boolean }[];
  phones: { number: string; primary: boolean }[];
  tags: string[];
  title: string | null;
  region: string | null;
  revision: number;
  updatedAt: string;
  duplicates?: Duplicate[];
};
type Rules = { defaultRegion: string | null; rules: { name: string; fields: string[]; enabled: boolean }[]; version: number };
type Entry = { id: string; source: string; type: string };

/** Duplicate rules, duplicate detection, and the merge / unmerge round trip, through the gateway. */
describe('duplicate rules and reversible merge through the gateway', () => {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await RunningCrm.start();
  });

  afterAll(async () => {
    await crm?.stop();
  });

  async function create(t: string, body: Record<string, unknown>, query = '') {
    return crm.call<Contact>('POST', `/api/v1/contacts${query}`, { tenant: t, actor: 'alice', body });
  }

  async function createOk(t: string, body: Record<string, unknown>) {
    const response = await create(t, body);
    expect(response.status).toBe(201);
    return response.body;
  }

  const path = (id: string) => `/api/v1/contacts/${id}`;
  /** A record as a person sees it: the bookkeeping of revisions and write times left out. */
  const comparable = ({ revision: _revision, updatedAt: _updatedAt, ...rest }: Contact) => rest;

  describe('duplicate rules', () => {
    it('starts with the defaults, replaces them under If-Match, and refuses bad rules', async () => {
      const t = uniqueTenant('rules');
      const initial = await crm.call<Rules>('GET', '/api/v1/contacts/duplicate-rules', { tenant: t });
      expect(initial.status).toBe(200);
      expect(initial.headers.etag).toBe('"0"');
      expect(initial.body.rules.map((rule) => rule.name)).toEqual(['same-primary-email', 'same-phone', 'same-name-and-company']);
      expect(initial.body.rules.every((rule) => rule.enabled)).toBe(true);

      const body = { defaultRegion: 'lt', rules: [{ name: 'last-name-and-birthday', fields: ['lastName', 'birthday'] }] };
      const saved = await crm.call<Rules>('PUT', '/api/v1/contacts/duplicate-rules', { tenant: t, body, headers: { 'if-match': '"0"' } });
      expect(saved.status).toBe(200);
      expect(saved.headers.etag).toBe('"1"');
      expect(saved.body).toEqual({ defaultRegion: 'LT', rules: [{ name: 'last-name-and-birthday', fields: ['lastName', 'birthday'], enabled: true }], version: 1 });
      expectProblem(await crm.call('PUT', '/api/v1/contacts/duplicate-rules', { tenant: t, body, headers: { 'if-match': '"0"' } }), 412);
      expect((await crm.call<Rules>('GET', '/api/v1/contacts/duplicate-rules', { tenant: t })).body.version).toBe(1);

      expectProblem(await crm.call('PUT', '/api/v1/contacts/duplicate-rules', { tenant: t, body: { rules: [{ name: 'x', fields: ['shoeSize'] }] } }), 400, ['rules.0.fields.0']);
      expectProblem(await crm.call('PUT', '/api/v1/contacts/duplicate-rules', { tenant: t, body: { rules: 'all' } }), 400, ['rules']);
      expectProblem(await crm.call('PUT', '/api/v1/contacts/duplicate-rules', { tenant: t, body: { defaultRegion: 'XX', rules: [] } }), 400, ['defaultRegion']);
      // Other tenants keep their defaults.
      expect((await crm.call<Rules>('GET', '/api/v1/contacts/duplicate-rules', { tenant: uniqueTenant('rules-other') })).body.version).toBe(0);
    });

    it('names duplicates on create under each default rule, and only then', async () => {
      const t = uniqueTenant('dup-defaults');
      const company = await crm.call<{ id: string }>('POST', '/api/v1/companies', { tenant: t, body: { name: 'Analytical Engines' } });
      const ada = await createOk(t, { firstName: 'Ada', lastName: 'Lovelace', emails: [{ address: 'ada@engines.example' }], companyId: company.body.id });
      const grace = await createOk(t, { firstName: 'Grace', lastName: 'Hopper', phones: [{ number: '+37060012345' }] });
      expect(ada.duplicates).toBeUndefined();
      expect(grace.duplicates).toBeUndefined();

      const byEmail = await create(t, { firstName: 'Someone', emails: [{ address: 'ADA@Engines.example' }] });
      expect(byEmail.status).toBe(201);
      expect(byEmail.body.duplicates).toEqual([{ id: ada.id, rule: 'same-primary-email' }]);

      const byPhone = await create(t, { firstName: 'Amazing', lastName: 'Grace', phones: [{ number: '+370 600 12345' }] });
      expect(byPhone.body.duplicates).toEqual([{ id: grace.id, rule: 'same-phone' }]);

      const byName = await create(t, { firstName: ' ÁDA ', lastName: 'lovelace', companyId: company.body.id });
      expect(byName.body.duplicates).toEqual([{ id: ada.id, rule: 'same-name-and-company' }]);
      // Same name, no company: the rule needs both.
      expect((await create(t, { firstName: 'Ada', lastName: 'Lovelace' })).body.duplicates).toBeUndefined();

      const listed = await crm.call<{ items: Duplicate[] }>('GET', `${path(ada.id)}/duplicates`, { tenant: t });
      expect(listed.status).toBe(200);
      expect(listed.body.items).toEqual(
        [
          { id: byEmail.body.id, rule: 'same-primary-email' },
          { id: byName.body.id, rule: 'same-name-and-company' },
        ].sort((a, b) => a.id.localeCompare(b.id)),
      );
      expectProblem(await crm.call('GET', `${path('nope')}/duplicates`, { tenant: t }), 404);
    });

    it('follows custom rules and can switch the defaults off', async () => {
      const t = uniqueTenant('dup-custom');
      const rules = { rules: [{ name: 'last-name-and-birthday', fields: ['lastName', 'birthday'] }, { name: 'vat', fields: ['customFields.vatId'] }] };
      expect((await crm.call('PUT', '/api/v1/contacts/duplicate-rules', { tenant: t, body: rules })).status).toBe(200);
      const first = await createOk(t, { firstName: 'Charles', lastName: 'Babbage', birthday: '1791-12-26', emails: [{ address: 'cb@example.com' }], customFields: { vatId: 'LT100' } });
      expect((await create(t, { firstName: 'C.', lastName: 'BABBAGE', birthday: '1791-12-26' })).body.duplicates).toEqual([{ id: first.id, rule: 'last-name-and-birthday' }]);
      expect((await create(t, { firstName: 'Other', customFields: { vatId: 'LT100' } })).body.duplicates).toEqual([{ id: first.id, rule: 'vat' }]);
      // The email rule is no longer in the set.
      expect((await create(t, { firstName: 'Mail', emails: [{ address: 'cb@example.com' }] })).body.duplicates).toBeUndefined();
    });

    it('onDuplicate=reject answers 409 naming the duplicates and writes nothing', async () => {
      const t = uniqueTenant('dup-reject');
      const ada = await createOk(t, { firstName: 'Ada', emails: [{ address: 'ada@example.com' }] });
      const rejected = await create(t, { firstName: 'Ada Again', emails: [{ address: 'ada@example.com' }] }, '?onDuplicate=reject');
      expectProblem(rejected, 409);
      expect((rejected.body as unknown as DuplicateProblem).duplicates).toEqual([{ id: ada.id, rule: 'same-primary-email' }]);
      const other = await createOk(t, { firstName: 'Unrelated' });
      const token = (await crm.call('PATCH', path(other.id), { tenant: t, body: { title: 'x' } })).headers['x-consistency-token'];
      const list = await crm.call<Page<Contact>>('GET', '/api/v1/contacts', { tenant: t, headers: { 'x-consistency-token': token } });
      expect(list.body.items.map((contact) => contact.firstName).sort()).toEqual(['Ada', 'Unrelated']);
      // Without duplicates, reject creates as usual; an unknown mode is a 400.
      expect((await create(t, { firstName: 'Fresh' }, '?onDuplicate=reject')).status).toBe(201);
      expectProblem(await create(t, { firstName: 'Fresh' }, '?onDuplicate=maybe'), 400, ['onDuplicate']);
    });
  });

  describe('merge and unmerge', () => {
    it('merges, redirects the source, follows the timeline, and unmerges back exactly', async () => {
      const t = uniqueTenant('merge');
      const a = await createOk(t, { firstName: 'Ada', lastName: 'Lovelace', emails: [{ address: 'ada@example.com' }], tags: ['vip'] });
      const b = await createOk(t, {
        firstName: 'Augusta',
        lastName: 'King',
        emails: [{ address: 'augusta@example.com' }],
        phones: [{ number: '+37060012345' }],
        title: 'Analyst',
        tags: ['math', 'vip'],
      });
      // Edits before the merge are part of what must come back.
      await crm.call('PATCH', path(a.id), { tenant: t, body: { title: 'Countess' } });
      await crm.call('PATCH', path(b.id), { tenant: t, body: { industry: 'Computing' } });
      const note = await crm.call<{ id: string }>('POST', `${path(b.id)}/interactions`, { tenant: t, body: { kind: 'note', body: 'Met at a ball' } });
      expect(note.status).toBe(201);
      const beforeA = (await crm.call<Contact>('GET', path(a.id), { tenant: t })).body;
      const beforeB = (await crm.call<Contact>('GET', path(b.id), { tenant: t })).body;

      expectProblem(await crm.call('POST', `${path(a.id)}/merge`, { tenant: t, body: { sourceId: b.id }, headers: { 'if-match': '"0"' } }), 412);
      const merged = await crm.call<Contact>('POST', `${path(a.id)}/merge`, {
        tenant: t,
        body: { sourceId: b.id, fieldChoices: { name: 'source', primaryEmail: 'source' } },
        headers: { 'if-match': `"${beforeA.revision}"` },
      });
      expect(merged.status).toBe(200);
      expect(merged.headers.etag).toBe(`"${merged.body.revision}"`);
      expect(merged.body).toMatchObject({ id: a.id, firstName: 'Augusta', lastName: 'King', title: 'Countess', industry: 'Computing' });
      expect(merged.body.emails).toEqual([
        { address: 'ada@example.com', primary: false },
        { address: 'augusta@example.com', primary: true },
      ]);
      expect(merged.body.phones).toEqual([{ number: '+37060012345', primary: true }]);
      expect(merged.body.tags).toEqual(['vip', 'math']);

      const redirected = await crm.call<{ mergedInto: string }>('GET', path(b.id), { tenant: t });
      expect(redirected.status).toBe(308);
      expect(redirected.headers.location).toBe(path(a.id));
      expect(redirected.body.mergedInto).toBe(a.id);
      expect((await crm.call('GET', `${path(b.id)}/duplicates`, { tenant: t })).status).toBe(308);
      // The source is frozen while merged.
      expectProblem(await crm.call('PATCH', path(b.id), { tenant: t, body: { title: 'x' } }), 409);
      // Its history is still there.
      expect((await crm.call<{ items: { type: string }[] }>('GET', `${path(b.id)}/history`, { tenant: t })).body.items.map((entry) => entry.type)).toContain('ContactMergedInto');

      const token = merged.headers['x-consistency-token'];
      const list = await crm.call<Page<Contact>>('GET', '/api/v1/contacts', { tenant: t, headers: { 'x-consistency-token': token } });
      expect(list.body.items.map((contact) => contact.id)).toEqual([a.id]);
      const timeline = await crm.call<Page<Entry>>('GET', `${path(a.id)}/timeline?source=interaction`, { tenant: t, headers: { 'x-consistency-token': token } });
      expect(timeline.body.items.map((entry) => entry.id)).toEqual([`interaction:${note.body.id}`]);

      // An edit of the survivor after the merge, on a field the merge did not touch: the unmerge keeps it.
      const edited = await crm.call<Contact>('PATCH', path(a.id), { tenant: t, body: { region: 'EMEA' } });
      expectProblem(await crm.call('POST', `${path(a.id)}/unmerge`, { tenant: t, body: { sourceId: b.id }, headers: { 'if-match': `"${merged.body.revision}"` } }), 412);
      const unmerged = await crm.call<Contact>('POST', `${path(a.id)}/unmerge`, { tenant: t, body: { sourceId: b.id }, headers: { 'if-match': `"${edited.body.revision}"` } });
      expect(unmerged.status).toBe(200);

      const afterA = (await crm.call<Contact>('GET', path(a.id), { tenant: t })).body;
      const afterB = await crm.call<Contact>('GET', path(b.id), { tenant: t });
      expect(afterB.status).toBe(200);
      expect(comparable(afterA)).toEqual({ ...comparable(beforeA), region: 'EMEA' });
      expect(comparable(afterB.body)).toEqual(comparable(beforeB));

      const later = unmerged.headers['x-consistency-token'];
      const listAfter = await crm.call<Page<Contact>>('GET', '/api/v1/contacts?sort=createdAt', { tenant: t, headers: { 'x-consistency-token': later } });
      expect(listAfter.body.items.map((contact) => contact.id)).toEqual([a.id, b.id]);
      const timelineAfter = await crm.call<Page<Entry>>('GET', `${path(a.id)}/timeline?source=interaction`, { tenant: t, headers: { 'x-consistency-token': later } });
      expect(timelineAfter.body.items).toEqual([]);
      // Merged again, the same way: merges stay repeatable after an unmerge.
      expect((await crm.call('POST', `${path(a.id)}/merge`, { tenant: t, body: { sourceId: b.id } })).status).toBe(200);
    });

    it('refuses bad merges with problem+json', async () => {
      const t = uniqueTenant('merge-bad');
      const a = await createOk(t, { firstName: 'A' });
      const b = await createOk(t, { firstName: 'B' });
      const c = await createOk(t, { firstName: 'C' });
      expectProblem(await crm.call('POST', `${path(a.id)}/merge`, { tenant: t, body: {} }), 400, ['sourceId']);
      expectProblem(await crm.call('POST', `${path(a.id)}/merge`, { tenant: t, body: { sourceId: 'no/such' } }), 400, ['sourceId']);
      expectProblem(await crm.call('POST', `${path(a.id)}/merge`, { tenant: t, body: { sourceId: a.id } }), 400, ['sourceId']);
      expectProblem(await crm.call('POST', `${path(a.id)}/merge`, { tenant: t, body: { sourceId: 'missing' } }), 404);
      expectProblem(await crm.call('POST', `${path('missing')}/merge`, { tenant: t, body: { sourceId: b.id } }), 404);
      expectProblem(await crm.call('POST', `${path(a.id)}/merge`, { tenant: t, body: { sourceId: b.id, fieldChoices: { shoeSize: 'source' } } }), 400, ['fieldChoices.shoeSize']);
      expectProblem(await crm.call('POST', `${path(a.id)}/merge`, { tenant: t, body: { sourceId: b.id, fieldChoices: { title: 'both' } } }), 400, ['fieldChoices.title']);
      expectProblem(await crm.call('POST', `${path(a.id)}/unmerge`, { tenant: t, body: { sourceId: b.id } }), 409);
      expectProblem(await crm.call('POST', `${path(a.id)}/unmerge`, { tenant: t, body: {} }), 400, ['sourceId']);

      expect((await crm.call('POST', `${path(a.id)}/merge`, { tenant: t, body: { sourceId: b.id } })).status).toBe(200);
      // A source merged once cannot be merged again elsewhere; a merged contact takes no merges.
      expectProblem(await crm.call('POST', `${path(c.id)}/merge`, { tenant: t, body: { sourceId: b.id } }), 409);
      expectProblem(await crm.call('POST', `${path(b.id)}/merge`, { tenant: t, body: { sourceId: c.id } }), 409);
      // Another tenant sees none of it.
      expectProblem(await crm.call('POST', `${path(a.id)}/unmerge`, { tenant: uniqueTenant('merge-other'), body: { sourceId: b.id } }), 404);
    });
  });

  it('lists the routes in the merged OpenAPI document at the gateway', async () => {
    const document = await crm.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json');
    expect(document.status).toBe(200);
    const paths = document.body.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/api/v1/contacts/duplicate-rules', '/api/v1/contacts/{id}/duplicates', '/api/v1/contacts/{id}/merge', '/api/v1/contacts/{id}/unmerge']),
    );
    expect(Object.keys(paths['/api/v1/contacts/duplicate-rules']).sort()).toEqual(['get', 'put']);
    const createParameters = (paths['/api/v1/contacts'].post as { parameters?: { name: string }[] }).parameters ?? [];
    expect(createParameters.map((parameter) => parameter.name)).toContain('onDuplicate');
  });
});

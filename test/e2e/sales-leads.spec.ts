import { eventually } from '@crm/testing';
import { type HttpResponse, RunningCrm } from '../../tools/running-crm';
import { expectProblem, type Page, uniqueTenant } from './support';

type Conversion = {
  leadId: string;
  status: 'pending' | 'converted' | 'failed';
  contactId: string;
  companyId: string | null;
  dealId: string | null;
  failureReason: string | null;
};
type Lead = {
  id: string;
  name: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  companyName: string | null;
  title: string | null;
  region: string | null;
  industry: string | null;
  country: string | null;
  source: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  campaignId: string | null;
  ownerId: string | null;
  territoryId: string | null;
  status: 'new' | 'qualified' | 'disqualified' | 'converted';
  statusReason: string | null;
  capturedVia: 'api' | 'web-form';
  webFormId: string | null;
  conversion: Omit<Conversion, 'leadId'> | null;
  revision: number;
  createdAt: string;
};
type HistoryEntry = { type: string; actorId: string; correlationId: string; causationId: string; changedFields: string[]; data: Record<string, unknown> };
type Territory = { id: string; name: string; rank: number; assignment: string; ownerIds: string[]; revision: number };

/** Leads, web forms, territories and the lead conversion saga (sales → contacts → sales) through the gateway. */
describe('sales leads, web forms, territories and conversion through the gateway', () => {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await RunningCrm.start();
  });

  afterAll(async () => {
    await crm?.stop();
  });

  const capture = (t: string, body: Record<string, unknown>, actor = 'alice') => crm.call<Lead>('POST', '/api/v1/leads', { tenant: t, actor, body });
  const lead = (t: string, id: string) => crm.call<Lead>('GET', `/api/v1/leads/${id}`, { tenant: t });
  const history = async (t: string, path: string) => (await crm.call<{ items: HistoryEntry[] }>('GET', `${path}/history`, { tenant: t })).body.items;
  const listLeads = (t: string, query = '', token?: string) =>
    crm.call<Page<Lead>>('GET', `/api/v1/leads${query ? `?${query}` : ''}`, { tenant: t, headers: token ? { 'x-consistency-token': token } : {} });

  /** Every lead of a tenant, once everything written so far is in the list. */
  async function allLeads(t: string): Promise<Lead[]> {
    const marker = await capture(t, { email: `marker-${Math.random()}@example.com`, source: 'marker' });
    const page = await listLeads(t, 'limit=200', marker.headers['x-consistency-token']);
    return page.body.items.filter((item) => item.source !== 'marker');
  }

  it('captures a lead with source and campaign attribution, lists it by filters, and keeps its history', async () => {
    const t = uniqueTenant('leads');
    const created = await capture(t, {
      name: 'Ada Lovelace',
      email: 'ADA@example.com',
      phone: '+370 600 12345',
      companyName: 'Analytical Engines',
      title: 'CTO',
      region: 'EMEA',
      industry: 'Software',
      country: 'lt',
      source: 'trade-show',
      utmSource: 'newsletter',
      utmMedium: 'email',
      utmCampaign: 'spring-launch',
      utmTerm: 'engines',
      utmContent: 'banner',
      campaignId: 'spring-26',
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/v1/leads/${created.body.id}`);
    expect(created.headers.etag).toBe('"0"');
    expect(created.body).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+37060012345',
      country: 'LT',
      status: 'new',
      capturedVia: 'api',
      utmCampaign: 'spring-launch',
      campaignId: 'spring-26',
      conversion: null,
    });
    const id = created.body.id;
    const token = created.headers['x-consistency-token'];

    for (const query of ['status=new', 'source=trade-show', 'campaignId=spring-26', 'q=ada', 'q=analytical', 'q=ADA%40EXAMPLE']) {
      expect((await listLeads(t, query, token)).body.items.map((item) => item.id)).toEqual([id]);
    }
    expect((await listLeads(t, 'status=qualified', token)).body.items).toEqual([]);
    expect((await listLeads(t, 'campaignId=other', token)).body.items).toEqual([]);

    const changed = await crm.call<Lead>('PATCH', `/api/v1/leads/${id}`, { tenant: t, actor: 'bob', headers: { 'if-match': '"0"' }, body: { title: 'CEO', utmTerm: null } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).toBe('"1"');
    expect(changed.body).toMatchObject({ title: 'CEO', utmTerm: null });
    expectProblem(await crm.call('PATCH', `/api/v1/leads/${id}`, { tenant: t, headers: { 'if-match': '"0"' }, body: { title: 'CFO' } }), 412);

    expect((await crm.call<Lead>('GET', `/api/v1/leads/${id}?asOf=${encodeURIComponent(created.body.createdAt)}`, { tenant: t })).body.title).toBe('CTO');
    expect((await lead(t, id)).body.title).toBe('CEO');

    const entries = await history(t, `/api/v1/leads/${id}`);
    expect(entries.map((entry) => [entry.type, entry.actorId])).toEqual([
      ['LeadCaptured', 'alice'],
      ['LeadDetailsChanged', 'bob'],
    ]);
    expect(entries[1].changedFields.sort()).toEqual(['title', 'utmTerm']);
  });

  it('pages through leads with a cursor', async () => {
    const t = uniqueTenant('leads-page');
    for (let index = 0; index < 5; index++) await capture(t, { email: `lead${index}@example.com` });
    const marker = await capture(t, { email: 'last@example.com' });
    const first = await listLeads(t, 'limit=4', marker.headers['x-consistency-token']);
    expect(first.body.items).toHaveLength(4);
    const second = await listLeads(t, `limit=4&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();
  });

  it('qualifies and disqualifies leads (a reason is required to disqualify), and refuses invalid transitions', async () => {
    const t = uniqueTenant('leads-status');
    const { id } = (await capture(t, { name: 'Grace Hopper', email: 'grace@example.com' })).body;

    const qualified = await crm.call<Lead>('POST', `/api/v1/leads/${id}/qualify`, { tenant: t, body: { reason: 'Budget confirmed' } });
    expect(qualified.status).toBe(200);
    expect(qualified.body).toMatchObject({ status: 'qualified', statusReason: 'Budget confirmed' });

    expectProblem(await crm.call('POST', `/api/v1/leads/${id}/disqualify`, { tenant: t, body: {} }), 400, ['reason']);
    expectProblem(await crm.call('POST', `/api/v1/leads/${id}/disqualify`, { tenant: t, body: { reason: '' } }), 400, ['reason']);
    expect((await lead(t, id)).body).toMatchObject({ status: 'qualified', revision: 1 });

    const disqualified = await crm.call<Lead>('POST', `/api/v1/leads/${id}/disqualify`, { tenant: t, body: { reason: 'No budget after all' } });
    expect(disqualified.body).toMatchObject({ status: 'disqualified', statusReason: 'No budget after all' });
    expect((await listLeads(t, 'status=disqualified', disqualified.headers['x-consistency-token'])).body.items.map((item) => item.id)).toEqual([id]);

    // A disqualified lead cannot be converted (409), and nothing is recorded.
    expectProblem(await crm.call('POST', `/api/v1/leads/${id}/convert`, { tenant: t, body: {} }), 409);
    expect((await lead(t, id)).body).toMatchObject({ revision: 2, conversion: null });
    expectProblem(await crm.call('GET', `/api/v1/leads/${id}/conversion`, { tenant: t }), 404);

    expectProblem(await crm.call('POST', '/api/v1/leads/no-such-lead/qualify', { tenant: t, body: {} }), 404);
  });

  it('answers bad input with 4xx problem+json and stores nothing', async () => {
    const t = uniqueTenant('leads-bad');
    expectProblem(await capture(t, { name: 'A', email: 'not-an-email' }), 400, ['email']);
    expectProblem(await capture(t, { companyName: 'Nobody' }), 400, ['name', 'email']);
    expectProblem(await capture(t, { name: 'A', phone: '12' }), 400, ['phone']);
    expectProblem(await capture(t, { name: 'A', country: 'Lithuania' }), 400, ['country']);
    expectProblem(await capture(t, { name: 'A', favouriteColour: 'blue' }), 400);
    expectProblem(await capture(t, { name: 42 }), 400, ['name']);
    expectProblem(await crm.call('POST', '/api/v1/leads', { tenant: t, rawBody: '{"name": ', headers: { 'content-type': 'application/json' } }), 400);
    expectProblem(await listLeads(t, 'limit=500'), 400, ['limit']);
    expectProblem(await listLeads(t, 'status=hot'), 400, ['status']);
    expectProblem(await listLeads(t, 'cursor=garbage'), 400, ['cursor']);
    expectProblem(await lead(t, 'no-such-lead'), 404);
    expectProblem(await lead(t, 'bad id!'), 404);
    expectProblem(await crm.call('GET', '/api/v1/leads/x/history', { tenant: t }), 404);

    const { id } = (await capture(t, { name: 'Valid Lead', companyName: 'Acme' })).body;
    const convert = (body: unknown) => crm.call('POST', `/api/v1/leads/${id}/convert`, { tenant: t, body });
    expectProblem(await convert({ deal: { title: 'D', pipelineId: 'p', stageId: 's', amount: 100, currency: 'EUR' } }), 400, ['deal.amount']);
    expectProblem(await convert({ deal: { title: 'D', pipelineId: 'p', stageId: 's', amount: '100', currency: 'EURO' } }), 400, ['deal.currency']);
    expectProblem(await convert({ deal: { title: 'D', pipelineId: 'no-such-pipeline', stageId: 's', amount: '100', currency: 'EUR' } }), 400, ['deal.pipelineId']);
    expectProblem(await convert({ createCompany: 'yes' }), 400, ['createCompany']);
    const nameless = (await capture(t, { email: 'nameless@example.com' })).body.id;
    expectProblem(await crm.call('POST', `/api/v1/leads/${nameless}/convert`, { tenant: t, body: {} }), 400, ['name']);
    const companyless = (await capture(t, { name: 'No Company' })).body.id;
    expectProblem(await crm.call('POST', `/api/v1/leads/${companyless}/convert`, { tenant: t, body: { createCompany: true } }), 400, ['createCompany']);

    expect((await lead(t, id)).body).toMatchObject({ revision: 0, conversion: null });
    expect((await allLeads(t)).map((item) => item.name).sort()).toEqual(['', 'No Company', 'Valid Lead']);
  });

  describe('web forms', () => {
    const form = async (t: string, body: Record<string, unknown> = {}) => {
      const response = await crm.call<{ id: string }>('POST', '/api/v1/web-forms', {
        tenant: t,
        body: {
          name: 'Contact us',
          fields: { 'your-name': 'name', 'your-email': 'email', company: 'companyName', phone: 'phone' },
          defaultSource: 'website',
          defaultCampaignId: 'spring-26',
          allowedOrigins: ['https://www.example.com'],
          ...body,
        },
      });
      expect(response.status).toBe(201);
      return response.body.id;
    };
    const submit = (t: string | undefined, formId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      crm.call<{ submissionId: string }>('POST', `/api/v1/web-forms/${formId}/submissions`, { tenant: t, body, headers });

    it('creates a form and captures leads from JSON and form-encoded submissions', async () => {
      const t = uniqueTenant('forms');
      const formId = await form(t);
      expect((await crm.call('GET', `/api/v1/web-forms/${formId}`, { tenant: t })).body).toMatchObject({ id: formId, honeypotField: '_hp', defaultSource: 'website' });

      const json = await submit(t, formId, { 'your-name': 'Ada Lovelace', 'your-email': 'ada@example.com', company: 'Engines', utm_source: 'newsletter', submit: 'Send' }, { origin: 'https://www.example.com' });
      expect(json.status).toBe(202);
      expect((await lead(t, json.body.submissionId)).body).toMatchObject({
        firstName: 'Ada',
        lastName: 'Lovelace',
        companyName: 'Engines',
        source: 'website',
        campaignId: 'spring-26',
        utmSource: 'newsletter',
        capturedVia: 'web-form',
        webFormId: formId,
      });
      expect((await history(t, `/api/v1/leads/${json.body.submissionId}`))[0].actorId).toBe(`web-form:${formId}`);

      // A plain HTML form: form-encoded, no headers of its own, so the tenant comes in the query.
      const encoded = await crm.call<{ submissionId: string }>('POST', `/api/v1/web-forms/${formId}/submissions?tenant=${t}`, {
        rawBody: 'your-name=Grace+Hopper&your-email=grace%40example.com&utm_campaign=autumn&campaign_id=autumn-26',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(encoded.status).toBe(202);
      expect((await lead(t, encoded.body.submissionId)).body).toMatchObject({ name: 'Grace Hopper', email: 'grace@example.com', utmCampaign: 'autumn', campaignId: 'autumn-26' });
    });

    it('drops honeypot submissions quietly, and refuses bad submissions with problem+json, storing nothing', async () => {
      const t = uniqueTenant('forms-bad');
      const formId = await form(t);

      const spam = await submit(t, formId, { 'your-email': 'bot@spam.example', _hp: 'http://spam.example' });
      expect(spam.status).toBe(202);
      expect(spam.body.submissionId).toEqual(expect.any(String));
      expectProblem(await lead(t, spam.body.submissionId), 404);

      expectProblem(await submit(t, formId, { 'your-name': 'A', 'your-email': 'not-an-email' }), 400, ['your-email']);
      expectProblem(await submit(t, formId, { company: 'Only a company' }), 400, ['your-name', 'your-email']);
      expectProblem(await submit(t, formId, { 'your-email': ['a@b.co', 'c@d.co'] }), 400, ['your-email']);
      expectProblem(await submit(t, formId, { 'your-email': 'ada@example.com' }, { origin: 'https://evil.example' }), 403);
      expectProblem(await submit(t, 'no-such-form', { 'your-email': 'ada@example.com' }), 404);
      expectProblem(
        await crm.call('POST', `/api/v1/web-forms/${formId}/submissions`, { tenant: t, rawBody: 'your-email=x', headers: { 'content-type': 'text/plain' } }),
        415,
      );
      expect(await allLeads(t)).toEqual([]);

      expectProblem(await crm.call('POST', '/api/v1/web-forms', { tenant: t, body: { name: 'F', fields: { email: 'mail' } } }), 400, ['fields.email']);
      expectProblem(await crm.call('POST', '/api/v1/web-forms', { tenant: t, body: { name: 'F', fields: { email: 'email' }, allowedOrigins: ['example.com'] } }), 400, ['allowedOrigins.0']);
      expectProblem(await crm.call('POST', '/api/v1/web-forms', { tenant: t, body: { fields: { email: 'email' } } }), 400, ['name']);
    });
  });

  it('assigns new leads to owners by territory rules, handing a rotation out in turn', async () => {
    const t = uniqueTenant('territories');
    const territory = (body: Record<string, unknown>) => crm.call<Territory>('POST', '/api/v1/territories', { tenant: t, actor: 'admin', body });
    const emea = await territory({ name: 'EMEA', rank: 10, regions: ['EMEA'], ownerId: 'olga' });
    expect(emea.status).toBe(201);
    const software = await territory({ name: 'Software', rank: 20, industries: ['Software'], ownerIds: ['piotr', 'rita'] });
    expect(software.body).toMatchObject({ assignment: 'round_robin', ownerIds: ['piotr', 'rita'] });
    await territory({ name: 'Deals only', rank: 5, appliesTo: ['deal'], ownerId: 'dave' });

    expect((await capture(t, { name: 'In EMEA', region: 'emea', industry: 'Software' })).body).toMatchObject({ ownerId: 'olga', territoryId: emea.body.id });
    const rotated: (string | null)[] = [];
    for (let index = 0; index < 3; index++) rotated.push((await capture(t, { name: `Soft ${index}`, region: 'APAC', industry: 'software' })).body.ownerId);
    expect(rotated).toEqual(['piotr', 'rita', 'piotr']);
    expect((await capture(t, { name: 'Nowhere', region: 'APAC', industry: 'Retail' })).body).toMatchObject({ ownerId: null, territoryId: null });
    expect((await capture(t, { name: 'Chosen', region: 'EMEA', ownerId: 'zoe' })).body).toMatchObject({ ownerId: 'zoe', territoryId: null });

    const listed = await crm.call<{ items: Territory[] }>('GET', '/api/v1/territories', { tenant: t });
    expect(listed.body.items.map((item) => item.name)).toEqual(['Deals only', 'EMEA', 'Software']);

    expectProblem(await crm.call('PATCH', `/api/v1/territories/${emea.body.id}`, { tenant: t, headers: { 'if-match': '"5"' }, body: { ownerId: 'x' } }), 412);
    const moved = await crm.call<Territory>('PATCH', `/api/v1/territories/${emea.body.id}`, { tenant: t, headers: { 'if-match': '"0"' }, body: { rank: 30 } });
    expect(moved.body).toMatchObject({ rank: 30, revision: 1 });
    // Software (rank 20) now comes before EMEA (rank 30), and its rotation goes on where it was.
    expect((await capture(t, { name: 'Both', region: 'EMEA', industry: 'Software' })).body.ownerId).toBe('rita');

    expect((await crm.call('DELETE', `/api/v1/territories/${software.body.id}`, { tenant: t })).status).toBe(204);
    expectProblem(await crm.call('GET', `/api/v1/territories/${software.body.id}`, { tenant: t }), 404);
    expect((await capture(t, { name: 'After', region: 'EMEA', industry: 'Software' })).body.ownerId).toBe('olga');
    expect((await history(t, `/api/v1/territories/${emea.body.id}`)).map((entry) => entry.type)).toEqual(['TerritoryCreated', 'TerritoryChanged']);

    expectProblem(await territory({ name: 'No owner', regions: ['EMEA'] }), 400, ['ownerIds']);
    expectProblem(await territory({ name: 'Both', ownerId: 'a', ownerIds: ['b'] }), 400, ['ownerIds']);
    expectProblem(await territory({ name: 'Bad', ownerId: 'a', countries: ['Lithuania'] }), 400, ['countries']);
    expectProblem(await territory({ name: 'Bad', ownerId: 'a', appliesTo: ['ticket'] }), 400, ['appliesTo']);
    expectProblem(await territory({ name: 'Bad', ownerId: 'a', rank: 'first' }), 400, ['rank']);
    expect((await crm.call<{ items: Territory[] }>('GET', '/api/v1/territories', { tenant: t })).body.items).toHaveLength(2);
  });

  describe('conversion', () => {
    async function pipeline(t: string) {
      const response = await crm.call<{ id: string; stages: { stageId: string; name: string }[] }>('POST', '/api/v1/pipelines', {
        tenant: t,
        body: { name: 'New business', stages: [{ name: 'Qualify', probability: 10 }, { name: 'Won', type: 'won' }, { name: 'Lost', type: 'lost' }] },
      });
      expect(response.status).toBe(201);
      return { pipelineId: response.body.id, stageId: response.body.stages[0].stageId, wonStageId: response.body.stages[1].stageId };
    }

    /** The convert call answers 200 when done within its wait, else 202 with the status URL to follow. */
    async function converted(t: string, response: HttpResponse<Conversion>): Promise<Conversion> {
      expect([200, 202]).toContain(response.status);
      if (response.status === 200) return response.body;
      expect(response.headers.location).toBe(`/api/v1/leads/${response.body.leadId}/conversion`);
      return eventually(
        async () => {
          const status = await crm.call<Conversion>('GET', response.headers.location, { tenant: t });
          return status.body.status === 'converted' ? status.body : undefined;
        },
        { timeoutMs: 30_000, description: 'the conversion to finish' },
      );
    }

    it('turns a lead into a contact and company in contacts and a deal here, once, visible in both histories', async () => {
      const t = uniqueTenant('convert');
      const { pipelineId, stageId } = await pipeline(t);
      const created = await capture(t, {
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        phone: '+37060012345',
        companyName: 'Analytical Engines',
        title: 'CTO',
        region: 'EMEA',
        industry: 'Software',
        country: 'LT',
        ownerId: 'olga',
      });
      const leadId = created.body.id;
      await crm.call('POST', `/api/v1/leads/${leadId}/qualify`, { tenant: t, body: {} });
      const body = { createCompany: true, deal: { title: 'Engines for Ada', pipelineId, stageId, amount: '12500.5', currency: 'eur', expectedCloseDate: '2026-12-31' } };

      const conversion = await converted(t, await crm.call<Conversion>('POST', `/api/v1/leads/${leadId}/convert`, { tenant: t, actor: 'alice', body }));
      expect(conversion).toMatchObject({ leadId, status: 'converted', contactId: expect.any(String), companyId: expect.any(String), dealId: expect.any(String) });
      const { contactId, companyId, dealId } = conversion as Required<Conversion> & { companyId: string; dealId: string };

      // The contacts service has the contact and the company, with exactly those ids.
      const contact = await crm.call<Record<string, unknown>>('GET', `/api/v1/contacts/${contactId}`, { tenant: t });
      expect(contact.status).toBe(200);
      expect(contact.body).toMatchObject({
        id: contactId,
        firstName: 'Ada',
        lastName: 'Lovelace',
        emails: [{ address: 'ada@example.com', primary: true }],
        phones: [{ number: '+37060012345', primary: true }],
        companyId,
        title: 'CTO',
        ownerId: 'olga',
        source: `lead:${leadId}`,
      });
      expect((await crm.call('GET', `/api/v1/companies/${companyId}`, { tenant: t })).body).toMatchObject({ id: companyId, name: 'Analytical Engines', industry: 'Software' });

      // The deal is here, linked to both, owned by the lead's owner.
      const deal = await crm.call<Record<string, unknown>>('GET', `/api/v1/deals/${dealId}`, { tenant: t });
      expect(deal.status).toBe(200);
      expect(deal.body).toMatchObject({ id: dealId, title: 'Engines for Ada', pipelineId, stageId, amount: '12500.50', currency: 'EUR', contactId, companyId, ownerId: 'olga', expectedCloseDate: '2026-12-31' });

      // Both histories show the conversion, in one conversation started by alice's request.
      const leadHistory = await history(t, `/api/v1/leads/${leadId}`);
      expect(leadHistory.map((entry) => entry.type)).toEqual(['LeadCaptured', 'LeadQualified', 'LeadConversionRequested', 'LeadConverted']);
      const [requested, done] = leadHistory.slice(2);
      expect(done).toMatchObject({ actorId: 'alice', correlationId: requested.correlationId });
      const contactHistory = await history(t, `/api/v1/contacts/${contactId}`);
      expect(contactHistory).toHaveLength(1);
      expect(contactHistory[0]).toMatchObject({ type: 'ContactCreated', actorId: 'alice', correlationId: requested.correlationId, data: expect.objectContaining({ source: `lead:${leadId}` }) });
      // Caused by the integration event (not by alice's HTTP request, which caused the lead's request event).
      expect(contactHistory[0].causationId).not.toBe(requested.causationId);
      expect(contactHistory[0].causationId).toMatch(/^[0-9a-f-]{36}$/);
      const dealHistory = await history(t, `/api/v1/deals/${dealId}`);
      expect(dealHistory[0]).toMatchObject({ type: 'DealCreated', actorId: 'alice', correlationId: requested.correlationId, causationId: done.causationId });

      // Retrying creates nothing twice and answers with the same ids.
      const retried = await crm.call<Conversion>('POST', `/api/v1/leads/${leadId}/convert`, { tenant: t, actor: 'alice', body });
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ status: 'converted', contactId, companyId, dealId });
      expect((await history(t, `/api/v1/leads/${leadId}`)).length).toBe(4);
      expect(await history(t, `/api/v1/contacts/${contactId}`)).toHaveLength(1);
      expect((await crm.call<Conversion>('GET', `/api/v1/leads/${leadId}/conversion`, { tenant: t })).body).toMatchObject({ status: 'converted', dealId });
      const contacts = await crm.call<Page<{ id: string }>>('GET', '/api/v1/contacts?email=ada%40example.com', { tenant: t });
      expect(contacts.body.items.map((item) => item.id)).toEqual([contactId]);
      const deals = await eventually(async () => {
        const page = await crm.call<Page<{ id: string }>>('GET', `/api/v1/deals?contactId=${contactId}`, { tenant: t });
        return page.body.items.length > 0 ? page.body.items : undefined;
      });
      expect(deals.map((item) => item.id)).toEqual([dealId]);

      // A converted lead is history.
      expect((await lead(t, leadId)).body).toMatchObject({ status: 'converted', conversion: { status: 'converted', contactId, companyId, dealId } });
      expectProblem(await crm.call('PATCH', `/api/v1/leads/${leadId}`, { tenant: t, body: { title: 'CEO' } }), 409);
      expectProblem(await crm.call('POST', `/api/v1/leads/${leadId}/disqualify`, { tenant: t, body: { reason: 'changed mind' } }), 409);
      expect((await listLeads(t, 'status=converted', retried.headers['x-consistency-token'])).body.items.map((item) => item.id)).toEqual([leadId]);
    });

    it('converts a lead into a contact only, and refuses a deal that could not be created before anything happens', async () => {
      const t = uniqueTenant('convert-plain');
      const { pipelineId, wonStageId } = await pipeline(t);
      const { id: leadId } = (await capture(t, { firstName: 'Grace', email: 'grace@example.com' })).body;

      expectProblem(
        await crm.call('POST', `/api/v1/leads/${leadId}/convert`, { tenant: t, body: { deal: { title: 'D', pipelineId, stageId: wonStageId, amount: '1', currency: 'EUR' } } }),
        400,
        ['deal.stageId'],
      );
      expect((await lead(t, leadId)).body.conversion).toBeNull();

      const conversion = await converted(t, await crm.call<Conversion>('POST', `/api/v1/leads/${leadId}/convert`, { tenant: t, body: {} }));
      expect(conversion).toMatchObject({ status: 'converted', companyId: null, dealId: null });
      expect((await crm.call('GET', `/api/v1/contacts/${conversion.contactId}`, { tenant: t })).body).toMatchObject({ firstName: 'Grace', companyId: null, source: `lead:${leadId}` });
    });

    it('answers 202 while the contacts service is unresponsive, and finishes the conversion after a restart', async () => {
      const t = uniqueTenant('convert-later');
      const { pipelineId, stageId } = await pipeline(t);
      const { id: leadId } = (await capture(t, { name: 'Katherine Johnson', companyName: 'NACA' })).body;
      const contactsPid = crm.servicePid('contacts')!;
      process.kill(contactsPid, 'SIGSTOP');
      let pending: HttpResponse<Conversion>;
      try {
        pending = await crm.call<Conversion>('POST', `/api/v1/leads/${leadId}/convert`, {
          tenant: t,
          body: { createCompany: true, deal: { title: 'Orbits', pipelineId, stageId, amount: '1', currency: 'USD' } },
        });
      } finally {
        process.kill(contactsPid, 'SIGCONT');
      }
      expect(pending.status).toBe(202);
      expect(pending.headers.location).toBe(`/api/v1/leads/${leadId}/conversion`);
      expect(pending.body).toMatchObject({ status: 'pending', contactId: expect.any(String), dealId: expect.any(String) });

      await crm.stop({ keepData: true });
      crm = await RunningCrm.start(crm.dataDir);
      const done = await converted(t, pending);
      expect(done).toMatchObject({ contactId: pending.body.contactId, companyId: pending.body.companyId, dealId: pending.body.dealId });
      expect((await crm.call('GET', `/api/v1/deals/${done.dealId}`, { tenant: t })).body).toMatchObject({ title: 'Orbits', contactId: done.contactId });
      expect(await history(t, `/api/v1/contacts/${done.contactId}`)).toHaveLength(1);
    });
  });

  it('documents every route in the gateway OpenAPI', async () => {
    const document = await crm.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json');
    const routes = {
      '/api/v1/leads': ['get', 'post'],
      '/api/v1/leads/{id}': ['get', 'patch'],
      '/api/v1/leads/{id}/history': ['get'],
      '/api/v1/leads/{id}/qualify': ['post'],
      '/api/v1/leads/{id}/disqualify': ['post'],
      '/api/v1/leads/{id}/convert': ['post'],
      '/api/v1/leads/{id}/conversion': ['get'],
      '/api/v1/web-forms': ['post'],
      '/api/v1/web-forms/{id}': ['get'],
      '/api/v1/web-forms/{id}/submissions': ['post'],
      '/api/v1/territories': ['get', 'post'],
      '/api/v1/territories/{id}': ['get', 'patch', 'delete'],
      '/api/v1/territories/{id}/history': ['get'],
    };
    for (const [path, methods] of Object.entries(routes)) {
      expect(Object.keys(document.body.paths[path] ?? {})).toEqual(expect.arrayContaining(methods));
    }
  });
});

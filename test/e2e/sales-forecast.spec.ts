import { RunningCrm } from '../../tools/running-crm';
import { expectProblem, type Page, uniqueTenant } from './support';

type Stage = { stageId: string; name: string; probability: number; type: 'open' | 'won' | 'lost' };
type Pipeline = { id: string; stages: Stage[] };
type Deal = { id: string; revision: number };
type Figures = { currency: string; weightedPipeline: string; openPipeline: string; commit: string; bestCase: string; closedWon: string; closedLost: string; openDeals: number; wonDeals: number };
type Forecast = { period: string; asOf: string | null; totals: Figures[]; groups?: { key: string | null; totals: Figures[] }[] };
type Quota = { id: string; ownerId: string; period: string; amount: string; currency: string; revision: number };
type Attainment = { asOf: string | null; items: { ownerId: string; quota: { amount: string; currency: string }; closedWon: string; attainmentPercent: string }[] };

/** The quarter holding today (UTC): deals can only close on or before today, so the journey runs in it. */
function currentQuarter(): string {
  const now = new Date();
  return `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
}

describe('forecast and quotas through the gateway', () => {
  let crm: RunningCrm;
  const today = new Date().toISOString().slice(0, 10);
  const quarter = currentQuarter();

  beforeAll(async () => {
    crm = await RunningCrm.start();
  });

  afterAll(async () => {
    await crm?.stop();
  });

  async function createPipeline(tenant: string): Promise<{ pipelineId: string; stages: Record<string, Stage> }> {
    const response = await crm.call<Pipeline>('POST', '/api/v1/pipelines', {
      tenant,
      body: {
        name: 'New business',
        stages: [
          { name: 'Qualify', probability: 20 },
          { name: 'Proposal', probability: 60 },
          { name: 'Won', type: 'won' },
          { name: 'Lost', type: 'lost' },
        ],
      },
    });
    expect(response.status).toBe(201);
    return { pipelineId: response.body.id, stages: Object.fromEntries(response.body.stages.map((stage) => [stage.name, stage])) };
  }

  async function createDeal(tenant: string, body: Record<string, unknown>): Promise<{ deal: Deal; token: string }> {
    const response = await crm.call<Deal>('POST', '/api/v1/deals', { tenant, actor: 'ana', body });
    expect(response.status).toBe(201);
    return { deal: response.body, token: response.headers['x-consistency-token'] };
  }

  async function forecast(tenant: string, query: string, token?: string): Promise<Forecast> {
    const response = await crm.call<Forecast>('GET', `/api/v1/forecast?${query}`, { tenant, headers: token ? { 'x-consistency-token': token } : {} });
    expect(response.status).toBe(200);
    return response.body;
  }

  it('forecasts now and as of a past instant, and gives quota attainment then and now', async () => {
    const tenant = uniqueTenant('forecast');
    const { pipelineId, stages } = await createPipeline(tenant);
    const common = { pipelineId, stageId: stages.Qualify.stageId, expectedCloseDate: today };
    const { deal: alpha } = await createDeal(tenant, { ...common, title: 'Alpha', amount: '10000.00', currency: 'EUR', ownerId: 'ana', forecastCategory: 'commit' });
    const { token: betaToken } = await createDeal(tenant, { ...common, title: 'Beta', amount: '5000.50', currency: 'USD', ownerId: 'bo', forecastCategory: 'best_case' });
    const quota = await crm.call<Quota>('POST', '/api/v1/quotas', { tenant, actor: 'manager', body: { ownerId: 'ana', period: quarter, amount: '24000', currency: 'EUR' } });
    expect(quota.status).toBe(201);
    expect(quota.headers.location).toBe(`/api/v1/quotas/${quota.body.id}`);
    expect(quota.headers.etag).toBe('"0"');
    expect(quota.body).toMatchObject({ ownerId: 'ana', period: quarter, amount: '24000.00', currency: 'EUR', revision: 0 });

    // Both deals open at 20 %: EUR 10000.00 → 2000.00 weighted, committed; USD 5000.50 → 1000.10 weighted, best case.
    const before = await forecast(tenant, `period=${quarter}`, betaToken);
    expect(before.totals).toEqual([
      expect.objectContaining({ currency: 'EUR', weightedPipeline: '2000.00', openPipeline: '10000.00', commit: '10000.00', bestCase: '10000.00', closedWon: '0.00', openDeals: 1 }),
      expect.objectContaining({ currency: 'USD', weightedPipeline: '1000.10', commit: '0.00', bestCase: '5000.50', openDeals: 1 }),
    ]);

    const capturedAt = new Date().toISOString();

    // After the captured instant: Alpha moves to 60 %, grows to 12000.00 and is won; the quota is raised.
    const alphaPath = `/api/v1/deals/${alpha.id}`;
    expect((await crm.call('POST', `${alphaPath}/move`, { tenant, body: { stageId: stages.Proposal.stageId, comment: 'demo went well' } })).status).toBe(200);
    expect((await crm.call('PATCH', alphaPath, { tenant, body: { amount: '12000.00' } })).status).toBe(200);
    const won = await crm.call('POST', `${alphaPath}/won`, { tenant, body: { reason: 'best fit' } });
    expect(won.status).toBe(200);
    const raised = await crm.call<Quota>('PUT', '/api/v1/quotas', { tenant, actor: 'manager', body: { ownerId: 'ana', period: quarter, amount: '30000.00', currency: 'EUR' } });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ id: quota.body.id, amount: '30000.00', revision: 1 });
    expect(raised.headers.etag).toBe('"1"');
    const token = raised.headers['x-consistency-token'];

    const now = await forecast(tenant, `period=${quarter}&groupBy=owner`, won.headers['x-consistency-token']);
    expect(now.asOf).toBeNull();
    expect(now.totals).toEqual([
      expect.objectContaining({ currency: 'EUR', weightedPipeline: '0.00', commit: '0.00', closedWon: '12000.00', wonDeals: 1, openDeals: 0 }),
      expect.objectContaining({ currency: 'USD', weightedPipeline: '1000.10', bestCase: '5000.50' }),
    ]);
    expect(now.groups?.map((group) => group.key)).toEqual(['ana', 'bo']);

    // As of the captured instant the forecast still says what it said then.
    const then = await forecast(tenant, `period=${quarter}&asOf=${encodeURIComponent(capturedAt)}`);
    expect(then.asOf).toBe(capturedAt);
    expect(then.totals).toEqual(before.totals);
    // Filters: one currency, one owner, one pipeline.
    expect((await forecast(tenant, `period=${quarter}&currency=usd`)).totals.map((figures) => figures.currency)).toEqual(['USD']);
    expect((await forecast(tenant, `period=${quarter}&ownerId=ana&asOf=${encodeURIComponent(capturedAt)}`)).totals).toEqual([before.totals[0]]);
    expect((await forecast(tenant, `period=${quarter}&pipelineId=other`)).totals).toEqual([]);

    // Attainment now: 12000 / 30000 = 40.00 %; as of the captured instant: nothing won yet against 24000.
    const attainment = await crm.call<Attainment>('GET', `/api/v1/quotas/attainment?period=${quarter}`, { tenant, headers: { 'x-consistency-token': token } });
    expect(attainment.status).toBe(200);
    expect(attainment.body.items).toEqual([
      expect.objectContaining({ ownerId: 'ana', quota: { amount: '30000.00', currency: 'EUR' }, closedWon: '12000.00', attainmentPercent: '40.00' }),
    ]);
    const attainmentThen = await crm.call<Attainment>('GET', `/api/v1/quotas/attainment?period=${quarter}&asOf=${encodeURIComponent(capturedAt)}`, { tenant });
    expect(attainmentThen.body.items).toEqual([
      expect.objectContaining({ ownerId: 'ana', quota: { amount: '24000.00', currency: 'EUR' }, closedWon: '0.00', attainmentPercent: '0.00' }),
    ]);

    // The quota's history keeps both values; the list shows the current one.
    const history = await crm.call<{ items: { type: string; actorId: string; data: { amount: string } }[] }>('GET', `/api/v1/quotas/${quota.body.id}/history`, { tenant });
    expect(history.body.items.map((entry) => [entry.type, entry.actorId, entry.data.amount])).toEqual([
      ['QuotaCreated', 'manager', '24000.00'],
      ['QuotaChanged', 'manager', '30000.00'],
    ]);
    const list = await crm.call<Page<Quota>>('GET', `/api/v1/quotas?period=${quarter}`, { tenant, headers: { 'x-consistency-token': token } });
    expect(list.body.items).toEqual([expect.objectContaining({ id: quota.body.id, amount: '30000.00' })]);
    const asOfQuota = await crm.call<Quota>('GET', `/api/v1/quotas/${quota.body.id}?asOf=${encodeURIComponent(capturedAt)}`, { tenant });
    expect(asOfQuota.body).toMatchObject({ amount: '24000.00', revision: 0 });
  });

  it('changes a quota by id with If-Match, and deletes it', async () => {
    const tenant = uniqueTenant('quota');
    const created = await crm.call<Quota>('PUT', '/api/v1/quotas', { tenant, body: { ownerId: 'bo', period: '2026-11', amount: '1000', currency: 'JPY' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ amount: '1000', currency: 'JPY' });
    const path = `/api/v1/quotas/${created.body.id}`;

    expectProblem(await crm.call('POST', '/api/v1/quotas', { tenant, body: { ownerId: 'bo', period: '2026-11', amount: '5', currency: 'JPY' } }), 409);
    const changed = await crm.call<Quota>('PUT', path, { tenant, body: { amount: '2000', currency: 'JPY' }, headers: { 'if-match': '"0"' } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).toBe('"1"');
    expectProblem(await crm.call('PUT', path, { tenant, body: { amount: '3000', currency: 'JPY' }, headers: { 'if-match': '"0"' } }), 412);

    const deleted = await crm.call('DELETE', path, { tenant });
    expect(deleted.status).toBe(204);
    expectProblem(await crm.call('GET', path, { tenant }), 404);
    const list = await crm.call<Page<Quota>>('GET', '/api/v1/quotas', { tenant, headers: { 'x-consistency-token': deleted.headers['x-consistency-token'] } });
    expect(list.body.items).toEqual([]);
  });

  it('answers bad input with 4xx problem+json and stores nothing', async () => {
    const tenant = uniqueTenant('bad');
    expectProblem(await crm.call('GET', '/api/v1/forecast', { tenant }), 400, ['period']);
    expectProblem(await crm.call('GET', '/api/v1/forecast?period=2026-Q5', { tenant }), 400, ['period']);
    expectProblem(await crm.call('GET', '/api/v1/forecast?period=2026-13', { tenant }), 400, ['period']);
    expectProblem(await crm.call('GET', '/api/v1/forecast?period=2026-Q4&groupBy=team', { tenant }), 400, ['groupBy']);
    expectProblem(await crm.call('GET', '/api/v1/forecast?period=2026-Q4&asOf=yesterday', { tenant }), 400, ['asOf']);
    expectProblem(await crm.call('GET', '/api/v1/forecast?period=2026-Q4&asOf=2026-02-30', { tenant }), 400, ['asOf']);
    expectProblem(await crm.call('GET', '/api/v1/forecast?period=2026-Q4&currency=EURO', { tenant }), 400, ['currency']);
    expectProblem(await crm.call('GET', '/api/v1/forecast?period=2026-Q4&currency=XYZ', { tenant }), 400, ['currency']);
    expectProblem(await crm.call('GET', '/api/v1/forecast?period=2026-Q4&unknown=1', { tenant }), 400);
    expectProblem(await crm.call('GET', '/api/v1/quotas/attainment', { tenant }), 400, ['period']);
    expectProblem(await crm.call('GET', '/api/v1/quotas/attainment?period=Q4', { tenant }), 400, ['period']);
    expectProblem(await crm.call('GET', '/api/v1/quotas?period=2026-Q9', { tenant }), 400, ['period']);
    expectProblem(await crm.call('GET', '/api/v1/quotas?limit=500', { tenant }), 400, ['limit']);

    const good = { ownerId: 'ana', period: '2026-Q4', amount: '1000.00', currency: 'EUR' };
    for (const [change, field] of [
      [{ period: '2026-Q5' }, 'period'],
      [{ amount: 1000 }, 'amount'],
      [{ amount: '-1' }, 'amount'],
      [{ amount: '0' }, 'amount'],
      [{ amount: '10.001' }, 'amount'],
      [{ currency: 'XYZ' }, 'currency'],
      [{ currency: 'EURO' }, 'currency'],
      [{ ownerId: 'ana smith' }, 'ownerId'],
      [{ ownerId: undefined }, 'ownerId'],
      [{ extra: true }, 'extra'],
    ] as const) {
      expectProblem(await crm.call('POST', '/api/v1/quotas', { tenant, body: { ...good, ...change } }), 400, [field]);
      expectProblem(await crm.call('PUT', '/api/v1/quotas', { tenant, body: { ...good, ...change } }), 400, [field]);
    }
    expectProblem(await crm.call('POST', '/api/v1/quotas', { tenant, rawBody: '{"ownerId":', headers: { 'content-type': 'application/json' } }), 400);
    expectProblem(await crm.call('GET', '/api/v1/quotas/no-such-quota', { tenant }), 404);
    expectProblem(await crm.call('GET', '/api/v1/quotas/bad%20id', { tenant }), 404);
    expectProblem(await crm.call('PUT', '/api/v1/quotas/no-such-quota', { tenant, body: { amount: '1.00', currency: 'EUR' } }), 404);
    expectProblem(await crm.call('DELETE', '/api/v1/quotas/no-such-quota', { tenant }), 404);

    // Nothing was stored by any of these.
    const probe = await crm.call<Quota>('POST', '/api/v1/quotas', { tenant, body: good });
    expect(probe.status).toBe(201);
    expect(probe.body.revision).toBe(0);
    const list = await crm.call<Page<Quota>>('GET', '/api/v1/quotas', { tenant, headers: { 'x-consistency-token': probe.headers['x-consistency-token'] } });
    expect(list.body.items).toHaveLength(1);
  });

  it('lists every forecast and quota route in the gateway’s OpenAPI document', async () => {
    const docs = await crm.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths['/api/v1/forecast'])).toEqual(['get']);
    expect(Object.keys(docs.body.paths['/api/v1/quotas']).sort()).toEqual(['get', 'post', 'put']);
    expect(Object.keys(docs.body.paths['/api/v1/quotas/attainment'])).toEqual(['get']);
    expect(Object.keys(docs.body.paths['/api/v1/quotas/{id}']).sort()).toEqual(['delete', 'get', 'put']);
    expect(Object.keys(docs.body.paths['/api/v1/quotas/{id}/history'])).toEqual(['get']);
  });
});

import { eventually } from '@crm/testing';
import { RunningCrm } from '../../tools/running-crm';
import { expectProblem, type Page, uniqueTenant } from './support';

type Stage = { stageId: string; name: string; probability: number; type: 'open' | 'won' | 'lost' };
type Pipeline = { id: string; name: string; stages: Stage[]; revision: number };
type Deal = {
  id: string;
  title: string;
  pipelineId: string;
  stageId: string;
  stageType: string;
  status: 'open' | 'won' | 'lost';
  probability: number;
  amount: string;
  currency: string;
  expectedCloseDate: string | null;
  ownerId: string | null;
  contactId: string | null;
  companyId: string | null;
  forecastCategory: string;
  lineItems: { lineId: string; name: string; quantity: string; unitPrice: string }[];
  closeReason: string | null;
  closedOn: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
};
type Move = {
  fromStageId: string | null;
  fromStageName: string | null;
  toStageId: string;
  toStageName: string | null;
  movedBy: string;
  movedAt: string;
  comment: string | null;
  outcome: { status: string; reason: string } | null;
  reopened: boolean;
  timeInStageMs: number;
  current: boolean;
};
type Board = { pipelineId: string; stages: { stageId: string; name: string; count: number; totals: { amount: string; currency: string }[] }[]; open: { count: number; totals: { amount: string; currency: string }[] } };
type HistoryEntry = { type: string; actorId: string; occurredAt: string; changedFields: string[]; data: Record<string, unknown> };

/** Pipelines and deals through the gateway: stages, moves with their history, filters, boards, bad input, and links to contacts. */
describe('sales pipelines and deals through the gateway', () => {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await RunningCrm.start();
  });

  afterAll(async () => {
    await crm?.stop();
  });

  const STAGES = [
    { name: 'Qualify', probability: 10 },
    { name: 'Propose', probability: 50 },
    { name: 'Negotiate', probability: 75 },
    { name: 'Won', type: 'won' },
    { name: 'Lost', type: 'lost' },
  ];

  async function pipeline(t: string, name = 'New business'): Promise<Pipeline & { stage: (name: string) => string }> {
    const response = await crm.call<Pipeline>('POST', '/api/v1/pipelines', { tenant: t, actor: 'admin', body: { name, stages: STAGES } });
    expect(response.status).toBe(201);
    const stage = (stageName: string) => response.body.stages.find((candidate) => candidate.name === stageName)!.stageId;
    return { ...response.body, stage };
  }

  async function deal(t: string, body: Record<string, unknown>, actor = 'alice'): Promise<Deal & { token: string }> {
    const response = await crm.call<Deal>('POST', '/api/v1/deals', { tenant: t, actor, body: { title: 'Deal', currency: 'EUR', ...body } });
    expect(response.status).toBe(201);
    return { ...response.body, token: response.headers['x-consistency-token'] };
  }

  const list = (t: string, query: string, token?: string) =>
    crm.call<Page<Deal>>('GET', `/api/v1/deals?${query}`, { tenant: t, headers: token ? { 'x-consistency-token': token } : {} });

  it('creates, moves, wins and reopens a deal, recording who moved it where and when, with history and asOf', async () => {
    const t = uniqueTenant('deals');
    const p = await pipeline(t);
    expect(p.stages.map((stage) => [stage.name, stage.probability, stage.type])).toEqual([
      ['Qualify', 10, 'open'],
      ['Propose', 50, 'open'],
      ['Negotiate', 75, 'open'],
      ['Won', 100, 'won'],
      ['Lost', 0, 'lost'],
    ]);

    const create = await crm.call<Deal>('POST', '/api/v1/deals', {
      tenant: t,
      actor: 'alice',
      body: { title: 'Acme renewal', pipelineId: p.id, amount: '12500.5', currency: 'eur', expectedCloseDate: '2026-12-15', ownerId: 'alice', forecastCategory: 'best_case' },
    });
    expect(create.status).toBe(201);
    expect(create.headers.location).toBe(`/api/v1/deals/${create.body.id}`);
    expect(create.headers.etag).toBe('"0"');
    expect(create.body).toMatchObject({
      title: 'Acme renewal',
      stageId: p.stage('Qualify'),
      stageType: 'open',
      status: 'open',
      probability: 10,
      amount: '12500.50',
      currency: 'EUR',
      forecastCategory: 'best_case',
      closeReason: null,
    });
    const id = create.body.id;
    const beforeMoves = new Date().toISOString();

    const moved = await crm.call<Deal>('POST', `/api/v1/deals/${id}/move`, { tenant: t, actor: 'bob', body: { stageId: p.stage('Propose'), comment: 'Proposal sent' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stageId: p.stage('Propose'), probability: 50, revision: 1 });
    expect(moved.headers.etag).toBe('"1"');

    expectProblem(await crm.call('POST', `/api/v1/deals/${id}/won`, { tenant: t, body: {} }), 400, ['reason']);
    expectProblem(await crm.call('POST', `/api/v1/deals/${id}/move`, { tenant: t, body: { stageId: p.stage('Won') } }), 400, ['reason']);
    const won = await crm.call<Deal>('POST', `/api/v1/deals/${id}/won`, { tenant: t, actor: 'carol', body: { reason: 'Best price', comment: 'Signed' } });
    expect(won.status).toBe(200);
    expect(won.body).toMatchObject({ status: 'won', stageId: p.stage('Won'), stageType: 'won', probability: 100, closeReason: 'Best price', closedOn: new Date().toISOString().slice(0, 10) });
    expectProblem(await crm.call('POST', `/api/v1/deals/${id}/won`, { tenant: t, body: { reason: 'again' } }), 409);

    const reopened = await crm.call<Deal>('POST', `/api/v1/deals/${id}/reopen`, { tenant: t, actor: 'dave', body: { stageId: p.stage('Negotiate'), comment: 'Customer wants changes' } });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'open', stageId: p.stage('Negotiate'), probability: 75, closeReason: null, closedOn: null });
    expectProblem(await crm.call('POST', `/api/v1/deals/${id}/reopen`, { tenant: t, body: {} }), 409);

    const comment = await crm.call<{ commentId: string }>('POST', `/api/v1/deals/${id}/comments`, { tenant: t, actor: 'erin', body: { text: 'Legal is reviewing' } });
    expect(comment.status).toBe(201);
    const comments = await crm.call<{ items: { text: string; authorId: string }[] }>('GET', `/api/v1/deals/${id}/comments`, { tenant: t });
    expect(comments.body.items).toEqual([expect.objectContaining({ text: 'Legal is reviewing', authorId: 'erin' })]);

    const stageHistory = await crm.call<{ items: Move[] }>('GET', `/api/v1/deals/${id}/stage-history`, { tenant: t });
    expect(stageHistory.status).toBe(200);
    expect(stageHistory.body.items.map(({ fromStageName, toStageName, movedBy, comment: text, outcome, reopened: again, current }) => ({
      fromStageName,
      toStageName,
      movedBy,
      comment: text,
      outcome: outcome?.status ?? null,
      reopened: again,
      current,
    }))).toEqual([
      { fromStageName: null, toStageName: 'Qualify', movedBy: 'alice', comment: null, outcome: null, reopened: false, current: false },
      { fromStageName: 'Qualify', toStageName: 'Propose', movedBy: 'bob', comment: 'Proposal sent', outcome: null, reopened: false, current: false },
      { fromStageName: 'Propose', toStageName: 'Won', movedBy: 'carol', comment: 'Signed', outcome: 'won', reopened: false, current: false },
      { fromStageName: 'Won', toStageName: 'Negotiate', movedBy: 'dave', comment: 'Customer wants changes', outcome: null, reopened: true, current: true },
    ]);
    for (const move of stageHistory.body.items) {
      expect(move.timeInStageMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(move.movedAt)).not.toBeNaN();
    }

    const history = await crm.call<{ items: HistoryEntry[] }>('GET', `/api/v1/deals/${id}/history`, { tenant: t });
    expect(history.body.items.map((entry) => entry.type)).toEqual([
      'DealCreated',
      'DealStageChanged',
      'DealStageChanged',
      'DealWon',
      'DealStageChanged',
      'DealReopened',
      'DealCommented',
    ]);
    expect(history.body.items[3]).toMatchObject({ actorId: 'carol', data: { reason: 'Best price' }, changedFields: ['status', 'closeReason', 'closedOn'] });

    const asOf = await crm.call<Deal>('GET', `/api/v1/deals/${id}?asOf=${encodeURIComponent(beforeMoves)}`, { tenant: t });
    expect(asOf.status).toBe(200);
    expect(asOf.body).toMatchObject({ stageId: p.stage('Qualify'), status: 'open', revision: 0 });
    expectProblem(await crm.call('GET', `/api/v1/deals/${id}?asOf=2000-01-01T00:00:00Z`, { tenant: t }), 404);
    expectProblem(await crm.call('GET', `/api/v1/deals/${id}?asOf=yesterday`, { tenant: t }), 400, ['asOf']);
    // Another tenant sees nothing of it.
    expectProblem(await crm.call('GET', `/api/v1/deals/${id}`, { tenant: uniqueTenant('deals-other') }), 404);
  });

  it('answers 412 to a stale If-Match and changes nothing', async () => {
    const t = uniqueTenant('deals-412');
    const p = await pipeline(t);
    const d = await deal(t, { pipelineId: p.id, amount: '100' });
    const first = await crm.call<Deal>('PATCH', `/api/v1/deals/${d.id}`, { tenant: t, body: { title: 'Renamed' }, headers: { 'if-match': '"0"' } });
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe('"1"');
    expectProblem(await crm.call('PATCH', `/api/v1/deals/${d.id}`, { tenant: t, body: { amount: '999' }, headers: { 'if-match': '"0"' } }), 412);
    expectProblem(await crm.call('POST', `/api/v1/deals/${d.id}/move`, { tenant: t, body: { stageId: p.stage('Propose') }, headers: { 'if-match': '"0"' } }), 412);
    const current = await crm.call<Deal>('GET', `/api/v1/deals/${d.id}`, { tenant: t });
    expect(current.headers.etag).toBe('"1"');
    expect(current.body).toMatchObject({ title: 'Renamed', amount: '100.00', stageId: p.stage('Qualify') });
  });

  it('filters deals by pipeline, stage, owner, status, exact amount range, expected close range, and pages with a cursor', async () => {
    const t = uniqueTenant('deals-filters');
    const p = await pipeline(t);
    const other = await pipeline(t, 'Renewals');
    const small = await deal(t, { title: 'Small', pipelineId: p.id, amount: '999.99', ownerId: 'alice', expectedCloseDate: '2026-10-15' });
    const exact = await deal(t, { title: 'Exact', pipelineId: p.id, amount: '1000.00', ownerId: 'bob', expectedCloseDate: '2026-11-30' });
    const big = await deal(t, { title: 'Big', pipelineId: p.id, amount: '25000', ownerId: 'alice', expectedCloseDate: '2027-01-10', stageId: p.stage('Negotiate') });
    const yen = await deal(t, { title: 'Yen', pipelineId: other.id, amount: '150000', currency: 'JPY', ownerId: 'bob' });
    const lost = await deal(t, { title: 'Lost', pipelineId: p.id, amount: '5000', ownerId: 'carol' });
    const closed = await crm.call('POST', `/api/v1/deals/${lost.id}/lost`, { tenant: t, body: { reason: 'No budget' } });
    const token = closed.headers['x-consistency-token'];
    expect(token).toMatch(/^p\d+$/);

    const titles = async (query: string) => (await list(t, query, token)).body.items.map((item) => item.title).sort();
    expect(await titles('')).toEqual(['Big', 'Exact', 'Lost', 'Small', 'Yen']);
    expect(await titles(`pipelineId=${other.id}`)).toEqual(['Yen']);
    expect(await titles(`stageId=${p.stage('Negotiate')}`)).toEqual(['Big']);
    expect(await titles('ownerId=alice')).toEqual(['Big', 'Small']);
    expect(await titles('status=lost')).toEqual(['Lost']);
    expect(await titles('status=open&ownerId=bob')).toEqual(['Exact', 'Yen']);
    // Exact decimal bounds: 999.99 < 1000 = 1000.00, and "9" never sorts above "10".
    expect(await titles('amountMin=1000')).toEqual(['Big', 'Exact', 'Lost', 'Yen']);
    expect(await titles('amountMin=999.991&amountMax=1000.00&currency=EUR')).toEqual(['Exact']);
    expect(await titles('amountMax=999.99')).toEqual(['Small']);
    expect(await titles('amountMin=1000&currency=jpy')).toEqual(['Yen']);
    expect(await titles('expectedCloseFrom=2026-11-01&expectedCloseTo=2026-12-31')).toEqual(['Exact']);
    expect(await titles('expectedCloseFrom=2026-11-01')).toEqual(['Big', 'Exact']);
    expect((await list(t, 'sort=-amount&currency=EUR', token)).body.items.map((item) => item.title)).toEqual(['Big', 'Lost', 'Exact', 'Small']);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Page<Deal> } = await list(t, `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([small.id, exact.id, big.id, yen.id, lost.id].sort());

    expectProblem(await list(t, 'limit=201'), 400, ['limit']);
    expectProblem(await list(t, 'amountMin=ten'), 400, ['amountMin']);
    expectProblem(await list(t, 'amountMax=1e3'), 400, ['amountMax']);
    expectProblem(await list(t, 'status=pending'), 400, ['status']);
    expectProblem(await list(t, 'expectedCloseFrom=2026-13-01'), 400, ['expectedCloseFrom']);
    expectProblem(await list(t, 'cursor=garbage'), 400, ['cursor']);
  });

  it('sums the board per stage and currency exactly, and follows moves and amount changes', async () => {
    const t = uniqueTenant('deals-board');
    const p = await pipeline(t);
    await deal(t, { pipelineId: p.id, amount: '0.10' });
    await deal(t, { pipelineId: p.id, amount: '0.20' });
    await deal(t, { pipelineId: p.id, amount: '100', currency: 'JPY' });
    const mover = await deal(t, { pipelineId: p.id, amount: '1000000000000.01', stageId: p.stage('Propose') });
    const changed = await crm.call<Deal>('PATCH', `/api/v1/deals/${mover.id}`, { tenant: t, body: { amount: '1000000000000.03' } });
    const wonResponse = await crm.call('POST', `/api/v1/deals/${mover.id}/move`, { tenant: t, body: { stageId: p.stage('Won'), reason: 'Signed' } });
    expect(changed.status).toBe(200);
    const board = await crm.call<Board>('GET', `/api/v1/pipelines/${p.id}/board`, { tenant: t, headers: { 'x-consistency-token': wonResponse.headers['x-consistency-token'] } });
    expect(board.status).toBe(200);
    expect(board.body.stages.map((stage) => [stage.name, stage.count, stage.totals])).toEqual([
      ['Qualify', 3, [{ currency: 'EUR', amount: '0.30' }, { currency: 'JPY', amount: '100' }]],
      ['Propose', 0, []],
      ['Negotiate', 0, []],
      ['Won', 1, [{ currency: 'EUR', amount: '1000000000000.03' }]],
      ['Lost', 0, []],
    ]);
    expect(board.body.open).toEqual({ count: 3, totals: [{ currency: 'EUR', amount: '0.30' }, { currency: 'JPY', amount: '100' }] });
    expectProblem(await crm.call('GET', '/api/v1/pipelines/nope/board', { tenant: t }), 404);
  });

  it('edits stages, and removes a stage only once its open deals have somewhere to go', async () => {
    const t = uniqueTenant('deals-stages');
    const p = await pipeline(t);
    const added = await crm.call<Pipeline>('POST', `/api/v1/pipelines/${p.id}/stages`, { tenant: t, body: { name: 'Demo', probability: 30, position: 1 } });
    expect(added.status).toBe(201);
    expect(added.body.stages.map((stage) => stage.name)).toEqual(['Qualify', 'Demo', 'Propose', 'Negotiate', 'Won', 'Lost']);
    const demo = added.body.stages[1].stageId;
    const renamed = await crm.call<Pipeline>('PATCH', `/api/v1/pipelines/${p.id}/stages/${demo}`, { tenant: t, body: { name: 'Live demo', probability: 35 } });
    expect(renamed.body.stages[1]).toMatchObject({ name: 'Live demo', probability: 35 });
    const order = [p.stage('Propose'), demo, p.stage('Qualify'), p.stage('Negotiate'), p.stage('Won'), p.stage('Lost')];
    const reordered = await crm.call<Pipeline>('PUT', `/api/v1/pipelines/${p.id}/stages/order`, { tenant: t, body: { stageIds: order } });
    expect(reordered.status).toBe(200);
    expect(reordered.body.stages.map((stage) => stage.stageId)).toEqual(order);
    expectProblem(await crm.call('PUT', `/api/v1/pipelines/${p.id}/stages/order`, { tenant: t, body: { stageIds: order.slice(1) } }), 400, ['stageIds']);
    const pipelineRenamed = await crm.call<Pipeline>('PATCH', `/api/v1/pipelines/${p.id}`, { tenant: t, body: { name: 'Enterprise' }, headers: { 'if-match': `"${reordered.body.revision}"` } });
    expect(pipelineRenamed.body.name).toBe('Enterprise');
    expectProblem(await crm.call('PATCH', `/api/v1/pipelines/${p.id}`, { tenant: t, body: { name: 'Late' }, headers: { 'if-match': '"0"' } }), 412);

    const one = await deal(t, { pipelineId: p.id, amount: '10', stageId: demo });
    const two = await deal(t, { pipelineId: p.id, amount: '20', stageId: demo });
    const conflict = await crm.call('DELETE', `/api/v1/pipelines/${p.id}/stages/${demo}`, { tenant: t });
    expectProblem(conflict, 409, ['moveDealsTo']);
    expectProblem(await crm.call('DELETE', `/api/v1/pipelines/${p.id}/stages/${demo}?moveDealsTo=${p.stage('Won')}`, { tenant: t }), 400, ['moveDealsTo']);
    expectProblem(await crm.call('DELETE', `/api/v1/pipelines/${p.id}/stages/${demo}?moveDealsTo=${demo}`, { tenant: t }), 400, ['moveDealsTo']);
    expect((await crm.call<Pipeline>('GET', `/api/v1/pipelines/${p.id}`, { tenant: t })).body.stages.map((stage) => stage.stageId)).toContain(demo);

    const removed = await crm.call<Pipeline>('DELETE', `/api/v1/pipelines/${p.id}/stages/${demo}?moveDealsTo=${p.stage('Propose')}`, { tenant: t, actor: 'admin' });
    expect(removed.status).toBe(200);
    expect(removed.body.stages.map((stage) => stage.stageId)).not.toContain(demo);
    for (const moved of [one, two]) {
      const current = await crm.call<Deal>('GET', `/api/v1/deals/${moved.id}`, { tenant: t });
      expect(current.body).toMatchObject({ stageId: p.stage('Propose'), probability: 50 });
      const moves = await crm.call<{ items: Move[] }>('GET', `/api/v1/deals/${moved.id}/stage-history`, { tenant: t });
      expect(moves.body.items.at(-1)).toMatchObject({
        fromStageName: 'Live demo',
        toStageName: 'Propose',
        movedBy: 'admin',
        comment: 'Stage "Live demo" was removed: moved to "Propose"',
      });
    }
    // An empty stage goes without a target; the last open stage never goes.
    expect((await crm.call('DELETE', `/api/v1/pipelines/${p.id}/stages/${p.stage('Lost')}`, { tenant: t })).status).toBe(200);
    const history = await crm.call<{ items: HistoryEntry[] }>('GET', `/api/v1/pipelines/${p.id}/history`, { tenant: t });
    expect(history.body.items.map((entry) => entry.type)).toEqual([
      'PipelineCreated',
      'StageAdded',
      'StageRenamed',
      'StageProbabilityChanged',
      'StagesReordered',
      'PipelineRenamed',
      'StageRemoved',
      'StageRemoved',
    ]);
    const pipelines = await crm.call<Page<Pipeline>>('GET', '/api/v1/pipelines', { tenant: t, headers: { 'x-consistency-token': removed.headers['x-consistency-token'] } });
    expect(pipelines.body.items).toEqual([expect.objectContaining({ id: p.id, name: 'Enterprise' })]);
  });

  it('answers bad input with 4xx problem+json and stores nothing', async () => {
    const t = uniqueTenant('deals-bad');
    const p = await pipeline(t);
    const other = await pipeline(t, 'Other');
    const create = (body: Record<string, unknown>) => crm.call('POST', '/api/v1/deals', { tenant: t, body: { title: 'Bad', pipelineId: p.id, amount: '10', currency: 'EUR', ...body } });
    expectProblem(await create({ amount: 10.5 }), 400, ['amount']);
    expectProblem(await create({ amount: '-10' }), 400, ['amount']);
    expectProblem(await create({ amount: '10.001' }), 400, ['amount']);
    expectProblem(await create({ amount: '1e3' }), 400, ['amount']);
    expectProblem(await create({ currency: 'EURO' }), 400, ['currency']);
    expectProblem(await create({ currency: 'XXX' }), 400, ['currency']);
    expectProblem(await create({ amount: undefined, currency: 'EUR' }), 400, ['amount']);
    expectProblem(await create({ title: '' }), 400, ['title']);
    expectProblem(await create({ pipelineId: 'nope' }), 400, ['pipelineId']);
    expectProblem(await create({ stageId: other.stages[0].stageId }), 400, ['stageId']);
    expectProblem(await create({ stageId: p.stage('Won') }), 400, ['stageId']);
    expectProblem(await create({ contactId: 'unknown-contact' }), 400, ['contactId']);
    expectProblem(await create({ companyId: 'unknown-company' }), 400, ['companyId']);
    expectProblem(await create({ expectedCloseDate: '2026-02-30' }), 400, ['expectedCloseDate']);
    expectProblem(await create({ forecastCategory: 'maybe' }), 400, ['forecastCategory']);
    expectProblem(await create({ lineItems: [{ name: 'X', unitPrice: 5 }] }), 400, ['lineItems.0.unitPrice']);
    expectProblem(await create({ lineItems: [{ name: 'X', unitPrice: '5', discountPercent: '150' }] }), 400, ['lineItems.0.discountPercent']);
    expectProblem(await create({ surprise: true }), 400, ['surprise']);
    expectProblem(await crm.call('POST', '/api/v1/pipelines', { tenant: t, body: { name: 'Closed only', stages: [{ name: 'Won', type: 'won' }] } }), 400, ['stages']);
    expectProblem(await crm.call('POST', '/api/v1/pipelines', { tenant: t, body: { name: 'P', stages: [{ name: 'A', probability: 150 }] } }), 400, ['stages.0.probability']);
    expectProblem(await crm.call('POST', `/api/v1/pipelines/${p.id}/stages`, { tenant: t, body: { name: 'Qualify' } }), 400, ['name']);
    expectProblem(await crm.call('GET', '/api/v1/pipelines/nope', { tenant: t }), 404);

    const d = await deal(t, { pipelineId: p.id, amount: '10', lineItems: [{ name: 'Licence', quantity: '1', unitPrice: '10' }] });
    const revisionBefore = d.revision;
    expectProblem(await crm.call('PATCH', `/api/v1/deals/${d.id}`, { tenant: t, body: { amount: '1500', currency: 'JPY' } }), 400, ['currency']);
    expectProblem(await crm.call('PATCH', `/api/v1/deals/${d.id}`, { tenant: t, body: { currency: 'USD' } }), 400, ['amount']);
    expectProblem(await crm.call('PATCH', `/api/v1/deals/${d.id}`, { tenant: t, body: { amount: '-1' } }), 400, ['amount']);
    expectProblem(await crm.call('PATCH', `/api/v1/deals/${d.id}`, { tenant: t, body: { contactId: 'ghost' } }), 400, ['contactId']);
    expectProblem(await crm.call('PATCH', `/api/v1/deals/${d.id}`, { tenant: t, body: {}, headers: { 'if-match': 'seven' } }), 400, ['If-Match']);
    expectProblem(await crm.call('POST', `/api/v1/deals/${d.id}/move`, { tenant: t, body: { stageId: other.stage('Propose') } }), 400, ['stageId']);
    expectProblem(await crm.call('POST', `/api/v1/deals/${d.id}/move`, { tenant: t, body: { stageId: p.stage('Lost'), reason: '' } }), 400, ['reason']);
    expectProblem(await crm.call('POST', `/api/v1/deals/${d.id}/move`, { tenant: t, body: {} }), 400, ['stageId']);
    expectProblem(await crm.call('POST', `/api/v1/deals/${d.id}/lost`, { tenant: t, body: { reason: 'x', closedOn: '2999-01-01' } }), 400, ['closedOn']);
    expectProblem(await crm.call('POST', `/api/v1/deals/${d.id}/comments`, { tenant: t, body: { text: '   ' } }), 400, ['text']);
    expectProblem(await crm.call('POST', '/api/v1/deals/nope/move', { tenant: t, body: { stageId: p.stage('Propose') } }), 404);
    expectProblem(await crm.call('GET', '/api/v1/deals/bad%20id', { tenant: t }), 404);

    // Nothing of the refused requests was stored: one deal, unchanged; two pipelines, unchanged.
    const unchanged = await crm.call<Deal>('GET', `/api/v1/deals/${d.id}`, { tenant: t });
    expect(unchanged.body).toMatchObject({ revision: revisionBefore, amount: '10.00', currency: 'EUR', stageId: p.stage('Qualify'), status: 'open', contactId: null });
    const deals = await list(t, '', d.token);
    expect(deals.body.items.map((item) => item.id)).toEqual([d.id]);
    const pipelines = await crm.call<Page<Pipeline>>('GET', '/api/v1/pipelines', { tenant: t, headers: { 'x-consistency-token': d.token } });
    expect(pipelines.body.items.map((item) => [item.name, item.stages.length])).toEqual([
      ['New business', 5],
      ['Other', 5],
    ]);

    // Deleting: then gone for reads, writes and lists.
    expect((await crm.call('DELETE', `/api/v1/deals/${d.id}`, { tenant: t })).status).toBe(204);
    expectProblem(await crm.call('GET', `/api/v1/deals/${d.id}`, { tenant: t }), 404);
    const afterDelete = await crm.call('PATCH', `/api/v1/deals/${d.id}`, { tenant: t, body: { title: 'Zombie' } });
    expectProblem(afterDelete, 404);
    await eventually(async () => (await list(t, '')).body.items.length === 0, { description: 'the deleted deal to leave the list' });
  });

  it('links contacts created in the contacts service, and follows a merge and its undoing', async () => {
    const t = uniqueTenant('deals-contacts');
    const p = await pipeline(t);
    const company = await crm.call<{ id: string }>('POST', '/api/v1/companies', { tenant: t, body: { name: 'Analytical Engines', region: 'EMEA' } });
    const survivor = await crm.call<{ id: string }>('POST', '/api/v1/contacts', { tenant: t, body: { firstName: 'Ada', lastName: 'Lovelace', companyId: company.body.id } });
    const source = await crm.call<{ id: string }>('POST', '/api/v1/contacts', { tenant: t, body: { firstName: 'Augusta', lastName: 'King' } });
    expect([company.status, survivor.status, source.status]).toEqual([201, 201, 201]);

    // The sales service learns of contacts from the contacts service's events: the link becomes valid shortly.
    const linked = await eventually(
      async () => {
        const response = await crm.call<Deal>('POST', '/api/v1/deals', {
          tenant: t,
          body: { title: 'Engine', pipelineId: p.id, amount: '5000', currency: 'GBP', contactId: source.body.id, companyId: company.body.id },
        });
        return response.status === 201 ? response.body : undefined;
      },
      { description: 'the contact and the company to become linkable in sales' },
    );
    const other = await eventually(async () => {
      const response = await crm.call<Deal>('POST', '/api/v1/deals', { tenant: t, body: { title: 'Other', pipelineId: p.id, amount: '1', currency: 'GBP', contactId: survivor.body.id } });
      return response.status === 201 ? response.body : undefined;
    });
    expect(linked).toMatchObject({ contactId: source.body.id, companyId: company.body.id });
    const byContact = await list(t, `contactId=${source.body.id}`);
    expect(byContact.body.items.map((item) => item.id)).toEqual([linked.id]);

    const merged = await crm.call('POST', `/api/v1/contacts/${survivor.body.id}/merge`, { tenant: t, body: { sourceId: source.body.id } });
    expect(merged.status).toBe(200);
    await eventually(async () => (await crm.call<Deal>('GET', `/api/v1/deals/${linked.id}`, { tenant: t })).body.contactId === survivor.body.id, {
      description: 'the deal to follow the survivor',
    });
    const history = await crm.call<{ items: HistoryEntry[] }>('GET', `/api/v1/deals/${linked.id}/history`, { tenant: t });
    const relink = history.body.items.at(-1)!;
    expect(relink).toMatchObject({
      type: 'DealContactRelinked',
      actorId: 'system:contact-merge',
      data: { fromContactId: source.body.id, toContactId: survivor.body.id, reason: 'contact_merged' },
    });
    // A new deal for the merged contact links the survivor.
    const late = await crm.call<Deal>('POST', '/api/v1/deals', { tenant: t, body: { title: 'Late', pipelineId: p.id, amount: '2', currency: 'GBP', contactId: source.body.id } });
    expect(late.body.contactId).toBe(survivor.body.id);

    const unmerged = await crm.call('POST', `/api/v1/contacts/${survivor.body.id}/unmerge`, { tenant: t, body: { sourceId: source.body.id } });
    expect(unmerged.status).toBe(200);
    await eventually(async () => (await crm.call<Deal>('GET', `/api/v1/deals/${linked.id}`, { tenant: t })).body.contactId === source.body.id, {
      description: 'the deal to go back to the unmerged contact',
    });
    // Deals linked to the survivor by hand stay with it; and each merge event relinked each deal once.
    expect((await crm.call<Deal>('GET', `/api/v1/deals/${other.id}`, { tenant: t })).body.contactId).toBe(survivor.body.id);
    expect((await crm.call<Deal>('GET', `/api/v1/deals/${late.body.id}`, { tenant: t })).body.contactId).toBe(survivor.body.id);
    const relinks = (await crm.call<{ items: HistoryEntry[] }>('GET', `/api/v1/deals/${linked.id}/history`, { tenant: t })).body.items.filter(
      (entry) => entry.type === 'DealContactRelinked',
    );
    expect(relinks.map((entry) => entry.data.reason)).toEqual(['contact_merged', 'contact_unmerged']);
  });

  it('lists every pipeline and deal route in the OpenAPI document at the gateway', async () => {
    const document = await crm.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json');
    expect(document.status).toBe(200);
    const methods = (path: string) => Object.keys(document.body.paths[path] ?? {}).sort();
    expect(methods('/api/v1/pipelines')).toEqual(['get', 'post']);
    expect(methods('/api/v1/pipelines/{id}')).toEqual(['get', 'patch']);
    expect(methods('/api/v1/pipelines/{id}/history')).toEqual(['get']);
    expect(methods('/api/v1/pipelines/{id}/stages')).toEqual(['post']);
    expect(methods('/api/v1/pipelines/{id}/stages/order')).toEqual(['put']);
    expect(methods('/api/v1/pipelines/{id}/stages/{stageId}')).toEqual(['delete', 'patch']);
    expect(methods('/api/v1/pipelines/{id}/board')).toEqual(['get']);
    expect(methods('/api/v1/deals')).toEqual(['get', 'post']);
    expect(methods('/api/v1/deals/{id}')).toEqual(['delete', 'get', 'patch']);
    for (const action of ['move', 'won', 'lost', 'reopen']) expect(methods(`/api/v1/deals/{id}/${action}`)).toEqual(['post']);
    expect(methods('/api/v1/deals/{id}/comments')).toEqual(['get', 'post']);
    expect(methods('/api/v1/deals/{id}/history')).toEqual(['get']);
    expect(methods('/api/v1/deals/{id}/stage-history')).toEqual(['get']);
  });
});

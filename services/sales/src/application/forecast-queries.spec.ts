import { type CommandContext, DomainError, EventSourcedCommandHandler } from '@crm/decider';
import { InMemoryEventStore } from '@crm/eventstore';
import { createInMemoryReadStore, type EmbeddedReadStore, ProjectionRunner } from '@crm/readstore';
import { type DealCommand, dealDecider, type DealEvent, type DealState, type StageRef } from '../domain/deal';
import { parseForecastPeriod } from '../domain/forecast-period';
import { dealStream } from '../domain/streams';
import { dealVersionsProjection } from '../infrastructure/forecast.projection';
import { quotasProjection } from '../infrastructure/quotas.projection';
import { ForecastQueries } from './forecast.service';
import { forecastByFoldingStreams } from './forecast-replay';
import { DEAL_VERSIONS_COLLECTION } from './forecast-read-models';
import { QuotasService } from './quotas.service';

/**
 * The forecast through the application: deal commands decided by the real deal decider and stored in
 * an in-memory event store, the deal_versions projection run into an in-memory read store, and the
 * query compared with the reference that folds the deal streams up to asOf.
 */

const STAGES: Record<string, StageRef[]> = {
  p1: [
    { pipelineId: 'p1', stageId: 's1', type: 'open', probability: 10 },
    { pipelineId: 'p1', stageId: 's2', type: 'open', probability: 40 },
    { pipelineId: 'p1', stageId: 's3', type: 'open', probability: 75 },
    { pipelineId: 'p1', stageId: 'won', type: 'won', probability: 100 },
    { pipelineId: 'p1', stageId: 'lost', type: 'lost', probability: 0 },
  ],
  p2: [
    { pipelineId: 'p2', stageId: 't1', type: 'open', probability: 25 },
    { pipelineId: 'p2', stageId: 't2', type: 'open', probability: 60 },
    { pipelineId: 'p2', stageId: 'tw', type: 'won', probability: 100 },
    { pipelineId: 'p2', stageId: 'tl', type: 'lost', probability: 0 },
  ],
};

const stage = (pipelineId: string, stageId: string) => STAGES[pipelineId].find((candidate) => candidate.stageId === stageId)!;

function contextAt(tenantId: string, instant: string): CommandContext {
  return { tenantId, actorId: 'tester', correlationId: `c-${instant}`, causationId: `r-${instant}`, now: () => new Date(instant) };
}

/** A small deterministic pseudo-random generator (mulberry32), so a failing history can be replayed. */
function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

describe('forecast queries on the deal_versions read model', () => {
  let eventStore: InMemoryEventStore;
  let readStore: EmbeddedReadStore;
  let runners: ProjectionRunner[];
  let queries: ForecastQueries;
  let deals: EventSourcedCommandHandler<DealCommand, DealState, DealEvent>;

  beforeEach(async () => {
    eventStore = new InMemoryEventStore();
    readStore = createInMemoryReadStore();
    runners = [dealVersionsProjection, quotasProjection].map((projection) => new ProjectionRunner(eventStore, readStore, projection, { checkpointIntervalMs: 10 }));
    for (const runner of runners) await runner.start();
    queries = new ForecastQueries(readStore);
    deals = new EventSourcedCommandHandler(eventStore, dealDecider);
  });

  afterEach(async () => {
    for (const runner of runners) await runner.stop();
    await readStore.close();
    await eventStore.close();
  });

  async function caughtUp(): Promise<void> {
    const head = await eventStore.headPosition();
    for (const runner of runners) expect(await runner.waitForPosition(head, 5000)).toBe(true);
  }

  /** Runs a deal command at an instant; a command the decider refuses (a random one may be) is skipped. */
  async function dealCommand(tenantId: string, dealId: string, instant: string, command: DealCommand): Promise<boolean> {
    try {
      await deals.handle(dealStream(tenantId, dealId), command, contextAt(tenantId, instant));
      return true;
    } catch (error) {
      if (error instanceof DomainError) return false;
      throw error;
    }
  }

  it('answers as the streams folded up to asOf do, at every instant of a random history', async () => {
    const tenantId = 'acme';
    const random = randomGenerator(20261001);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const owners = ['ana', 'bo', 'carla', null];
    const closeDates = ['2026-09-20', '2026-10-15', '2026-11-30', '2026-12-31', '2027-01-10', null];
    const start = Date.parse('2026-09-01T00:00:00Z');
    const span = Date.parse('2027-01-15T00:00:00Z') - start;

    // Plan: 30 deals, each created at a random instant and then changed up to 8 times, in time order across deals.
    const planned: { at: number; dealId: string; step: number }[] = [];
    for (let deal = 0; deal < 30; deal++) {
      const times = Array.from({ length: 1 + Math.floor(random() * 9) }, () => start + Math.floor(random() * span)).sort((a, b) => a - b);
      times.forEach((at, step) => planned.push({ at, dealId: `d${deal}`, step }));
    }
    planned.sort((a, b) => a.at - b.at);
    const pipelineOf = new Map<string, string>();
    const instants: string[] = [];
    let applied = 0;
    for (const { at, dealId, step } of planned) {
      const instant = new Date(at).toISOString();
      const today = instant.slice(0, 10);
      let command: DealCommand;
      if (step === 0) {
        const pipelineId = pick(['p1', 'p2']);
        pipelineOf.set(dealId, pipelineId);
        command = {
          type: 'CreateDeal',
          dealId,
          stage: pick(STAGES[pipelineId].filter((candidate) => candidate.type === 'open')),
          input: {
            title: dealId,
            amount: pick(['1000.00', '2500.50', '3333.33', '12000', '0.01']),
            currency: pick(['EUR', 'EUR', 'USD']),
            expectedCloseDate: pick(closeDates),
            ownerId: pick(owners),
            forecastCategory: pick(['pipeline', 'best_case', 'commit', 'omitted'] as const),
          },
        };
      } else {
        const pipelineId = pipelineOf.get(dealId)!;
        const target = pick(STAGES[pipelineId]);
        command = pick<DealCommand>([
          { type: 'MoveDeal', stage: target, reason: 'random', comment: null, today },
          { type: 'MoveDeal', stage: target, reason: 'random', comment: null, today },
          { type: 'CloseDeal', outcome: 'won', stage: STAGES[pipelineId].find((candidate) => candidate.type === 'won')!, reason: 'signed', today },
          { type: 'CloseDeal', outcome: 'lost', stage: STAGES[pipelineId].find((candidate) => candidate.type === 'lost')!, reason: 'gone', today },
          { type: 'ReopenDeal', stage: STAGES[pipelineId][0] },
          { type: 'UpdateDeal', input: { amount: pick(['900.00', '4000.40', '15000']) } },
          { type: 'UpdateDeal', input: { amount: '777.77', currency: pick(['EUR', 'USD']) } },
          { type: 'UpdateDeal', input: { expectedCloseDate: pick(closeDates) } },
          { type: 'UpdateDeal', input: { ownerId: pick(owners) } },
          { type: 'UpdateDeal', input: { forecastCategory: pick(['pipeline', 'best_case', 'commit', 'omitted'] as const), title: `renamed ${step}` } },
          { type: 'DeleteDeal' },
        ]);
      }
      if (await dealCommand(tenantId, dealId, instant, command)) {
        applied++;
        instants.push(instant);
      }
    }
    expect(applied).toBeGreaterThan(100);
    await caughtUp();

    const periods = ['2026-Q4', '2026-11', '2026-Q3', '2027-Q1'].map((key) => parseForecastPeriod(key));
    const asOfs = [undefined, ...instants.flatMap((instant) => [instant, new Date(Date.parse(instant) - 1).toISOString()])];
    let compared = 0;
    for (const [index, asOf] of asOfs.entries()) {
      // Every instant for Q4 by owner; the other periods and groupings on a sample, to keep the test quick.
      const selections = [
        { period: periods[0], groupBy: 'owner' as const },
        ...(index % 7 === 0 ? periods.slice(1).map((period) => ({ period, groupBy: 'pipeline' as const })) : []),
        ...(index % 11 === 0 ? [{ period: periods[0], currency: 'USD' }, { period: periods[1], ownerId: 'bo' }] : []),
      ];
      for (const selection of selections) {
        const fromReadModel = await queries.forecastOf(tenantId, { ...selection, asOf });
        const fromStreams = await forecastByFoldingStreams(eventStore, tenantId, { ...selection, asOf });
        expect(fromReadModel).toEqual(fromStreams);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(300);

    // The history is not trivial: the Q4 figures took many different values over time.
    const snapshots = new Set<string>();
    for (const asOf of asOfs.filter((_, index) => index % 5 === 0)) snapshots.add(JSON.stringify((await queries.forecastOf(tenantId, { period: periods[0], asOf })).totals));
    expect(snapshots.size).toBeGreaterThan(10);

    // Rebuilding the read model from the log gives the same documents; replaying the log again changes nothing.
    const versions = () => readStore.collection(DEAL_VERSIONS_COLLECTION).find({}, { sort: { _id: 1 } });
    const before = await versions();
    await runners[0].rebuild();
    expect(await versions()).toEqual(before);
    await dealVersionsProjection.applyBatch!(await eventStore.readAll(), readStore);
    expect(await versions()).toEqual(before);
  });

  it('answers a past instant with the older figures, and checks its arguments', async () => {
    const tenantId = 'globex';
    await dealCommand(tenantId, 'a', '2026-09-10T10:00:00.000Z', {
      type: 'CreateDeal',
      dealId: 'a',
      stage: stage('p1', 's1'),
      input: { title: 'A', amount: '10000.00', currency: 'EUR', expectedCloseDate: '2026-11-20', ownerId: 'ana', forecastCategory: 'commit' },
    });
    await dealCommand(tenantId, 'a', '2026-10-20T10:00:00.000Z', { type: 'MoveDeal', stage: stage('p1', 's3'), today: '2026-10-20' });
    await dealCommand(tenantId, 'a', '2026-11-10T10:00:00.000Z', { type: 'CloseDeal', outcome: 'won', stage: stage('p1', 'won'), reason: 'signed', today: '2026-11-10' });
    await caughtUp();

    // 1 October: open at 10 % → 1000.00 weighted, committed. 1 November: open at 75 % → 7500.00. Now: won.
    const q4 = (asOf?: string) => queries.forecast(tenantId, { period: '2026-Q4', asOf });
    expect((await q4('2026-10-01')).totals).toEqual([expect.objectContaining({ currency: 'EUR', weightedPipeline: '1000.00', commit: '10000.00', closedWon: '0.00' })]);
    expect((await q4('2026-11-01T00:00:00Z')).totals).toEqual([expect.objectContaining({ weightedPipeline: '7500.00', commit: '10000.00', closedWon: '0.00' })]);
    expect((await q4()).totals).toEqual([expect.objectContaining({ weightedPipeline: '0.00', commit: '0.00', closedWon: '10000.00', wonDeals: 1 })]);
    expect((await q4('2026-09-01')).totals).toEqual([]);

    await expect(queries.forecast(tenantId, { period: '2026-Q5' })).rejects.toMatchObject({ kind: 'invalid', details: [{ field: 'period' }] });
    await expect(queries.forecast(tenantId, { period: '2026-Q4', asOf: 'last week' })).rejects.toMatchObject({ kind: 'invalid', details: [{ field: 'asOf' }] });
    await expect(queries.forecast(tenantId, { period: '2026-Q4', currency: 'XYZ' })).rejects.toMatchObject({ kind: 'invalid', details: [{ field: 'currency' }] });
  });

  it('gives quota attainment now and as of a past date, with the quota as it stood then', async () => {
    const tenantId = 'initech';
    const quotas = new QuotasService(eventStore, readStore, queries);
    const set = await quotas.setQuota(contextAt(tenantId, '2026-09-01T08:00:00.000Z'), { ownerId: 'ana', period: '2026-Q4', amount: '50000', currency: 'EUR' });
    expect(set).toMatchObject({ created: true, view: { ownerId: 'ana', period: '2026-Q4', amount: '50000.00', currency: 'EUR', revision: 0 } });
    const changed = await quotas.setQuota(contextAt(tenantId, '2026-11-01T08:00:00.000Z'), { ownerId: 'ana', period: '2026-q4', amount: '60000.00', currency: 'EUR' });
    expect(changed).toMatchObject({ created: false, view: { id: set.view.id, amount: '60000.00', revision: 1, createdAt: '2026-09-01T08:00:00.000Z' } });
    await quotas.createQuota(contextAt(tenantId, '2026-09-01T08:00:00.000Z'), { ownerId: 'bo', period: '2026-Q4', amount: '1000', currency: 'USD' });
    await expect(quotas.createQuota(contextAt(tenantId, '2026-09-02T08:00:00.000Z'), { ownerId: 'bo', period: '2026-Q4', amount: '5', currency: 'USD' })).rejects.toMatchObject({ kind: 'conflict' });

    await dealCommand(tenantId, 'w1', '2026-10-01T09:00:00.000Z', {
      type: 'CreateDeal',
      dealId: 'w1',
      stage: stage('p1', 's2'),
      input: { title: 'W1', amount: '20000.00', currency: 'EUR', expectedCloseDate: '2026-11-30', ownerId: 'ana' },
    });
    await dealCommand(tenantId, 'w1', '2026-10-10T09:00:00.000Z', { type: 'CloseDeal', outcome: 'won', stage: stage('p1', 'won'), reason: 'signed', today: '2026-10-10' });
    await dealCommand(tenantId, 'w2', '2026-10-02T09:00:00.000Z', {
      type: 'CreateDeal',
      dealId: 'w2',
      stage: stage('p2', 't1'),
      input: { title: 'W2', amount: '300.00', currency: 'USD', expectedCloseDate: '2026-12-01', ownerId: 'ana' },
    });
    await dealCommand(tenantId, 'w2', '2026-11-20T09:00:00.000Z', { type: 'CloseDeal', outcome: 'won', stage: stage('p2', 'tw'), reason: 'signed', today: '2026-11-20' });
    await caughtUp();

    // Now: Ana 20000 of 60000 EUR = 33.33 %, her USD win listed apart; Bo 0 of 1000 USD.
    const now = await quotas.attainment(tenantId, { period: '2026-Q4' });
    expect(now).toMatchObject({ period: '2026-Q4', asOf: null });
    expect(now.items).toEqual([
      expect.objectContaining({ ownerId: 'ana', quota: { amount: '60000.00', currency: 'EUR' }, closedWon: '20000.00', wonDeals: 1, attainmentPercent: '33.33', closedWonInOtherCurrencies: [{ currency: 'USD', amount: '300.00', wonDeals: 1 }] }),
      expect.objectContaining({ ownerId: 'bo', quota: { amount: '1000.00', currency: 'USD' }, closedWon: '0.00', attainmentPercent: '0.00' }),
    ]);
    // As of 15 October: the quota was still 50000 → 20000 / 50000 = 40.00 %; the USD deal was not won yet.
    const october = await quotas.attainment(tenantId, { period: '2026-Q4', asOf: '2026-10-15', ownerId: 'ana' });
    expect(october.items).toEqual([expect.objectContaining({ ownerId: 'ana', quota: { amount: '50000.00', currency: 'EUR' }, attainmentPercent: '40.00', closedWonInOtherCurrencies: [] })]);
    // Before any quota existed there is nothing to attain.
    expect((await quotas.attainment(tenantId, { period: '2026-Q4', asOf: '2026-08-31' })).items).toEqual([]);

    // A deleted quota leaves the list and the current attainment, but not the past.
    await quotas.deleteQuota(contextAt(tenantId, '2026-12-01T08:00:00.000Z'), set.view.id);
    await caughtUp();
    expect((await quotas.listQuotas(tenantId, { period: '2026-Q4' })).items.map((quota) => quota.ownerId)).toEqual(['bo']);
    expect((await quotas.attainment(tenantId, { period: '2026-Q4' })).items.map((item) => item.ownerId)).toEqual(['bo']);
    expect((await quotas.attainment(tenantId, { period: '2026-Q4', asOf: '2026-11-15' })).items.map((item) => item.ownerId)).toEqual(['ana', 'bo']);
    expect((await quotas.quotaHistory(tenantId, set.view.id)).map((entry) => entry.type)).toEqual(['QuotaCreated', 'QuotaChanged', 'QuotaDeleted']);
  });
});

import { dealDecider, type DealEvent, type DealState } from './deal';
import { type DealFacts, dealFactsFromState, evolveDealFacts, type ForecastDealEvent, forecastFrom, isForecastDealEvent, versionsAsOf } from './forecast';
import { parseAsOfInstant, parseForecastPeriod } from './forecast-period';

/** One stored deal event: which deal, its revision in the deal's stream, when it occurred. */
interface HistoryEntry {
  dealId: string;
  revision: number;
  occurredAt: string;
  type: string;
  data: Record<string, unknown>;
}

const TENANT = 'acme';
const revisions = new Map<string, number>();
const history: HistoryEntry[] = [];

/** Appends the events of one command (they share `occurredAt`), numbering revisions per deal. */
function at(occurredAt: string, dealId: string, ...events: { type: string; data: Record<string, unknown> }[]): void {
  for (const event of events) {
    const revision = (revisions.get(dealId) ?? -1) + 1;
    revisions.set(dealId, revision);
    history.push({ dealId, revision, occurredAt, type: event.type, data: { dealId, ...event.data } });
  }
}

const dealCreated = (fields: Record<string, unknown>) => ({
  type: 'DealCreated',
  data: { title: 'Deal', contactId: null, companyId: null, lineItems: [], ...fields },
});

// ---- The known history (times are UTC). Quarter 2026-Q4 runs from 2026-10-01 to 2026-12-31. ----

// D1, Ana, pipeline P1, EUR: created in September, moved in October, amount raised, committed, won on 10 November.
at('2026-09-05T10:00:00.000Z', 'd1', dealCreated({ pipelineId: 'p1', stageId: 's1', stageType: 'open', probability: 20, amount: '10000.00', currency: 'EUR', expectedCloseDate: '2026-11-20', ownerId: 'ana', forecastCategory: 'pipeline' }));
at('2026-10-10T09:00:00.000Z', 'd1', { type: 'DealStageChanged', data: { pipelineId: 'p1', fromStageId: 's1', toStageId: 's2', stageType: 'open', probability: 60, comment: 'demo done' } });
at('2026-10-20T12:00:00.000Z', 'd1', { type: 'DealAmountChanged', data: { amount: '12000.00', currency: 'EUR' } });
at('2026-10-21T08:00:00.000Z', 'd1', { type: 'DealForecastCategoryChanged', data: { forecastCategory: 'commit' } });
at(
  '2026-11-10T15:00:00.000Z',
  'd1',
  { type: 'DealStageChanged', data: { pipelineId: 'p1', fromStageId: 's2', toStageId: 'won', stageType: 'won', probability: 100, comment: 'signed' } },
  { type: 'DealWon', data: { reason: 'best fit', closedOn: '2026-11-10' } },
);

// D2, Bo, P1, EUR, best case: lost on 15 October, reopened on 1 November, then slips into 2027 on 20 November.
at('2026-09-12T11:00:00.000Z', 'd2', dealCreated({ pipelineId: 'p1', stageId: 's2', stageType: 'open', probability: 50, amount: '8000.00', currency: 'EUR', expectedCloseDate: '2026-12-15', ownerId: 'bo', forecastCategory: 'best_case' }));
at(
  '2026-10-15T10:00:00.000Z',
  'd2',
  { type: 'DealStageChanged', data: { pipelineId: 'p1', fromStageId: 's2', toStageId: 'lost', stageType: 'lost', probability: 0, comment: 'budget cut' } },
  { type: 'DealLost', data: { reason: 'no budget', closedOn: '2026-10-15' } },
);
at(
  '2026-11-01T09:00:00.000Z',
  'd2',
  { type: 'DealStageChanged', data: { pipelineId: 'p1', fromStageId: 'lost', toStageId: 's2', stageType: 'open', probability: 50, comment: 'budget is back' } },
  { type: 'DealReopened', data: {} },
);
at('2026-11-20T10:00:00.000Z', 'd2', { type: 'DealExpectedCloseDateChanged', data: { expectedCloseDate: '2027-01-15' } });

// D3, Ana, pipeline P2, in USD (another currency), committed: moved on 2 October, lost on 12 November.
at('2026-09-20T14:00:00.000Z', 'd3', dealCreated({ pipelineId: 'p2', stageId: 't1', stageType: 'open', probability: 25, amount: '5000.50', currency: 'USD', expectedCloseDate: '2026-10-30', ownerId: 'ana', forecastCategory: 'commit' }));
at('2026-10-02T10:00:00.000Z', 'd3', { type: 'DealStageChanged', data: { pipelineId: 'p2', fromStageId: 't1', toStageId: 't2', stageType: 'open', probability: 75, comment: null } });
at(
  '2026-11-12T10:00:00.000Z',
  'd3',
  { type: 'DealStageChanged', data: { pipelineId: 'p2', fromStageId: 't2', toStageId: 't-lost', stageType: 'lost', probability: 0, comment: null } },
  { type: 'DealLost', data: { reason: 'competitor', closedOn: '2026-11-12' } },
);

// D4, Carla then Bo (from noon on 1 October), P1, EUR: deleted on 16 November.
at('2026-09-25T08:00:00.000Z', 'd4', dealCreated({ pipelineId: 'p1', stageId: 's1', stageType: 'open', probability: 10, amount: '3333.33', currency: 'EUR', expectedCloseDate: '2026-12-01', ownerId: 'carla', forecastCategory: 'pipeline' }));
at('2026-10-01T12:00:00.000Z', 'd4', { type: 'DealOwnerChanged', data: { ownerId: 'bo' } });
at('2026-10-05T09:00:00.000Z', 'd4', { type: 'DealTitleChanged', data: { title: 'Delta' } }); // not read by the forecast
at('2026-11-16T09:00:00.000Z', 'd4', { type: 'DealDeleted', data: {} });

// D5, Ana, P1, EUR: created on 5 October (after the first asOf), best case, committed on 25 November.
at('2026-10-05T16:00:00.000Z', 'd5', dealCreated({ pipelineId: 'p1', stageId: 's1', stageType: 'open', probability: 40, amount: '2000.00', currency: 'EUR', expectedCloseDate: '2026-12-20', ownerId: 'ana', forecastCategory: 'best_case' }));
at('2026-11-25T10:00:00.000Z', 'd5', { type: 'DealForecastCategoryChanged', data: { forecastCategory: 'commit' } });

// D6, Ana, P1, EUR: won in the third quarter: never in the Q4 figures.
at('2026-09-01T09:00:00.000Z', 'd6', dealCreated({ pipelineId: 'p1', stageId: 's1', stageType: 'open', probability: 90, amount: '7000.00', currency: 'EUR', expectedCloseDate: '2026-09-30', ownerId: 'ana', forecastCategory: 'commit' }));
at(
  '2026-09-28T09:00:00.000Z',
  'd6',
  { type: 'DealStageChanged', data: { pipelineId: 'p1', fromStageId: 's1', toStageId: 'won', stageType: 'won', probability: 100, comment: null } },
  { type: 'DealWon', data: { reason: 'renewal', closedOn: '2026-09-28' } },
);

/** What the deal_versions projection stores: one version per forecast-relevant event. */
function versionsOf(entries: readonly HistoryEntry[]): DealFacts[] {
  const current = new Map<string, DealFacts | null>();
  const versions: DealFacts[] = [];
  for (const entry of entries) {
    const event = { type: entry.type, data: entry.data } as ForecastDealEvent;
    if (!isForecastDealEvent(event)) continue;
    const next = evolveDealFacts(current.get(entry.dealId) ?? null, event, { tenantId: TENANT, revision: entry.revision, occurredAt: entry.occurredAt });
    current.set(entry.dealId, next);
    if (next) versions.push(next);
  }
  return versions;
}

/**
 * The reference: each deal's stream read up to asOf (events with occurredAt ≤ asOf, as `readStream` with
 * `untilTime` does) and folded by the deal decider's own `evolve`, then turned into facts.
 */
function foldedUpTo(entries: readonly HistoryEntry[], asOf?: string): DealFacts[] {
  const upTo = asOf === undefined ? entries : entries.filter((entry) => Date.parse(entry.occurredAt) <= Date.parse(asOf));
  const states = new Map<string, { state: DealState; last: HistoryEntry }>();
  for (const entry of upTo) {
    const state = states.get(entry.dealId)?.state ?? dealDecider.initialState();
    states.set(entry.dealId, { state: dealDecider.evolve(state, { type: entry.type, data: entry.data } as DealEvent), last: entry });
  }
  return [...states.values()].flatMap(({ state, last }) => dealFactsFromState(state, { tenantId: TENANT, revision: last.revision, occurredAt: last.occurredAt }) ?? []);
}

const Q4 = parseForecastPeriod('2026-Q4');
const versions = versionsOf(history);
const zeroFigures = { weightedPipeline: '0.00', openPipeline: '0.00', commit: '0.00', bestCase: '0.00', closedWon: '0.00', closedLost: '0.00', openDeals: 0, commitDeals: 0, bestCaseDeals: 0, wonDeals: 0, lostDeals: 0 };

describe('forecastFrom, against a known event history', () => {
  it('keeps one version per forecast-relevant event, and none for others', () => {
    expect(versions).toHaveLength(history.length - 1); // all but DealTitleChanged
    expect(versions.filter((version) => version.dealId === 'd1').map((version) => version.revision)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('as of 2026-10-01 (end of that day): four open deals, nothing closed yet', () => {
    const forecast = forecastFrom(versions, Q4, parseAsOfInstant('2026-10-01'), { groupBy: 'owner' });
    // EUR open in Q4: D1 10000.00 @20 %, D2 8000.00 @50 % (best case), D4 3333.33 @10 %. D5 does not exist yet; D6 closed in Q3.
    //   weighted = 2000 + 4000 + 333.333 = 6333.333; open = 21333.33; commit = 0; best case = D2 = 8000.00.
    // USD open in Q4: D3 5000.50 @25 % (commit, so also best case): weighted = 1250.125.
    expect(forecast).toMatchObject({ period: '2026-Q4', start: '2026-10-01', end: '2026-12-31', asOf: '2026-10-01T23:59:59.999Z', groupBy: 'owner' });
    expect(forecast.totals).toEqual([
      { ...zeroFigures, currency: 'EUR', weightedPipeline: '6333.333', openPipeline: '21333.33', bestCase: '8000.00', openDeals: 3, bestCaseDeals: 1 },
      { ...zeroFigures, currency: 'USD', weightedPipeline: '1250.125', openPipeline: '5000.50', commit: '5000.50', bestCase: '5000.50', openDeals: 1, commitDeals: 1, bestCaseDeals: 1 },
    ]);
    // By owner: D4 moved from Carla to Bo at noon on 1 October, so at the end of the day it is Bo's:
    //   Ana: D1 (EUR 2000.00 weighted), D3 (USD); Bo: D2 + D4 = 4000 + 333.333 weighted, 11333.33 open.
    expect(forecast.groups).toEqual([
      {
        key: 'ana',
        totals: [
          { ...zeroFigures, currency: 'EUR', weightedPipeline: '2000.00', openPipeline: '10000.00', openDeals: 1 },
          { ...zeroFigures, currency: 'USD', weightedPipeline: '1250.125', openPipeline: '5000.50', commit: '5000.50', bestCase: '5000.50', openDeals: 1, commitDeals: 1, bestCaseDeals: 1 },
        ],
      },
      { key: 'bo', totals: [{ ...zeroFigures, currency: 'EUR', weightedPipeline: '4333.333', openPipeline: '11333.33', bestCase: '8000.00', openDeals: 2, bestCaseDeals: 1 }] },
    ]);
  });

  it('as of an instant before noon on 1 October: D4 was still Carla’s', () => {
    const forecast = forecastFrom(versions, Q4, parseAsOfInstant('2026-10-01T11:59:59Z'), { groupBy: 'owner' });
    expect(forecast.groups?.map((group) => group.key)).toEqual(['ana', 'bo', 'carla']);
    expect(forecast.groups?.[2]).toEqual({ key: 'carla', totals: [{ ...zeroFigures, currency: 'EUR', weightedPipeline: '333.333', openPipeline: '3333.33', openDeals: 1 }] });
  });

  it('as of 2026-11-15: D1 won (at its raised amount), D3 lost, D2 reopened, D5 new, D4 not yet deleted', () => {
    const forecast = forecastFrom(versions, Q4, parseAsOfInstant('2026-11-15'));
    // EUR open in Q4: D2 8000.00 @50 % (best case), D4 3333.33 @10 %, D5 2000.00 @40 % (best case):
    //   weighted = 4000 + 333.333 + 800 = 5133.333; open = 13333.33; best case = 8000 + 2000 = 10000.00 (2 deals).
    // EUR closed won: D1 12000.00 (won on 2026-11-10, amount raised from 10000.00 on 20 October).
    // USD: D3 lost on 2026-11-12: closed lost 5000.50, nothing open.
    expect(forecast.totals).toEqual([
      { ...zeroFigures, currency: 'EUR', weightedPipeline: '5133.333', openPipeline: '13333.33', bestCase: '10000.00', closedWon: '12000.00', openDeals: 3, bestCaseDeals: 2, wonDeals: 1 },
      { ...zeroFigures, currency: 'USD', closedLost: '5000.50', lostDeals: 1 },
    ]);
    expect(forecast.groups).toBeUndefined();
  });

  it('now: D2 slipped into 2027, D4 deleted, D5 committed', () => {
    const forecast = forecastFrom(versions, Q4, undefined, { groupBy: 'pipeline' });
    // EUR: D5 2000.00 @40 % = 800.00 weighted, committed (so best case too); D1 12000.00 won.
    // USD: D3 lost 5000.50.
    expect(forecast.asOf).toBeNull();
    expect(forecast.totals).toEqual([
      { ...zeroFigures, currency: 'EUR', weightedPipeline: '800.00', openPipeline: '2000.00', commit: '2000.00', bestCase: '2000.00', closedWon: '12000.00', openDeals: 1, commitDeals: 1, bestCaseDeals: 1, wonDeals: 1 },
      { ...zeroFigures, currency: 'USD', closedLost: '5000.50', lostDeals: 1 },
    ]);
    expect(forecast.groups?.map((group) => group.key)).toEqual(['p1', 'p2']);
  });

  it('filters by owner, pipeline and currency, and never adds currencies together', () => {
    const asOf = parseAsOfInstant('2026-10-01');
    expect(forecastFrom(versions, Q4, asOf, { currency: 'USD' }).totals.map((figures) => figures.currency)).toEqual(['USD']);
    expect(forecastFrom(versions, Q4, asOf, { ownerId: 'bo' }).totals).toEqual([
      { ...zeroFigures, currency: 'EUR', weightedPipeline: '4333.333', openPipeline: '11333.33', bestCase: '8000.00', openDeals: 2, bestCaseDeals: 1 },
    ]);
    expect(forecastFrom(versions, Q4, asOf, { pipelineId: 'p2' }).totals).toHaveLength(1);
    expect(forecastFrom(versions, Q4, asOf, { ownerId: 'nobody' }).totals).toEqual([]);
  });

  it('reads months too: November holds D1’s win and D3’s loss now', () => {
    const november = forecastFrom(versions, parseForecastPeriod('2026-11'));
    expect(november.totals).toEqual([
      { ...zeroFigures, currency: 'EUR', closedWon: '12000.00', wonDeals: 1 },
      { ...zeroFigures, currency: 'USD', closedLost: '5000.50', lostDeals: 1 },
    ]);
  });

  it('gives the same answer from versions as from folding the streams up to asOf with the deal decider, at every instant of the history', () => {
    const instants = new Set<string>();
    for (const entry of history) {
      const time = Date.parse(entry.occurredAt);
      for (const delta of [-1, 0, 1]) instants.add(new Date(time + delta).toISOString());
    }
    for (const period of [Q4, parseForecastPeriod('2026-11'), parseForecastPeriod('2026-Q3')]) {
      for (const asOf of [...instants, undefined]) {
        for (const groupBy of ['owner', 'pipeline'] as const) {
          expect(forecastFrom(versions, period, asOf, { groupBy })).toEqual(forecastFrom(foldedUpTo(history, asOf), period, asOf, { groupBy }));
        }
      }
    }
  });

  it('takes the last event of a command when several share its instant', () => {
    const atWin = versionsAsOf(versions, '2026-11-10T15:00:00.000Z').find((version) => version.dealId === 'd1');
    expect(atWin).toMatchObject({ status: 'won', closedOn: '2026-11-10', stageId: 'won', revision: 5 });
  });
});

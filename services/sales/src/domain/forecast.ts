import { DomainError } from '@crm/decider';
import type Decimal from 'decimal.js';
import { type ForecastPeriod, periodContains } from './forecast-period';
import type { DealEvent, DealState, ForecastCategory } from './deal';
import { ExactDecimal, formatAmount } from './money';

export { FORECAST_CATEGORIES, type ForecastCategory } from './deal';

/** Where a deal stands for the forecast. A deleted deal counts nowhere from its deletion on. */
export type DealForecastStatus = 'open' | 'won' | 'lost' | 'deleted';

/**
 * What the forecast reads of one deal, as it stood from `validFrom` on: one VERSION of the deal's
 * forecast-relevant facts. A deal has one version per event that changed these facts.
 */
export interface DealFacts {
  tenantId: string;
  dealId: string;
  /** Revision of the deal-stream event that produced this version; orders versions with equal `validFrom`. */
  revision: number;
  /** When this version became true: the event's `occurredAt`, as a canonical ISO instant. */
  validFrom: string;
  pipelineId: string;
  stageId: string;
  status: DealForecastStatus;
  /** Win probability of the stage, 0-100. */
  probability: number;
  /** Exact decimal string. */
  amount: string;
  currency: string;
  expectedCloseDate: string | null;
  ownerId: string | null;
  forecastCategory: ForecastCategory;
  /** The day the deal was won or lost; null while open. */
  closedOn: string | null;
}

/** The deal events that change what the forecast reads; the others (title, links, line items, comments) do not. */
export type ForecastDealEvent = Extract<
  DealEvent,
  {
    type:
      | 'DealCreated'
      | 'DealStageChanged'
      | 'DealWon'
      | 'DealLost'
      | 'DealReopened'
      | 'DealAmountChanged'
      | 'DealExpectedCloseDateChanged'
      | 'DealOwnerChanged'
      | 'DealForecastCategoryChanged'
      | 'DealDeleted';
  }
>;

export const FORECAST_DEAL_EVENT_TYPES: readonly ForecastDealEvent['type'][] = [
  'DealCreated',
  'DealStageChanged',
  'DealWon',
  'DealLost',
  'DealReopened',
  'DealAmountChanged',
  'DealExpectedCloseDateChanged',
  'DealOwnerChanged',
  'DealForecastCategoryChanged',
  'DealDeleted',
];

export function isForecastDealEvent(event: { type: string }): event is ForecastDealEvent {
  return (FORECAST_DEAL_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** Where an event sits in its stream and in time: what turns the next facts into a version. */
export interface EventPlace {
  tenantId: string;
  revision: number;
  /** The event's `metadata.occurredAt` (any ISO-8601 instant; stored canonical). */
  occurredAt: string;
}

/**
 * Folds one deal event into the deal's facts, giving the version that starts at this event. It follows
 * the deal decider's own `evolve`: the outcome changes only with DealWon, DealLost and DealReopened (a
 * move into a won or lost stage always comes with one of them, in the same command). Returns `current`
 * unchanged (null) for an event before the deal's creation.
 */
export function evolveDealFacts(current: DealFacts | null, event: ForecastDealEvent, place: EventPlace): DealFacts | null {
  const stamp = { revision: place.revision, validFrom: new Date(place.occurredAt).toISOString() };
  if (event.type === 'DealCreated') {
    const data = event.data;
    return {
      tenantId: place.tenantId,
      dealId: data.dealId,
      ...stamp,
      pipelineId: data.pipelineId,
      stageId: data.stageId,
      status: 'open',
      probability: data.probability,
      amount: data.amount,
      currency: data.currency,
      expectedCloseDate: data.expectedCloseDate ?? null,
      ownerId: data.ownerId ?? null,
      forecastCategory: data.forecastCategory,
      closedOn: null,
    };
  }
  if (!current) return current;
  const next = { ...current, ...stamp };
  switch (event.type) {
    case 'DealStageChanged':
      return { ...next, pipelineId: event.data.pipelineId, stageId: event.data.toStageId, probability: event.data.probability };
    case 'DealWon':
      return { ...next, status: 'won', closedOn: event.data.closedOn };
    case 'DealLost':
      return { ...next, status: 'lost', closedOn: event.data.closedOn };
    case 'DealReopened':
      return { ...next, status: 'open', closedOn: null };
    case 'DealAmountChanged':
      return { ...next, amount: event.data.amount, currency: event.data.currency };
    case 'DealExpectedCloseDateChanged':
      return { ...next, expectedCloseDate: event.data.expectedCloseDate ?? null };
    case 'DealOwnerChanged':
      return { ...next, ownerId: event.data.ownerId ?? null };
    case 'DealForecastCategoryChanged':
      return { ...next, forecastCategory: event.data.forecastCategory };
    case 'DealDeleted':
      return { ...next, status: 'deleted' };
  }
}

/**
 * The facts of a deal as the deal decider folded them (e.g. a stream read up to `asOf`): the other way
 * to the same numbers, used to check the versions against the streams. Null for a deal never created.
 */
export function dealFactsFromState(state: DealState, place: EventPlace): DealFacts | null {
  if (state.lifecycle === 'absent' || state.id === null) return null;
  return {
    tenantId: place.tenantId,
    dealId: state.id,
    revision: place.revision,
    validFrom: new Date(place.occurredAt).toISOString(),
    pipelineId: state.pipelineId,
    stageId: state.stageId,
    status: state.lifecycle === 'deleted' ? 'deleted' : state.status,
    probability: state.probability,
    amount: state.amount,
    currency: state.currency,
    expectedCloseDate: state.expectedCloseDate,
    ownerId: state.ownerId,
    forecastCategory: state.forecastCategory,
    closedOn: state.closedOn,
  };
}

/**
 * For each deal, the version that was true at `asOf` (the last with `validFrom` ≤ `asOf`; ties go to the
 * higher revision, i.e. the later event of one command). Without `asOf`, each deal's latest version.
 */
export function versionsAsOf(versions: readonly DealFacts[], asOf?: string): DealFacts[] {
  const latest = new Map<string, DealFacts>();
  for (const version of versions) {
    if (asOf !== undefined && version.validFrom > asOf) continue;
    const key = `${version.tenantId}\u0000${version.dealId}`;
    const known = latest.get(key);
    if (!known || version.validFrom > known.validFrom || (version.validFrom === known.validFrom && version.revision > known.revision)) {
      latest.set(key, version);
    }
  }
  return [...latest.values()];
}

export type ForecastGroupBy = 'owner' | 'pipeline';
export const FORECAST_GROUP_BY: readonly ForecastGroupBy[] = ['owner', 'pipeline'];

export interface ForecastOptions {
  groupBy?: ForecastGroupBy;
  ownerId?: string;
  pipelineId?: string;
  currency?: string;
}

/** The forecast figures of one currency. Amounts are exact decimals; currencies are never added together. */
export interface ForecastFigures {
  currency: string;
  /** Σ amount × probability / 100 of the open deals expected to close in the period. */
  weightedPipeline: string;
  /** Σ amount of the same deals, unweighted. */
  openPipeline: string;
  /** Σ amount of the open deals in the period in forecast category `commit`. */
  commit: string;
  /** Σ amount of the open deals in the period in category `best_case` or `commit`: the upside includes what is committed. */
  bestCase: string;
  /** Σ amount of the deals won with `closedOn` in the period. */
  closedWon: string;
  /** Σ amount of the deals lost with `closedOn` in the period. */
  closedLost: string;
  openDeals: number;
  commitDeals: number;
  bestCaseDeals: number;
  wonDeals: number;
  lostDeals: number;
}

export interface ForecastGroup {
  /** The owner (groupBy=owner; null for deals without one) or the pipeline (groupBy=pipeline). */
  key: string | null;
  totals: ForecastFigures[];
}

export interface Forecast {
  period: string;
  start: string;
  end: string;
  /** The instant the forecast is computed as of; null for "now" (every deal's latest version). */
  asOf: string | null;
  groupBy: ForecastGroupBy | null;
  /** One entry per currency, sorted by currency code. */
  totals: ForecastFigures[];
  /** Present when grouped: one entry per owner or pipeline, sorted by key (no owner last). */
  groups?: ForecastGroup[];
}

/** Running sums of one currency. */
class Accumulator {
  weightedPipeline: Decimal = new ExactDecimal(0);
  openPipeline: Decimal = new ExactDecimal(0);
  commit: Decimal = new ExactDecimal(0);
  bestCase: Decimal = new ExactDecimal(0);
  closedWon: Decimal = new ExactDecimal(0);
  closedLost: Decimal = new ExactDecimal(0);
  openDeals = 0;
  commitDeals = 0;
  bestCaseDeals = 0;
  wonDeals = 0;
  lostDeals = 0;

  constructor(readonly currency: string) {}

  add(deal: DealFacts, period: ForecastPeriod): void {
    const amount = new ExactDecimal(deal.amount);
    if (deal.status === 'open' && periodContains(period, deal.expectedCloseDate)) {
      this.openDeals++;
      this.openPipeline = this.openPipeline.plus(amount);
      this.weightedPipeline = this.weightedPipeline.plus(amount.times(deal.probability).dividedBy(100));
      if (deal.forecastCategory === 'commit') {
        this.commitDeals++;
        this.commit = this.commit.plus(amount);
      }
      if (deal.forecastCategory === 'commit' || deal.forecastCategory === 'best_case') {
        this.bestCaseDeals++;
        this.bestCase = this.bestCase.plus(amount);
      }
    } else if (deal.status === 'won' && periodContains(period, deal.closedOn)) {
      this.wonDeals++;
      this.closedWon = this.closedWon.plus(amount);
    } else if (deal.status === 'lost' && periodContains(period, deal.closedOn)) {
      this.lostDeals++;
      this.closedLost = this.closedLost.plus(amount);
    }
  }

  figures(): ForecastFigures {
    const money = (value: Decimal) => formatAmount(value, this.currency);
    return {
      currency: this.currency,
      weightedPipeline: money(this.weightedPipeline),
      openPipeline: money(this.openPipeline),
      commit: money(this.commit),
      bestCase: money(this.bestCase),
      closedWon: money(this.closedWon),
      closedLost: money(this.closedLost),
      openDeals: this.openDeals,
      commitDeals: this.commitDeals,
      bestCaseDeals: this.bestCaseDeals,
      wonDeals: this.wonDeals,
      lostDeals: this.lostDeals,
    };
  }
}

/** Whether a deal version contributes anything to the period's forecast. */
export function countsInPeriod(deal: DealFacts, period: ForecastPeriod): boolean {
  if (deal.status === 'open') return periodContains(period, deal.expectedCloseDate);
  if (deal.status === 'won' || deal.status === 'lost') return periodContains(period, deal.closedOn);
  return false;
}

function totalsOf(deals: readonly DealFacts[], period: ForecastPeriod): ForecastFigures[] {
  const byCurrency = new Map<string, Accumulator>();
  for (const deal of deals) {
    let accumulator = byCurrency.get(deal.currency);
    if (!accumulator) byCurrency.set(deal.currency, (accumulator = new Accumulator(deal.currency)));
    accumulator.add(deal, period);
  }
  return [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)).map((accumulator) => accumulator.figures());
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * The forecast of `period` as it stood at `asOf`, from versions of deal facts (any number per deal, in
 * any order): each deal counts with its version true at `asOf`, or its latest one when `asOf` is omitted.
 * Pure: the same versions and arguments always give the same figures.
 */
export function forecastFrom(versions: readonly DealFacts[], period: ForecastPeriod, asOf?: string, options: ForecastOptions = {}): Forecast {
  if (options.groupBy !== undefined && !FORECAST_GROUP_BY.includes(options.groupBy)) {
    throw new DomainError('invalid', `Invalid groupBy: ${String(options.groupBy)}`, [{ field: 'groupBy', reason: 'must be owner or pipeline' }]);
  }
  const deals = versionsAsOf(versions, asOf).filter(
    (deal) =>
      countsInPeriod(deal, period) &&
      (options.ownerId === undefined || deal.ownerId === options.ownerId) &&
      (options.pipelineId === undefined || deal.pipelineId === options.pipelineId) &&
      (options.currency === undefined || deal.currency === options.currency),
  );
  const forecast: Forecast = {
    period: period.key,
    start: period.start,
    end: period.end,
    asOf: asOf ?? null,
    groupBy: options.groupBy ?? null,
    totals: totalsOf(deals, period),
  };
  if (options.groupBy) {
    const keyOf = options.groupBy === 'owner' ? (deal: DealFacts) => deal.ownerId : (deal: DealFacts) => deal.pipelineId;
    const byKey = new Map<string | null, DealFacts[]>();
    for (const deal of deals) {
      const key = keyOf(deal);
      const group = byKey.get(key);
      if (group) group.push(deal);
      else byKey.set(key, [deal]);
    }
    forecast.groups = [...byKey.entries()]
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([key, groupDeals]) => ({ key, totals: totalsOf(groupDeals, period) }));
  }
  return forecast;
}

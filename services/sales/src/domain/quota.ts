import Decimal from 'decimal.js';
import { type Decider, DomainError } from '@crm/decider';
import type { ForecastFigures } from './forecast';
import { parseForecastPeriod } from './forecast-period';
import { ExactDecimal, type Money, parseMoney } from './money';

/**
 * A sales quota: the amount one owner is expected to close in one period (month or quarter). There is
 * one quota stream per owner and period (its id derives from both), so setting a quota twice changes it
 * instead of creating a rival, and every change stays in that stream's history.
 */
export interface QuotaState {
  lifecycle: 'absent' | 'active' | 'deleted';
  quotaId: string | null;
  ownerId: string | null;
  period: string | null;
  amount: string | null;
  currency: string | null;
}

export interface QuotaInput {
  ownerId?: string;
  period?: string;
  amount?: string;
  currency?: string;
}

export type QuotaCommand =
  /** POST: a new quota; a quota already set for this owner and period is a conflict. */
  | { type: 'CreateQuota'; quotaId: string; input: QuotaInput }
  /** PUT by owner and period: creates the quota, or changes it when it exists. */
  | { type: 'SetQuota'; quotaId: string; input: QuotaInput }
  /** PUT /quotas/{id}: changes the amount or the currency of an existing quota. */
  | { type: 'ChangeQuota'; input: Pick<QuotaInput, 'amount' | 'currency'> }
  | { type: 'DeleteQuota' };

export type QuotaEvent =
  | { type: 'QuotaCreated'; data: { quotaId: string; ownerId: string; period: string; amount: string; currency: string } }
  | { type: 'QuotaChanged'; data: { quotaId: string; amount: string; currency: string; previousAmount: string; previousCurrency: string } }
  | { type: 'QuotaDeleted'; data: { quotaId: string } };

export type QuotaEventType = QuotaEvent['type'];

/** Owner ids are user ids as the gateway passes them in X-Actor-Id. */
const OWNER_ID = /^[\w.@:+-]{1,128}$/;

function invalid(field: string, reason: string): DomainError {
  return new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);
}

function ownerIdOf(value: string | undefined): string {
  const ownerId = value?.trim() ?? '';
  if (!ownerId) throw invalid('ownerId', 'a quota needs an owner');
  if (!OWNER_ID.test(ownerId)) throw invalid('ownerId', 'must be 1-128 word characters or .@:+-');
  return ownerId;
}

/** A quota is a positive amount with at most the currency's minor units (cents for EUR, none for JPY). */
function quotaMoney(amount: string | null | undefined, currency: string | null | undefined): Money {
  if (amount === undefined || amount === null) throw invalid('amount', 'a quota needs an amount, e.g. "50000.00"');
  if (currency === undefined || currency === null) throw invalid('currency', 'a quota needs an ISO 4217 currency, e.g. EUR');
  const money = parseMoney(amount, currency);
  if (new ExactDecimal(money.amount).isZero()) throw invalid('amount', 'must be greater than zero (delete the quota instead)');
  return money;
}

function created(quotaId: string, input: QuotaInput): QuotaEvent[] {
  const ownerId = ownerIdOf(input.ownerId);
  const period = parseForecastPeriod(input.period).key;
  const money = quotaMoney(input.amount, input.currency);
  return [{ type: 'QuotaCreated', data: { quotaId, ownerId, period, ...money } }];
}

function changed(state: QuotaState, input: Pick<QuotaInput, 'amount' | 'currency'>): QuotaEvent[] {
  const money = quotaMoney(input.amount ?? state.amount, input.currency ?? state.currency);
  const previous = { amount: state.amount as string, currency: state.currency as string };
  if (money.currency === previous.currency && new ExactDecimal(money.amount).equals(previous.amount)) return [];
  return [
    {
      type: 'QuotaChanged',
      data: { quotaId: state.quotaId as string, ...money, previousAmount: previous.amount, previousCurrency: previous.currency },
    },
  ];
}

/** The owner and period name the quota: a command for another owner or period on this stream is a mistake. */
function assertSameTarget(state: QuotaState, input: QuotaInput): void {
  if (input.ownerId !== undefined && ownerIdOf(input.ownerId) !== state.ownerId) {
    throw new DomainError('conflict', `Quota ${state.quotaId} belongs to owner ${state.ownerId}`);
  }
  if (input.period !== undefined && parseForecastPeriod(input.period).key !== state.period) {
    throw new DomainError('conflict', `Quota ${state.quotaId} is for period ${state.period}`);
  }
}

function decide(command: QuotaCommand, state: QuotaState): QuotaEvent[] {
  switch (command.type) {
    case 'CreateQuota':
      if (state.lifecycle === 'active') {
        throw new DomainError('conflict', `Owner ${state.ownerId} already has a quota for ${state.period} (quota ${state.quotaId}); change it with PUT`);
      }
      return created(command.quotaId, command.input);
    case 'SetQuota':
      if (state.lifecycle !== 'active') return created(command.quotaId, command.input);
      assertSameTarget(state, command.input);
      return changed(state, command.input);
    case 'ChangeQuota':
      if (state.lifecycle !== 'active') throw new DomainError('not_found', 'Quota not found');
      return changed(state, command.input);
    case 'DeleteQuota':
      if (state.lifecycle !== 'active') throw new DomainError('not_found', 'Quota not found');
      return [{ type: 'QuotaDeleted', data: { quotaId: state.quotaId as string } }];
  }
}

function evolve(state: QuotaState, event: QuotaEvent): QuotaState {
  switch (event.type) {
    case 'QuotaCreated':
      return { lifecycle: 'active', ...event.data };
    case 'QuotaChanged':
      return { ...state, amount: event.data.amount, currency: event.data.currency };
    case 'QuotaDeleted':
      return { ...state, lifecycle: 'deleted' };
    default:
      return state;
  }
}

export const quotaDecider: Decider<QuotaCommand, QuotaState, QuotaEvent> = {
  initialState: () => ({ lifecycle: 'absent', quotaId: null, ownerId: null, period: null, amount: null, currency: null }),
  decide,
  evolve,
};

export const QUOTA_FIELDS_BY_EVENT: Record<QuotaEventType, string[]> = {
  QuotaCreated: [],
  QuotaChanged: ['amount', 'currency'],
  QuotaDeleted: ['deleted'],
};

/** An active quota, as attainment reads it. */
export interface QuotaTarget {
  quotaId: string;
  ownerId: string;
  period: string;
  amount: string;
  currency: string;
}

export interface QuotaAttainment {
  quotaId: string;
  ownerId: string;
  period: string;
  quota: Money;
  /** Σ amount of the owner's deals won in the period, in the quota's currency. */
  closedWon: string;
  wonDeals: number;
  /** closedWon / quota × 100, exact decimal rounded half-up to 2 places ("83.33"). */
  attainmentPercent: string;
  /** Deals won in other currencies: listed, never converted or added to the attainment. */
  closedWonInOtherCurrencies: { currency: string; amount: string; wonDeals: number }[];
}

/** Attainment of one quota from its owner's forecast figures for the same period (one entry per currency). */
export function attainmentOf(quota: QuotaTarget, ownerFigures: readonly ForecastFigures[]): QuotaAttainment {
  const same = ownerFigures.find((figures) => figures.currency === quota.currency);
  const closedWon = same?.closedWon ?? parseMoney('0', quota.currency).amount;
  const percent = new ExactDecimal(closedWon).times(100).dividedBy(quota.amount);
  return {
    quotaId: quota.quotaId,
    ownerId: quota.ownerId,
    period: quota.period,
    quota: { amount: quota.amount, currency: quota.currency },
    closedWon,
    wonDeals: same?.wonDeals ?? 0,
    attainmentPercent: percent.toFixed(2, Decimal.ROUND_HALF_UP),
    closedWonInOtherCurrencies: ownerFigures
      .filter((figures) => figures.currency !== quota.currency && figures.wonDeals > 0)
      .map((figures) => ({ currency: figures.currency, amount: figures.closedWon, wonDeals: figures.wonDeals })),
  };
}

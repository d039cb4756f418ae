import { DomainError } from '@crm/decider';
import Decimal from 'decimal.js';

/**
 * What a service contract entitles its customer to in one term: support hours, a number of tickets, or
 * both (null: not limited by that measure). Hours are exact decimals carried as strings ("12.50").
 */
export interface Entitlements {
  hours: string | null;
  tickets: number | null;
}

export interface EntitlementsInput {
  hours?: string | null;
  tickets?: number | null;
}

/** What the current term has used so far. */
export interface EntitlementUsage {
  tickets: number;
  hours: string;
}

export interface RemainingEntitlements {
  tickets: number | null;
  hours: string | null;
}

/** Why a ticket against a contract is or is not covered. */
export type TicketCoverage = 'covered' | 'contract_expired' | 'entitlement_exhausted';

const HOURS = /^\d{1,6}(\.\d{1,2})?$/;
const MAX_TICKETS = 1_000_000;

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

/** Hours as a decimal string with two places; more places or a negative amount is a 400. */
export function checkHours(value: string | null | undefined, field: string, { allowZero }: { allowZero: boolean }): string {
  if (typeof value !== 'string' || !HOURS.test(value.trim())) throw invalid(field, 'a decimal number of hours such as "7.50", at most 2 decimals');
  const hours = new Decimal(value.trim());
  if (!allowZero && hours.isZero()) throw invalid(field, 'must be more than 0');
  return hours.toFixed(2);
}

export function normaliseEntitlements(input: EntitlementsInput | null | undefined, field = 'entitlements'): Entitlements {
  const tickets = input?.tickets ?? null;
  if (tickets !== null && (!Number.isInteger(tickets) || tickets < 0 || tickets > MAX_TICKETS)) {
    throw invalid(`${field}.tickets`, `a whole number from 0 to ${MAX_TICKETS}`);
  }
  const hours = input?.hours === null || input?.hours === undefined ? null : checkHours(input.hours, `${field}.hours`, { allowZero: true });
  return { hours, tickets };
}

export const noUsage = (): EntitlementUsage => ({ tickets: 0, hours: '0.00' });

export function addHours(left: string, right: string): string {
  return new Decimal(left).plus(right).toFixed(2);
}

export function remainingEntitlements(entitlements: Entitlements, usage: EntitlementUsage): RemainingEntitlements {
  return {
    tickets: entitlements.tickets === null ? null : Math.max(0, entitlements.tickets - usage.tickets),
    hours: entitlements.hours === null ? null : Decimal.max(0, new Decimal(entitlements.hours).minus(usage.hours)).toFixed(2),
  };
}

/** Why the entitlements are used up, or null while something is left of every limited measure. */
export function exhaustionOf(entitlements: Entitlements, usage: EntitlementUsage): string | null {
  if (entitlements.tickets !== null && usage.tickets >= entitlements.tickets) {
    return `all ${entitlements.tickets} tickets of the current term are used`;
  }
  if (entitlements.hours !== null && new Decimal(usage.hours).greaterThanOrEqualTo(entitlements.hours)) {
    return `all ${entitlements.hours} hours of the current term are used (${usage.hours} recorded)`;
  }
  return null;
}

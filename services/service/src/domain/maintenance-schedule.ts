import { DomainError } from '@crm/decider';
import { DateTime } from 'luxon';

/**
 * Calendar dates (`YYYY-MM-DD`) of contracts, assets and maintenance. They are days, not instants: a
 * contract "ends on 2026-12-31" whatever the clock says in which zone. The service keeps no tenant time
 * zone, so "today" and the instant a date is due are taken in UTC (a date is due at 00:00Z).
 */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

/** The date, or a 400 naming the field. */
export function checkDate(value: string | null | undefined, field: string): string {
  if (!isIsoDate(value)) throw new DomainError('invalid', `Invalid ${field}: must be a date such as 2026-03-31`, [{ field, reason: 'must be a date YYYY-MM-DD' }]);
  return value;
}

export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate() as string;
}

/** The UTC calendar date of an instant. */
export function utcDateOf(instant: string | Date): string {
  return (typeof instant === 'string' ? new Date(instant) : instant).toISOString().slice(0, 10);
}

/** The instant a date is due: its first moment, UTC. */
export function startOfDateUtc(date: string): string {
  return `${date}T00:00:00.000Z`;
}

/** A maintenance cadence: whole years and/or months (at least one of them positive). */
export interface MaintenanceInterval {
  years?: number;
  months?: number;
}

export const MAINTENANCE_ANCHORS = ['purchaseDate', 'installDate'] as const;
export type MaintenanceAnchor = (typeof MAINTENANCE_ANCHORS)[number];

/** What a maintenance rule says, as the schedule needs it. */
export interface MaintenancePlan {
  every: MaintenanceInterval | null;
  anchor: MaintenanceAnchor;
  /** The cadence for VIP customers; without it they follow `every`. */
  vipEvery: MaintenanceInterval | null;
  /** One visit this many days before the warranty ends. */
  beforeWarrantyEndDays: number | null;
}

/** What the schedule needs of an asset. */
export interface MaintenanceSubject {
  purchaseDate: string;
  installDate: string | null;
  warrantyEnd: string | null;
  vip: boolean;
}

export type MaintenanceReason = 'anniversary' | 'warranty_end';

export interface MaintenanceOccurrence {
  dueOn: string;
  reasons: MaintenanceReason[];
}

export function intervalMonths(interval: MaintenanceInterval | null | undefined): number {
  if (!interval) return 0;
  return (interval.years ?? 0) * 12 + (interval.months ?? 0);
}

/** The date anniversaries count from: the install date when the rule says so and the asset has one, else the purchase date. */
export function anchorDateOf(plan: Pick<MaintenancePlan, 'anchor'>, subject: Pick<MaintenanceSubject, 'purchaseDate' | 'installDate'>): string {
  return plan.anchor === 'installDate' && subject.installDate ? subject.installDate : subject.purchaseDate;
}

/**
 * The `n`-th anniversary of `anchor` at a cadence of `months`, always counted from the anchor itself so
 * that short months never shift later dates. A day the target month lacks falls on that month's last
 * day (luxon's calendar arithmetic): a product bought on 29 February has its yearly visit on
 * 28 February in common years and on 29 February again in leap years; one bought on 31 January with a
 * monthly cadence is due on 28/29 February, then 31 March.
 */
export function anniversary(anchor: string, months: number, n: number): string {
  return DateTime.fromISO(anchor, { zone: 'utc' }).plus({ months: months * n }).toISODate() as string;
}

function monthsBetween(from: string, to: string): number {
  const [fromYear, fromMonth] = from.split('-').map(Number);
  const [toYear, toMonth] = to.split('-').map(Number);
  return (toYear - fromYear) * 12 + (toMonth - fromMonth);
}

/** The cadence that applies to this asset: VIP customers get `vipEvery` when the rule has one. */
export function cadenceOf(plan: MaintenancePlan, subject: Pick<MaintenanceSubject, 'vip'>): MaintenanceInterval | null {
  if (subject.vip && plan.vipEvery && intervalMonths(plan.vipEvery) > 0) return plan.vipEvery;
  return plan.every && intervalMonths(plan.every) > 0 ? plan.every : null;
}

/** The first anniversary on or after `from` (never the anchor itself: the first visit is one cadence after it). */
function firstAnniversaryFrom(anchor: string, months: number, from: string): string {
  // Start a little before the estimate: clamped month ends make the estimate off by one at most.
  let n = Math.max(1, Math.floor(monthsBetween(anchor, from) / months) - 1);
  let date = anniversary(anchor, months, n);
  while (date < from) date = anniversary(anchor, months, ++n);
  return date;
}

/**
 * The next maintenance visit of an asset on or after `from` (the day the schedule started, or later).
 * Candidates are the anniversaries of the anchor at the applicable cadence and the day
 * `beforeWarrantyEndDays` before the warranty end; when both fall on one day they are one visit.
 */
export function nextMaintenance(plan: MaintenancePlan, subject: MaintenanceSubject, from: string): MaintenanceOccurrence | null {
  const candidates: MaintenanceOccurrence[] = [];
  const cadence = cadenceOf(plan, subject);
  if (cadence) candidates.push({ dueOn: firstAnniversaryFrom(anchorDateOf(plan, subject), intervalMonths(cadence), from), reasons: ['anniversary'] });
  if (plan.beforeWarrantyEndDays !== null && subject.warrantyEnd) {
    const dueOn = addDays(subject.warrantyEnd, -plan.beforeWarrantyEndDays);
    if (dueOn >= from) candidates.push({ dueOn, reasons: ['warranty_end'] });
  }
  if (candidates.length === 0) return null;
  const dueOn = candidates.reduce((soonest, candidate) => (candidate.dueOn < soonest ? candidate.dueOn : soonest), candidates[0].dueOn);
  return { dueOn, reasons: candidates.filter((candidate) => candidate.dueOn === dueOn).flatMap((candidate) => candidate.reasons) };
}

/**
 * Where the schedule resumes: the day after the last visit that fell due, but never before the day the
 * asset came under a rule (so registering an old asset does not replay years of missed visits, while a
 * visit due that very day still counts).
 */
export function scheduleFrom(trackingSince: string, lastDueOn: string | null): string {
  const afterLast = lastDueOn ? addDays(lastDueOn, 1) : trackingSince;
  return afterLast > trackingSince ? afterLast : trackingSince;
}

/** The next `count` visits from `from`, for display. */
export function upcomingMaintenance(plan: MaintenancePlan, subject: MaintenanceSubject, from: string, count: number): MaintenanceOccurrence[] {
  const upcoming: MaintenanceOccurrence[] = [];
  let cursor = from;
  while (upcoming.length < count) {
    const next = nextMaintenance(plan, subject, cursor);
    if (!next) break;
    upcoming.push(next);
    cursor = addDays(next.dueOn, 1);
  }
  return upcoming;
}

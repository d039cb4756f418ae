import { DomainError } from '@crm/decider';
import { DateTime } from 'luxon';

/** A forecast or quota period: a calendar month (`2026-11`) or quarter (`2026-Q4`), in calendar days (no time zone). */
export interface ForecastPeriod {
  /** Canonical form, as the API writes it: `2026-Q4` or `2026-11`. */
  key: string;
  kind: 'month' | 'quarter';
  /** First day of the period (YYYY-MM-DD). */
  start: string;
  /** Last day of the period, inclusive (YYYY-MM-DD). */
  end: string;
}

const QUARTER = /^(\d{4})-Q([1-4])$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Date-times as ISO-8601 allows them; one without an offset is read as UTC, never as the server's zone.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const FIRST_YEAR = 1900;
const LAST_YEAR = 2999;

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function invalidPeriod(field: string, text: string): DomainError {
  return new DomainError('invalid', `Invalid ${field}: ${JSON.stringify(text)} is not a month (2026-11) or a quarter (2026-Q4)`, [
    { field, reason: 'must be a month such as 2026-11 or a quarter such as 2026-Q4' },
  ]);
}

function lastDayOfMonth(year: number, month: number): number {
  return DateTime.utc(year, month, 1).daysInMonth as number;
}

/** Parses `2026-Q4` (also `2026-q4`) or `2026-11`; anything else is a DomainError naming `field`. */
export function parseForecastPeriod(text: string | undefined | null, field = 'period'): ForecastPeriod {
  const value = (text ?? '').trim().toUpperCase();
  const quarter = QUARTER.exec(value);
  const month = MONTH.exec(value);
  const year = Number((quarter ?? month)?.[1]);
  if ((!quarter && !month) || year < FIRST_YEAR || year > LAST_YEAR) throw invalidPeriod(field, text ?? '');
  if (quarter) {
    const firstMonth = (Number(quarter[2]) - 1) * 3 + 1;
    const lastMonth = firstMonth + 2;
    return {
      key: `${year}-Q${quarter[2]}`,
      kind: 'quarter',
      start: `${year}-${pad(firstMonth)}-01`,
      end: `${year}-${pad(lastMonth)}-${pad(lastDayOfMonth(year, lastMonth))}`,
    };
  }
  const monthNumber = Number(month![2]);
  if (monthNumber < 1 || monthNumber > 12) throw invalidPeriod(field, text ?? '');
  return { key: `${year}-${pad(monthNumber)}`, kind: 'month', start: `${year}-${pad(monthNumber)}-01`, end: `${year}-${pad(monthNumber)}-${pad(lastDayOfMonth(year, monthNumber))}` };
}

/** Whether a calendar day (YYYY-MM-DD) falls in the period; null (no date) never does. */
export function periodContains(period: ForecastPeriod, day: string | null | undefined): boolean {
  return typeof day === 'string' && day >= period.start && day <= period.end;
}

/**
 * `asOf` as the forecast reads it: a calendar day means the END of that day in UTC (what the forecast said
 * that day, after the day's changes), a date-time is taken as given (UTC when it names no offset).
 * Returns a canonical ISO instant (`2026-10-01T23:59:59.999Z`), so it compares as a string with stored instants.
 */
export function parseAsOfInstant(text: string, field = 'asOf'): string {
  const value = text.trim();
  const invalid = () =>
    new DomainError('invalid', `Invalid ${field}: ${JSON.stringify(text)} is neither a date (2026-10-01) nor an ISO-8601 instant`, [
      { field, reason: 'must be a date such as 2026-10-01 (end of that day, UTC) or an instant such as 2026-10-01T09:30:00Z' },
    ]);
  if (DATE.test(value)) {
    const day = DateTime.fromISO(value, { zone: 'utc' });
    if (!day.isValid) throw invalid();
    return new Date(day.endOf('day').toMillis()).toISOString();
  }
  if (!INSTANT.test(value)) throw invalid();
  const instant = DateTime.fromISO(value, { zone: 'utc' });
  if (!instant.isValid) throw invalid();
  return new Date(instant.toMillis()).toISOString();
}

/** The UTC calendar day of an ISO instant. */
export const utcDayOf = (instant: string): string => new Date(instant).toISOString().slice(0, 10);

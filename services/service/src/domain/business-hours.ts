import { DomainError } from '@crm/decider';
import { DateTime, IANAZone } from 'luxon';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Local wall-clock hours of one weekday, `from` inclusive, `to` exclusive; `to` may be `24:00` (end of the day). */
export interface WorkingHours {
  day: Weekday;
  from: string;
  to: string;
}

/** What a business-hours calendar is: a time zone, working hours per weekday, and whole-day holidays (local dates). */
export interface BusinessHoursDefinition {
  timeZone: string;
  workingHours: WorkingHours[];
  holidays: string[];
}

/** A span of time as epoch milliseconds, `from` inclusive, `to` exclusive. */
export interface TimeSpan {
  from: number;
  to: number;
}

export const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 1440;
/**
 * How far ahead the clock looks for working time (ten years of days): a calendar with no working hours in
 * that horizon (everything a holiday) has no instant at which a target falls due.
 */
const HORIZON_DAYS = 3660;
export const MAX_HOLIDAYS = 1000;
const TIME_PATTERN = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const minutesOf = (time: string): number => (time === '24:00' ? MINUTES_PER_DAY : Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)));

/**
 * Business time on a calendar. Working hours are wall-clock times in the calendar's zone, turned into
 * instants day by day with luxon, so a DST change moves the instants and a 24/7 calendar counts the
 * 23- or 25-hour day as it really is. All arithmetic is in whole milliseconds, so the instant at which
 * N business milliseconds have elapsed and the elapsed time up to that instant agree exactly.
 */
export class BusinessHours {
  /** Minute ranges per luxon weekday (1 = Monday … 7 = Sunday), sorted. */
  private readonly rangesByWeekday: [number, number][][];
  private readonly holidays: Set<string>;

  constructor(readonly definition: BusinessHoursDefinition) {
    this.rangesByWeekday = Array.from({ length: 8 }, () => []);
    for (const hours of definition.workingHours) {
      this.rangesByWeekday[WEEKDAYS.indexOf(hours.day) + 1].push([minutesOf(hours.from), minutesOf(hours.to)]);
    }
    for (const ranges of this.rangesByWeekday) ranges.sort((a, b) => a[0] - b[0]);
    this.holidays = new Set(definition.holidays);
  }

  /** The working time between two instants, as the working spans it is made of (clipped to the instants). */
  spansBetween(from: number, to: number): TimeSpan[] {
    const spans: TimeSpan[] = [];
    if (to <= from) return spans;
    let day = this.localDayOf(from);
    for (let count = 0; count < HORIZON_DAYS && day.toMillis() < to; count++, day = day.plus({ days: 1 })) {
      for (const span of this.daySpans(day)) {
        const clipped = { from: Math.max(span.from, from), to: Math.min(span.to, to) };
        if (clipped.to > clipped.from) spans.push(clipped);
      }
    }
    return spans;
  }

  businessMsBetween(from: number, to: number): number {
    return this.spansBetween(from, to).reduce((sum, span) => sum + span.to - span.from, 0);
  }

  /** The first instant at or after `from` at which `ms` business milliseconds have elapsed; null beyond the horizon. */
  addBusinessMs(from: number, ms: number): number | null {
    if (ms <= 0) return from;
    let remaining = ms;
    let day = this.localDayOf(from);
    for (let count = 0; count < HORIZON_DAYS; count++, day = day.plus({ days: 1 })) {
      for (const span of this.daySpans(day)) {
        const start = Math.max(span.from, from);
        if (span.to <= start) continue;
        if (span.to - start >= remaining) return start + remaining;
        remaining -= span.to - start;
      }
    }
    return null;
  }

  private localDayOf(instant: number): DateTime {
    return DateTime.fromMillis(instant, { zone: this.definition.timeZone }).startOf('day');
  }

  private daySpans(day: DateTime): TimeSpan[] {
    if (this.holidays.has(day.toISODate() ?? '')) return [];
    return this.rangesByWeekday[day.weekday]
      .map(([start, end]) => ({ from: this.instantAt(day, start), to: this.instantAt(day, end) }))
      .filter((span) => span.to > span.from);
  }

  /** A local wall time of `day` as an instant; a time skipped by DST moves forward by the gap (luxon's rule). */
  private instantAt(day: DateTime, minutes: number): number {
    if (minutes === MINUTES_PER_DAY) return day.plus({ days: 1 }).startOf('day').toMillis();
    return DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
      { zone: this.definition.timeZone },
    ).toMillis();
  }
}

function invalid(field: string, reason: string): never {
  throw new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);
}

export function isValidTimeZone(timeZone: string): boolean {
  return typeof timeZone === 'string' && timeZone.length > 0 && IANAZone.isValidZone(timeZone);
}

/** Checks and normalises a calendar's hours: IANA zone, `HH:mm` times, no overlaps within a day, real dates. */
export function normaliseBusinessHours(input: { timeZone?: string; workingHours?: WorkingHours[]; holidays?: string[] }): BusinessHoursDefinition {
  const timeZone = input.timeZone?.trim() ?? '';
  if (!isValidTimeZone(timeZone)) invalid('timeZone', 'must be an IANA time zone such as Europe/Vilnius');
  const workingHours = input.workingHours ?? [];
  if (workingHours.length === 0) invalid('workingHours', 'a calendar needs at least one working interval');
  const byDay = new Map<Weekday, [number, number][]>();
  workingHours.forEach((hours, index) => {
    const field = `workingHours.${index}`;
    if (!WEEKDAYS.includes(hours.day)) invalid(`${field}.day`, `must be one of ${WEEKDAYS.join(', ')}`);
    if (!TIME_PATTERN.test(hours.from)) invalid(`${field}.from`, 'must be a time HH:mm between 00:00 and 23:59');
    if (!TIME_PATTERN.test(hours.to) && hours.to !== '24:00') invalid(`${field}.to`, 'must be a time HH:mm between 00:01 and 24:00');
    const range: [number, number] = [minutesOf(hours.from), minutesOf(hours.to)];
    if (range[1] <= range[0]) invalid(`${field}.to`, 'must be later than from');
    const ranges = byDay.get(hours.day) ?? [];
    if (ranges.some(([start, end]) => range[0] < end && start < range[1])) invalid(`${field}`, `overlaps another interval of ${hours.day}`);
    byDay.set(hours.day, [...ranges, range]);
  });
  const holidays = [...new Set(input.holidays ?? [])];
  if (holidays.length > MAX_HOLIDAYS) invalid('holidays', `at most ${MAX_HOLIDAYS} dates`);
  holidays.forEach((date, index) => {
    if (!DATE_PATTERN.test(date) || !DateTime.fromISO(date, { zone: 'UTC' }).isValid) invalid(`holidays.${index}`, 'must be a date YYYY-MM-DD');
  });
  return {
    timeZone,
    workingHours: [...workingHours]
      .map((hours) => ({ day: hours.day, from: hours.from, to: hours.to }))
      .sort((a, b) => WEEKDAYS.indexOf(a.day) - WEEKDAYS.indexOf(b.day) || minutesOf(a.from) - minutesOf(b.from)),
    holidays: holidays.sort(),
  };
}

import { DomainError } from '@crm/decider';
import { BusinessHours, normaliseBusinessHours, type WorkingHours } from './business-hours';

const weekdays = (from: string, to: string): WorkingHours[] => (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, from, to }));
const allWeek = (): WorkingHours[] => (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({ day, from: '00:00', to: '24:00' }));
const at = (iso: string) => Date.parse(iso);
const minutes = (ms: number) => ms / 60_000;

describe('business hours', () => {
  // Vilnius is UTC+2 in winter (EET) and UTC+3 in summer (EEST).
  const vilnius = new BusinessHours({ timeZone: 'Europe/Vilnius', workingHours: weekdays('09:00', '17:00'), holidays: ['2026-12-25'] });

  it('counts only working hours, skipping the weekend', () => {
    // Friday 2026-11-20 16:00 local → Monday 2026-11-23 10:00 local: 1 h on Friday + 1 h on Monday.
    expect(minutes(vilnius.businessMsBetween(at('2026-11-20T14:00:00Z'), at('2026-11-23T08:00:00Z')))).toBe(120);
    expect(vilnius.spansBetween(at('2026-11-20T14:00:00Z'), at('2026-11-23T08:00:00Z'))).toEqual([
      { from: at('2026-11-20T14:00:00Z'), to: at('2026-11-20T15:00:00Z') },
      { from: at('2026-11-23T07:00:00Z'), to: at('2026-11-23T08:00:00Z') },
    ]);
  });

  it('skips a holiday as a whole local day', () => {
    // Thursday 24 Dec 16:00 → Monday 28 Dec 10:00: Friday 25 Dec is a holiday, so 1 h + 1 h.
    expect(minutes(vilnius.businessMsBetween(at('2026-12-24T14:00:00Z'), at('2026-12-28T08:00:00Z')))).toBe(120);
    // Two business hours after Thursday 16:00 is Monday 10:00 (past the holiday and the weekend).
    expect(new Date(vilnius.addBusinessMs(at('2026-12-24T14:00:00Z'), 120 * 60_000)!).toISOString()).toBe('2026-12-28T08:00:00.000Z');
  });

  it('starts counting at the next opening when the start is outside working hours', () => {
    expect(new Date(vilnius.addBusinessMs(at('2026-11-21T10:00:00Z'), 30 * 60_000)!).toISOString()).toBe('2026-11-23T07:30:00.000Z');
    // The end of an interval is the instant a full interval has elapsed, not the next opening.
    expect(new Date(vilnius.addBusinessMs(at('2026-11-23T07:00:00Z'), 480 * 60_000)!).toISOString()).toBe('2026-11-23T15:00:00.000Z');
  });

  it('keeps local working hours across a DST change (9-17 New York time is 8 h either side)', () => {
    const newYork = new BusinessHours({ timeZone: 'America/New_York', workingHours: weekdays('09:00', '17:00'), holidays: [] });
    // DST starts Sunday 2026-03-08: Friday 9:00 is 14:00Z (EST), Monday 9:00 is 13:00Z (EDT).
    const spans = newYork.spansBetween(at('2026-03-06T00:00:00Z'), at('2026-03-10T00:00:00Z'));
    expect(spans).toEqual([
      { from: at('2026-03-06T14:00:00Z'), to: at('2026-03-06T22:00:00Z') },
      { from: at('2026-03-09T13:00:00Z'), to: at('2026-03-09T21:00:00Z') },
    ]);
    expect(new Date(newYork.addBusinessMs(at('2026-03-06T21:00:00Z'), 120 * 60_000)!).toISOString()).toBe('2026-03-09T14:00:00.000Z');
  });

  it('counts the real length of a DST day on a 24/7 calendar', () => {
    const always = new BusinessHours({ timeZone: 'Europe/Vilnius', workingHours: allWeek(), holidays: [] });
    // Clocks go forward on Sunday 2026-03-29 at 03:00 local: Saturday noon to Sunday noon is 23 h.
    expect(minutes(always.businessMsBetween(at('2026-03-28T10:00:00Z'), at('2026-03-29T09:00:00Z')))).toBe(23 * 60);
    // …and back on Sunday 2026-10-25: that local day has 25 h.
    expect(minutes(always.businessMsBetween(at('2026-10-24T21:00:00Z'), at('2026-10-25T22:00:00Z')))).toBe(25 * 60);
  });

  it('supports several intervals a day (a lunch break)', () => {
    const split = new BusinessHours({
      timeZone: 'UTC',
      workingHours: [
        { day: 'mon', from: '08:00', to: '12:00' },
        { day: 'mon', from: '13:00', to: '17:00' },
      ],
      holidays: [],
    });
    expect(minutes(split.businessMsBetween(at('2026-11-23T11:00:00Z'), at('2026-11-23T14:00:00Z')))).toBe(120);
    expect(new Date(split.addBusinessMs(at('2026-11-23T11:30:00Z'), 60 * 60_000)!).toISOString()).toBe('2026-11-23T13:30:00.000Z');
    // Monday only: after Monday 17:00 the next working time is a week later.
    expect(new Date(split.addBusinessMs(at('2026-11-23T16:00:00Z'), 120 * 60_000)!).toISOString()).toBe('2026-11-30T09:00:00.000Z');
  });

  it('has no instant for a target on a calendar that never opens within the horizon', () => {
    const closed = new BusinessHours({ timeZone: 'UTC', workingHours: [{ day: 'mon', from: '09:00', to: '10:00' }], holidays: [] });
    expect(closed.addBusinessMs(at('2026-01-01T00:00:00Z'), 10_000 * 60 * 60_000)).toBeNull();
  });

  describe('validation', () => {
    const check = (input: Parameters<typeof normaliseBusinessHours>[0], field: RegExp) => {
      let caught: unknown;
      try {
        normaliseBusinessHours(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DomainError);
      expect((caught as DomainError).details[0].field).toMatch(field);
    };

    it('rejects unknown zones, bad times, overlaps, empty weeks and bad dates', () => {
      check({ timeZone: 'Mars/Olympus', workingHours: weekdays('09:00', '17:00') }, /timeZone/);
      check({ timeZone: 'UTC', workingHours: [] }, /workingHours/);
      check({ timeZone: 'UTC', workingHours: [{ day: 'mon', from: '9:00', to: '17:00' }] }, /workingHours\.0\.from/);
      check({ timeZone: 'UTC', workingHours: [{ day: 'mon', from: '17:00', to: '09:00' }] }, /workingHours\.0\.to/);
      check({ timeZone: 'UTC', workingHours: [{ day: 'mon', from: '09:00', to: '13:00' }, { day: 'mon', from: '12:00', to: '17:00' }] }, /workingHours\.1/);
      check({ timeZone: 'UTC', workingHours: [{ day: 'xyz' as 'mon', from: '09:00', to: '13:00' }] }, /workingHours\.0\.day/);
      check({ timeZone: 'UTC', workingHours: weekdays('09:00', '17:00'), holidays: ['2026-02-30'] }, /holidays\.0/);
    });

    it('sorts intervals and holidays and drops repeated dates', () => {
      expect(
        normaliseBusinessHours({
          timeZone: 'UTC',
          workingHours: [
            { day: 'tue', from: '13:00', to: '17:00' },
            { day: 'mon', from: '09:00', to: '12:00' },
            { day: 'tue', from: '08:00', to: '12:00' },
          ],
          holidays: ['2026-12-26', '2026-12-25', '2026-12-26'],
        }),
      ).toEqual({
        timeZone: 'UTC',
        workingHours: [
          { day: 'mon', from: '09:00', to: '12:00' },
          { day: 'tue', from: '08:00', to: '12:00' },
          { day: 'tue', from: '13:00', to: '17:00' },
        ],
        holidays: ['2026-12-25', '2026-12-26'],
      });
    });
  });
});

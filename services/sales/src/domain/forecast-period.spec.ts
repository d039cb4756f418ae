import { DomainError } from '@crm/decider';
import { parseAsOfInstant, parseForecastPeriod, periodContains } from './forecast-period';

describe('forecast periods', () => {
  it('reads a quarter as its three calendar months', () => {
    expect(parseForecastPeriod('2026-Q4')).toEqual({ key: '2026-Q4', kind: 'quarter', start: '2026-10-01', end: '2026-12-31' });
    expect(parseForecastPeriod('2026-q1')).toEqual({ key: '2026-Q1', kind: 'quarter', start: '2026-01-01', end: '2026-03-31' });
    expect(parseForecastPeriod('2026-Q2')).toMatchObject({ start: '2026-04-01', end: '2026-06-30' });
  });

  it('reads a month, leap years included', () => {
    expect(parseForecastPeriod('2026-11')).toEqual({ key: '2026-11', kind: 'month', start: '2026-11-01', end: '2026-11-30' });
    expect(parseForecastPeriod('2028-02')).toMatchObject({ end: '2028-02-29' });
    expect(parseForecastPeriod('2026-02')).toMatchObject({ end: '2026-02-28' });
  });

  it.each(['', '2026', '2026-Q5', '2026-Q0', '2026-13', '2026-00', '2026-1', '26-Q4', '2026-W45', '2026-11-01', ' Q4-2026', '0026-Q4', '2026-H2'])(
    'refuses %j, naming the field',
    (text) => {
      let error: unknown;
      try {
        parseForecastPeriod(text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ kind: 'invalid', details: [{ field: 'period' }] });
    },
  );

  it('contains the days from its first to its last, both included', () => {
    const q4 = parseForecastPeriod('2026-Q4');
    expect(periodContains(q4, '2026-10-01')).toBe(true);
    expect(periodContains(q4, '2026-12-31')).toBe(true);
    expect(periodContains(q4, '2026-09-30')).toBe(false);
    expect(periodContains(q4, '2027-01-01')).toBe(false);
    expect(periodContains(q4, null)).toBe(false);
  });
});

describe('asOf', () => {
  it('reads a date as the end of that day in UTC', () => {
    expect(parseAsOfInstant('2026-10-01')).toBe('2026-10-01T23:59:59.999Z');
  });

  it('takes an instant as given, UTC when it names no offset', () => {
    expect(parseAsOfInstant('2026-10-01T10:00:00+02:00')).toBe('2026-10-01T08:00:00.000Z');
    expect(parseAsOfInstant('2026-10-01T10:00:00.5Z')).toBe('2026-10-01T10:00:00.500Z');
    expect(parseAsOfInstant('2026-10-01T10:00')).toBe('2026-10-01T10:00:00.000Z');
  });

  it.each(['yesterday', '2026-02-30', '2026-10-01T25:00:00Z', '2026-10-01 10:00', '1759312800000', ''])('refuses %j', (text) => {
    expect(() => parseAsOfInstant(text)).toThrow(DomainError);
  });
});

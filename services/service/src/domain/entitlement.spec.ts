import { DomainError } from '@crm/decider';
import { addHours, checkHours, exhaustionOf, normaliseEntitlements, remainingEntitlements } from './entitlement';

describe('entitlements', () => {
  it('given hours as decimal strings, then they are kept exact with two places', () => {
    expect(checkHours('7.5', 'hours', { allowZero: false })).toBe('7.50');
    expect(addHours('0.10', '0.20')).toBe('0.30');
    expect(() => checkHours('1.005', 'hours', { allowZero: false })).toThrow(DomainError);
    expect(() => checkHours('0', 'hours', { allowZero: false })).toThrow(/more than 0/);
  });

  it('given no limit on a measure, then nothing is remaining or exhausted for it', () => {
    const unlimited = normaliseEntitlements({});
    expect(unlimited).toEqual({ hours: null, tickets: null });
    expect(remainingEntitlements(unlimited, { tickets: 99, hours: '999.00' })).toEqual({ tickets: null, hours: null });
    expect(exhaustionOf(unlimited, { tickets: 99, hours: '999.00' })).toBeNull();
  });

  it('given usage up to a limit, then that measure is exhausted and nothing goes below zero', () => {
    const entitlements = normaliseEntitlements({ hours: '10', tickets: 3 });
    expect(exhaustionOf(entitlements, { tickets: 2, hours: '9.99' })).toBeNull();
    expect(exhaustionOf(entitlements, { tickets: 3, hours: '0.00' })).toMatch(/all 3 tickets/);
    expect(exhaustionOf(entitlements, { tickets: 0, hours: '10.00' })).toMatch(/10.00 hours/);
    expect(remainingEntitlements(entitlements, { tickets: 4, hours: '12.50' })).toEqual({ tickets: 0, hours: '0.00' });
  });

  it('refuses negative or fractional ticket counts', () => {
    expect(() => normaliseEntitlements({ tickets: -1 })).toThrow(/entitlements.tickets/);
    expect(() => normaliseEntitlements({ tickets: 2.5 })).toThrow(/entitlements.tickets/);
  });
});

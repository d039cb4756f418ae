import { DomainError } from '@crm/decider';
import {
  addMoney,
  amountSortKey,
  compareMoney,
  CURRENCY_CODES,
  currencyMinorUnits,
  multiplyMoney,
  normaliseCurrency,
  parseDecimal,
  parseMoney,
  percentOf,
  roundMoney,
  sameMoney,
  subtractMoney,
  sumMoney,
  zeroMoney,
} from './money';

describe('money', () => {
  it('normalises amounts to at least the currency minor units, keeping further significant decimals', () => {
    expect(parseMoney('1234.5', 'eur')).toEqual({ amount: '1234.50', currency: 'EUR' });
    expect(parseMoney('100', 'JPY')).toEqual({ amount: '100', currency: 'JPY' });
    expect(parseMoney('1.234', 'KWD')).toEqual({ amount: '1.234', currency: 'KWD' });
    expect(parseMoney('007.10', 'USD')).toEqual({ amount: '7.10', currency: 'USD' });
    expect(parseMoney('-0', 'USD')).toEqual({ amount: '0.00', currency: 'USD' });
    expect(parseMoney('0.125', 'USD', { maxDecimals: 4 })).toEqual({ amount: '0.125', currency: 'USD' });
  });

  it('refuses floats, exponents, junk, negatives and more decimals than the currency has, naming the field', () => {
    const fieldOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return (error as DomainError).details[0]?.field;
      }
      throw new Error('expected a DomainError');
    };
    expect(fieldOf(() => parseMoney(12.5, 'EUR'))).toBe('amount');
    expect(fieldOf(() => parseMoney('1e3', 'EUR'))).toBe('amount');
    expect(fieldOf(() => parseMoney('1,000.00', 'EUR'))).toBe('amount');
    expect(fieldOf(() => parseMoney('NaN', 'EUR'))).toBe('amount');
    expect(fieldOf(() => parseMoney('-5', 'EUR'))).toBe('amount');
    expect(fieldOf(() => parseMoney('10.001', 'EUR'))).toBe('amount');
    expect(fieldOf(() => parseMoney('10.5', 'JPY'))).toBe('amount');
    expect(fieldOf(() => parseMoney('1234567890123456789', 'EUR'))).toBe('amount');
    expect(fieldOf(() => parseMoney('10', 'EURO', { currencyField: 'price.currency' }))).toBe('price.currency');
    expect(fieldOf(() => parseMoney('10', 'XAU'))).toBe('currency');
    expect(fieldOf(() => parseMoney('10', undefined))).toBe('currency');
    // Trailing zeros beyond the minor units are not extra precision.
    expect(parseMoney('10.500', 'EUR').amount).toBe('10.50');
  });

  it('knows the active ISO 4217 codes and their minor units', () => {
    expect(CURRENCY_CODES).toContain('EUR');
    expect(CURRENCY_CODES).toContain('XCG');
    expect(CURRENCY_CODES).not.toContain('DEM');
    expect(currencyMinorUnits('JPY')).toBe(0);
    expect(currencyMinorUnits('BHD')).toBe(3);
    expect(currencyMinorUnits('CLF')).toBe(4);
    expect(normaliseCurrency(' usd ')).toBe('USD');
    expect(() => normaliseCurrency('US$')).toThrow(DomainError);
  });

  it('adds, subtracts, sums and compares exactly, never across currencies', () => {
    const a = parseMoney('0.10', 'EUR');
    const b = parseMoney('0.20', 'EUR');
    expect(addMoney(a, b)).toEqual({ amount: '0.30', currency: 'EUR' });
    expect(subtractMoney(a, b)).toEqual({ amount: '-0.10', currency: 'EUR' });
    expect(sumMoney([a, b, parseMoney('999999999999.99', 'EUR')], 'EUR')).toEqual({ amount: '1000000000000.29', currency: 'EUR' });
    expect(sumMoney([], 'JPY')).toEqual(zeroMoney('JPY'));
    expect(compareMoney(a, b)).toBe(-1);
    expect(compareMoney(b, a)).toBe(1);
    expect(compareMoney(a, parseMoney('0.1', 'EUR'))).toBe(0);
    expect(sameMoney(a, parseMoney('0.1', 'EUR'))).toBe(true);
    expect(sameMoney(a, parseMoney('0.1', 'USD'))).toBe(false);
    expect(() => addMoney(a, parseMoney('1', 'USD'))).toThrow(/Currency mismatch/);
    expect(() => compareMoney(a, parseMoney('1', 'USD'))).toThrow(DomainError);
  });

  it('multiplies exactly and rounds only when asked', () => {
    const price = parseMoney('19.99', 'EUR');
    expect(multiplyMoney(price, '3')).toEqual({ amount: '59.97', currency: 'EUR' });
    expect(multiplyMoney(price, '0.333')).toEqual({ amount: '6.65667', currency: 'EUR' });
    expect(roundMoney(multiplyMoney(price, '0.333'))).toEqual({ amount: '6.66', currency: 'EUR' });
    expect(percentOf(parseMoney('1000.05', 'EUR'), 25)).toEqual({ amount: '250.0125', currency: 'EUR' });
    expect(roundMoney({ amount: '0.125', currency: 'EUR' })).toEqual({ amount: '0.13', currency: 'EUR' });
    expect(roundMoney({ amount: '0.125', currency: 'EUR' }, 'half_even')).toEqual({ amount: '0.12', currency: 'EUR' });
    expect(roundMoney({ amount: '2.5', currency: 'JPY' })).toEqual({ amount: '3', currency: 'JPY' });
  });

  it('parses plain decimals with bounds on decimals and sign', () => {
    expect(parseDecimal('1.50').toFixed()).toBe('1.5');
    expect(parseDecimal('-3', { allowNegative: true }).toFixed()).toBe('-3');
    expect(() => parseDecimal('-3')).toThrow(/negative/);
    expect(() => parseDecimal('0.123', { maxDecimals: 2, field: 'quantity' })).toThrow(/quantity/);
  });

  it('builds fixed-width sort keys whose string order is the numeric order', () => {
    const amounts = ['-1000.5', '-2', '0', '0.00000001', '0.5', '9', '10', '10.01', '999999999999999999.99999999'];
    const keys = amounts.map(amountSortKey);
    expect(new Set(keys.map((key) => key.length)).size).toBe(1);
    expect([...keys].sort()).toEqual(keys);
    expect(amountSortKey('10.50')).toBe(amountSortKey('10.5'));
  });
});

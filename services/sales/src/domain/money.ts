import Decimal from 'decimal.js';
import { DomainError } from '@crm/decider';

/**
 * An exact amount of one currency. The amount is a decimal string (e.g. "1234.50") everywhere it is
 * stored or sent: floats cannot hold most decimal fractions, and a CRM sums many of them.
 */
export interface Money {
  amount: string;
  currency: string;
}

/**
 * Active ISO 4217 codes with their minor units (digits after the decimal point), as published by the
 * ISO 4217 maintenance agency. A fixed table rather than `Intl`: ICU's data is about display and
 * disagrees with ISO on some minor units (e.g. IQD), and it still lists withdrawn codes.
 * Precious metals, SDR and testing codes (XAU, XDR, XTS...) have no minor unit and are not money here.
 */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  AED: 2, AFN: 2, ALL: 2, AMD: 2, ANG: 2, AOA: 2, ARS: 2, AUD: 2, AWG: 2, AZN: 2,
  BAM: 2, BBD: 2, BDT: 2, BGN: 2, BHD: 3, BIF: 0, BMD: 2, BND: 2, BOB: 2, BOV: 2, BRL: 2, BSD: 2, BTN: 2, BWP: 2, BYN: 2, BZD: 2,
  CAD: 2, CDF: 2, CHE: 2, CHF: 2, CHW: 2, CLF: 4, CLP: 0, CNY: 2, COP: 2, COU: 2, CRC: 2, CUP: 2, CVE: 2, CZK: 2,
  DJF: 0, DKK: 2, DOP: 2, DZD: 2,
  EGP: 2, ERN: 2, ETB: 2, EUR: 2,
  FJD: 2, FKP: 2,
  GBP: 2, GEL: 2, GHS: 2, GIP: 2, GMD: 2, GNF: 0, GTQ: 2, GYD: 2,
  HKD: 2, HNL: 2, HTG: 2, HUF: 2,
  IDR: 2, ILS: 2, INR: 2, IQD: 3, IRR: 2, ISK: 0,
  JMD: 2, JOD: 3, JPY: 0,
  KES: 2, KGS: 2, KHR: 2, KMF: 0, KPW: 2, KRW: 0, KWD: 3, KYD: 2, KZT: 2,
  LAK: 2, LBP: 2, LKR: 2, LRD: 2, LSL: 2, LYD: 3,
  MAD: 2, MDL: 2, MGA: 2, MKD: 2, MMK: 2, MNT: 2, MOP: 2, MRU: 2, MUR: 2, MVR: 2, MWK: 2, MXN: 2, MXV: 2, MYR: 2, MZN: 2,
  NAD: 2, NGN: 2, NIO: 2, NOK: 2, NPR: 2, NZD: 2,
  OMR: 3,
  PAB: 2, PEN: 2, PGK: 2, PHP: 2, PKR: 2, PLN: 2, PYG: 0,
  QAR: 2,
  RON: 2, RSD: 2, RUB: 2, RWF: 0,
  SAR: 2, SBD: 2, SCR: 2, SDG: 2, SEK: 2, SGD: 2, SHP: 2, SLE: 2, SOS: 2, SRD: 2, SSP: 2, STN: 2, SVC: 2, SYP: 2, SZL: 2,
  THB: 2, TJS: 2, TMT: 2, TND: 3, TOP: 2, TRY: 2, TTD: 2, TWD: 2, TZS: 2,
  UAH: 2, UGX: 0, USD: 2, USN: 2, UYI: 0, UYU: 2, UYW: 4, UZS: 2,
  VED: 2, VES: 2, VND: 0, VUV: 0,
  WST: 2,
  XAF: 0, XCD: 2, XCG: 2, XOF: 0, XPF: 0,
  YER: 2,
  ZAR: 2, ZMW: 2, ZWG: 2,
};

export const CURRENCY_CODES: readonly string[] = Object.freeze(Object.keys(MINOR_UNITS).sort());

/**
 * Decimal arithmetic with room to spare: amounts are limited to 18 integer digits and a few decimals,
 * so sums and products of them never reach the precision limit and nothing is rounded silently.
 */
export const ExactDecimal = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -100, toExpPos: 100 });
export type ExactDecimal = Decimal;

const MAX_INTEGER_DIGITS = 18;
/** The most decimals any stored quantity, price or percentage may carry (unit prices of cheap items, tax rates). */
export const MAX_DECIMALS = 8;
const DECIMAL_SYNTAX = /^[+-]?(\d+)(?:\.(\d+))?$/;

export function isCurrencyCode(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(MINOR_UNITS, code);
}

export function currencyMinorUnits(currency: string): number {
  const units = MINOR_UNITS[currency];
  if (units === undefined) throw invalid('currency', `${currency} is not an ISO 4217 currency code`);
  return units;
}

/** Upper-cases and checks a currency code: "usd" is accepted as USD, "US$" is not. */
export function normaliseCurrency(code: unknown, field = 'currency'): string {
  if (typeof code !== 'string' || !code.trim()) throw invalid(field, 'must be an ISO 4217 currency code such as EUR');
  const upper = code.trim().toUpperCase();
  if (!isCurrencyCode(upper)) throw invalid(field, `${code} is not an ISO 4217 currency code`);
  return upper;
}

export interface DecimalOptions {
  /** The field named in the error details. */
  field?: string;
  /** Negative values are refused unless allowed (amounts, prices and quantities are never negative). */
  allowNegative?: boolean;
  /** At most this many decimals (default MAX_DECIMALS). */
  maxDecimals?: number;
}

/**
 * Parses a decimal written as a string ("1234.5", "-3", "0.125"). Numbers are refused on purpose: by
 * the time a float reaches us its decimal value may already be lost. No exponents, no separators.
 */
export function parseDecimal(value: unknown, options: DecimalOptions = {}): Decimal {
  const field = options.field ?? 'amount';
  const maxDecimals = options.maxDecimals ?? MAX_DECIMALS;
  if (typeof value !== 'string') throw invalid(field, 'must be a decimal number written as a string, e.g. "1234.50"');
  const match = DECIMAL_SYNTAX.exec(value.trim());
  if (!match) throw invalid(field, `"${value}" is not a decimal number (digits, an optional point and decimals)`);
  const integerDigits = match[1].replace(/^0+(?=\d)/, '');
  if (integerDigits.length > MAX_INTEGER_DIGITS) throw invalid(field, `at most ${MAX_INTEGER_DIGITS} digits before the decimal point`);
  const decimals = (match[2] ?? '').replace(/0+$/, '');
  if (decimals.length > maxDecimals) throw invalid(field, `at most ${maxDecimals} decimal places`);
  const parsed = new ExactDecimal(value.trim());
  if (parsed.isNegative() && !parsed.isZero() && !options.allowNegative) throw invalid(field, 'must not be negative');
  return parsed.isZero() ? new ExactDecimal(0) : parsed;
}

/** The canonical string of a decimal: plain notation, no trailing zeros ("12.50" → "12.5", "7.000" → "7"). */
export function decimalString(value: Decimal): string {
  return value.isZero() ? '0' : value.toFixed();
}

/**
 * The canonical string of an amount in a currency: at least the currency's minor units ("12.5" USD →
 * "12.50", "100" JPY → "100"), and any further significant decimals kept, since rounding is a business
 * decision the caller makes explicitly (roundMoney).
 */
export function formatAmount(value: Decimal, currency: string): string {
  const minor = currencyMinorUnits(currency);
  const exact = value.isZero() ? new ExactDecimal(0) : value;
  return exact.toFixed(Math.max(minor, exact.decimalPlaces()));
}

export interface MoneyOptions {
  amountField?: string;
  currencyField?: string;
  allowNegative?: boolean;
  /** At most this many decimals; defaults to the currency's minor units (cents for EUR, none for JPY). */
  maxDecimals?: number;
}

/** Validates and normalises an amount and a currency from the outside world into Money. */
export function parseMoney(amount: unknown, currency: unknown, options: MoneyOptions = {}): Money {
  const code = normaliseCurrency(currency, options.currencyField ?? 'currency');
  const value = parseDecimal(amount, {
    field: options.amountField ?? 'amount',
    allowNegative: options.allowNegative,
    maxDecimals: options.maxDecimals ?? currencyMinorUnits(code),
  });
  return { amount: formatAmount(value, code), currency: code };
}

export function zeroMoney(currency: string): Money {
  const code = normaliseCurrency(currency);
  return { amount: formatAmount(new ExactDecimal(0), code), currency: code };
}

export function moneyDecimal(money: Money): Decimal {
  return new ExactDecimal(money.amount);
}

export function assertSameCurrency(a: Money, b: Money, field = 'currency'): void {
  if (a.currency !== b.currency) {
    throw new DomainError('invalid', `Currency mismatch: ${a.currency} and ${b.currency}`, [
      { field, reason: `expected ${a.currency}, got ${b.currency}` },
    ]);
  }
}

/** -1, 0 or 1. Comparing different currencies is a mistake, not "unequal": it throws. */
export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b);
  return moneyDecimal(a).comparedTo(moneyDecimal(b)) as -1 | 0 | 1;
}

export function sameMoney(a: Money | null, b: Money | null): boolean {
  if (a === null || b === null) return a === b;
  return a.currency === b.currency && moneyDecimal(a).equals(moneyDecimal(b));
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { amount: formatAmount(moneyDecimal(a).plus(moneyDecimal(b)), a.currency), currency: a.currency };
}

export function subtractMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { amount: formatAmount(moneyDecimal(a).minus(moneyDecimal(b)), a.currency), currency: a.currency };
}

/** Sums amounts of one currency exactly; an empty list sums to zero of that currency. */
export function sumMoney(items: readonly Money[], currency: string): Money {
  let total: Money = zeroMoney(currency);
  for (const item of items) total = addMoney(total, item);
  return total;
}

/**
 * Multiplies exactly (quantity × unit price, amount × probability / 100). The result keeps every
 * decimal; pass it to roundMoney when it must become a payable amount.
 */
export function multiplyMoney(money: Money, factor: string | Decimal): Money {
  const multiplier = typeof factor === 'string' ? parseDecimal(factor, { field: 'factor', allowNegative: true }) : factor;
  return { amount: formatAmount(moneyDecimal(money).times(multiplier), money.currency), currency: money.currency };
}

/** A percentage of an amount, exact (e.g. weighted pipeline: amount × probability %). */
export function percentOf(money: Money, percent: string | number): Money {
  return multiplyMoney(money, new ExactDecimal(percent).dividedBy(100));
}

/** Rounds to the currency's minor units, half away from zero (commercial rounding) unless told otherwise. */
export function roundMoney(money: Money, rounding: 'half_up' | 'half_even' = 'half_up'): Money {
  const mode = rounding === 'half_even' ? Decimal.ROUND_HALF_EVEN : Decimal.ROUND_HALF_UP;
  const minor = currencyMinorUnits(money.currency);
  return { amount: moneyDecimal(money).toDecimalPlaces(minor, mode).toFixed(minor), currency: money.currency };
}

const SORT_KEY_DECIMALS = MAX_DECIMALS;
const SORT_KEY_OFFSET = 10n ** BigInt(MAX_INTEGER_DIGITS + SORT_KEY_DECIMALS);
const SORT_KEY_WIDTH = MAX_INTEGER_DIGITS + SORT_KEY_DECIMALS + 1;

/**
 * A fixed-width string whose byte order is the numeric order of the amount, so that read stores can
 * filter and sort amounts exactly with plain string comparisons (no floats, no decimal type needed).
 * The amount is scaled to 10^-8 units, shifted by 10^26 so negatives sort first, and zero-padded to
 * 27 digits: "1234.5" → "100000000000000123450000000".
 */
export function amountSortKey(amount: string): string {
  const scaled = BigInt(new ExactDecimal(amount).times(new ExactDecimal(10).pow(SORT_KEY_DECIMALS)).toFixed(0, Decimal.ROUND_FLOOR));
  return (scaled + SORT_KEY_OFFSET).toString().padStart(SORT_KEY_WIDTH, '0');
}

function invalid(field: string, reason: string): DomainError {
  return new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);
}

import type Decimal from 'decimal.js';
import { currencyMinorUnits, ExactDecimal, formatAmount, roundMoney } from './money';

/**
 * The one rounding rule of quotes and orders (ADR 0019): every amount of a line is rounded half-up to the
 * currency's minor units, once, on that line; quote totals are exact sums of the rounded line amounts.
 * So each printed line adds up by hand, and the totals add up from the printed lines.
 */
export const QUOTE_ROUNDING = 'half_up' as const;

/** A line as priced: quantity, unit price and percentages are decimal strings; prices are in the quote's currency. */
export interface QuoteLinePrice {
  quantity: string;
  unitPrice: string;
  /** 0-100 */
  discountPercent: string;
  /** 0-100 */
  taxPercent: string;
}

/** The amounts of one line, each rounded to the currency's minor units. */
export interface QuoteLineAmounts {
  /** quantity × unit price */
  listAmount: string;
  /** listAmount − netAmount, so that list − discount = net holds exactly on every line. */
  discountAmount: string;
  /** quantity × unit price × (1 − discount / 100) */
  netAmount: string;
  /** netAmount × tax / 100 */
  taxAmount: string;
  /** netAmount + taxAmount */
  grossAmount: string;
}

/** Tax of one rate: the net amounts taxed at it and the sum of their line taxes. */
export interface QuoteTaxTotal {
  taxPercent: string;
  taxableAmount: string;
  taxAmount: string;
}

export interface QuoteTotals {
  /** Sum of list amounts, before discounts. */
  subtotal: string;
  discountTotal: string;
  /** subtotal − discountTotal */
  netTotal: string;
  taxTotal: string;
  /** One entry per tax rate used, lowest rate first. */
  taxes: QuoteTaxTotal[];
  /** netTotal + taxTotal */
  grandTotal: string;
}

const HUNDRED = new ExactDecimal(100);

function rounded(value: Decimal, currency: string): Decimal {
  return new ExactDecimal(roundMoney({ amount: formatAmount(value, currency), currency }, QUOTE_ROUNDING).amount);
}

const asAmount = (value: Decimal, currency: string): string => value.toFixed(currencyMinorUnits(currency));

export function lineAmounts(line: QuoteLinePrice, currency: string): QuoteLineAmounts {
  const exactList = new ExactDecimal(line.quantity).times(line.unitPrice);
  const list = rounded(exactList, currency);
  const net = rounded(exactList.times(HUNDRED.minus(line.discountPercent)).dividedBy(HUNDRED), currency);
  const tax = rounded(net.times(line.taxPercent).dividedBy(HUNDRED), currency);
  return {
    listAmount: asAmount(list, currency),
    discountAmount: asAmount(list.minus(net), currency),
    netAmount: asAmount(net, currency),
    taxAmount: asAmount(tax, currency),
    grossAmount: asAmount(net.plus(tax), currency),
  };
}

export function quoteTotals(lines: readonly (QuoteLinePrice & QuoteLineAmounts)[], currency: string): QuoteTotals {
  const zero = new ExactDecimal(0);
  let subtotal = zero;
  let discountTotal = zero;
  let taxTotal = zero;
  const byRate = new Map<string, { rate: Decimal; taxable: Decimal; tax: Decimal }>();
  for (const line of lines) {
    subtotal = subtotal.plus(line.listAmount);
    discountTotal = discountTotal.plus(line.discountAmount);
    taxTotal = taxTotal.plus(line.taxAmount);
    // "21" and "21.0" are one rate.
    const rate = new ExactDecimal(line.taxPercent);
    const key = rate.toFixed();
    const entry = byRate.get(key) ?? { rate, taxable: zero, tax: zero };
    byRate.set(key, { rate, taxable: entry.taxable.plus(line.netAmount), tax: entry.tax.plus(line.taxAmount) });
  }
  const netTotal = subtotal.minus(discountTotal);
  return {
    subtotal: asAmount(subtotal, currency),
    discountTotal: asAmount(discountTotal, currency),
    netTotal: asAmount(netTotal, currency),
    taxTotal: asAmount(taxTotal, currency),
    taxes: [...byRate.values()]
      .sort((a, b) => a.rate.comparedTo(b.rate))
      .map((entry) => ({ taxPercent: entry.rate.toFixed(), taxableAmount: asAmount(entry.taxable, currency), taxAmount: asAmount(entry.tax, currency) })),
    grandTotal: asAmount(netTotal.plus(taxTotal), currency),
  };
}

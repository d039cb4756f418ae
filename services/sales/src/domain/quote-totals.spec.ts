import { ExactDecimal } from './money';
import { lineAmounts, type QuoteLinePrice, quoteTotals } from './quote-totals';

const line = (quantity: string, unitPrice: string, discountPercent = '0', taxPercent = '0'): QuoteLinePrice => ({ quantity, unitPrice, discountPercent, taxPercent });
const priced = (lines: QuoteLinePrice[], currency: string) => lines.map((each) => ({ ...each, ...lineAmounts(each, currency) }));

describe('quote totals', () => {
  it('adds 0.1 and 0.2 to exactly 0.30', () => {
    const totals = quoteTotals(priced([line('1', '0.1'), line('1', '0.2')], 'EUR'), 'EUR');
    expect(totals).toMatchObject({ subtotal: '0.30', discountTotal: '0.00', netTotal: '0.30', taxTotal: '0.00', grandTotal: '0.30' });
  });

  it('prices 3 × 33.33 with 10% discount and 21% tax to the cent, rounding on the line', () => {
    // 99.99 list; 89.991 net → 89.99; 18.8979 tax → 18.90.
    expect(lineAmounts(line('3', '33.33', '10', '21'), 'EUR')).toEqual({
      listAmount: '99.99',
      discountAmount: '10.00',
      netAmount: '89.99',
      taxAmount: '18.90',
      grossAmount: '108.89',
    });
  });

  it('sums tax per rate over mixed rates, lowest rate first', () => {
    const totals = quoteTotals(priced([line('2', '10', '0', '21'), line('1', '5.55', '0', '9'), line('1', '1', '0', '0'), line('1', '0.45', '0', '21.0')], 'EUR'), 'EUR');
    expect(totals).toEqual({
      subtotal: '27.00',
      discountTotal: '0.00',
      netTotal: '27.00',
      // 4.20 + 0.09 (0.0945) on 21%, 0.50 (0.4995) on 9%
      taxTotal: '4.79',
      taxes: [
        { taxPercent: '0', taxableAmount: '1.00', taxAmount: '0.00' },
        { taxPercent: '9', taxableAmount: '5.55', taxAmount: '0.50' },
        { taxPercent: '21', taxableAmount: '20.45', taxAmount: '4.29' },
      ],
      grandTotal: '31.79',
    });
  });

  it('rounds halves up, not to even', () => {
    expect(lineAmounts(line('1', '0.125'), 'EUR').netAmount).toBe('0.13');
    expect(lineAmounts(line('1', '0.145'), 'EUR').netAmount).toBe('0.15');
    expect(lineAmounts(line('1', '10', '0', '0.05'), 'EUR').taxAmount).toBe('0.01');
  });

  it('rounds each line, so three lines of 0.333 make 0.99, not 1.00', () => {
    expect(quoteTotals(priced([line('1', '0.333'), line('1', '0.333'), line('1', '0.333')], 'EUR'), 'EUR').grandTotal).toBe('0.99');
  });

  it('keeps list − discount = net on every line, and subtotal − discounts = net total', () => {
    const lines = priced([line('7', '0.99', '33.3333'), line('1.5', '19.999', '12.5', '21'), line('3', '0.01', '50')], 'EUR');
    for (const each of lines) expect(new ExactDecimal(each.listAmount).minus(each.discountAmount).toFixed(2)).toBe(each.netAmount);
    const totals = quoteTotals(lines, 'EUR');
    expect(totals).toMatchObject({ subtotal: '36.96', discountTotal: '6.07', netTotal: '30.89', taxTotal: '5.51', grandTotal: '36.40' });
  });

  it("uses the currency's minor units: none for JPY, three for BHD", () => {
    expect(lineAmounts(line('3', '333.5', '0', '10'), 'JPY')).toEqual({ listAmount: '1001', discountAmount: '0', netAmount: '1001', taxAmount: '100', grossAmount: '1101' });
    expect(lineAmounts(line('1', '1.2345', '0', '10'), 'BHD')).toEqual({
      listAmount: '1.235',
      discountAmount: '0.000',
      netAmount: '1.235',
      taxAmount: '0.124',
      grossAmount: '1.359',
    });
  });

  it('gives a 100% discount a zero line and zero tax', () => {
    expect(lineAmounts(line('2', '50', '100', '21'), 'EUR')).toEqual({ listAmount: '100.00', discountAmount: '100.00', netAmount: '0.00', taxAmount: '0.00', grossAmount: '0.00' });
  });

  it('totals nothing to zeros', () => {
    expect(quoteTotals([], 'USD')).toEqual({ subtotal: '0.00', discountTotal: '0.00', netTotal: '0.00', taxTotal: '0.00', taxes: [], grandTotal: '0.00' });
  });
});

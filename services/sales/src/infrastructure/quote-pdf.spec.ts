import { inflateSync } from 'node:zlib';
import type { QuoteView } from '../application/quote-read-models';
import { groupThousands, PdfQuoteRenderer, toWinAnsi } from './quote-pdf';

/** The text PDFKit shows: the hex strings of its TJ operators, decoded as WinAnsi, one TJ per line. */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const contents: string[] = [raw];
  // Compressed content streams: inflate each one.
  for (const match of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    try {
      contents.push(inflateSync(Buffer.from(match[1], 'latin1')).toString('latin1'));
    } catch {
      // Not a deflated stream (fonts, uncompressed content): already in `raw`.
    }
  }
  const lines: string[] = [];
  for (const content of contents) {
    for (const operator of content.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      lines.push([...operator[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((hex) => Buffer.from(hex[1], 'hex').toString('latin1')).join(''));
    }
  }
  return lines.join('\n');
}

const quote: QuoteView = {
  id: 'q1',
  number: 'Q-2026-00042',
  version: 2,
  status: 'sent',
  dealId: 'd1',
  contactId: 'c1',
  companyId: 'k1',
  priceBookId: null,
  currency: 'EUR',
  title: 'Widgets for Ąčas',
  notes: 'Delivery in two weeks.',
  validUntil: '2026-12-31',
  timeZone: 'Europe/Vilnius',
  expiresAt: '2026-12-31T22:00:00.000Z',
  lines: Array.from({ length: 60 }, (_, index) => ({
    lineId: `l${index}`,
    productId: 'p1',
    sku: 'W-1',
    name: `Widget ${index + 1}`,
    description: null,
    unit: 'each',
    quantity: '3',
    unitPrice: '33.33',
    discountPercent: '10',
    taxPercent: '21',
    listAmount: '99.99',
    discountAmount: '10.00',
    netAmount: '89.99',
    taxAmount: '18.90',
    grossAmount: '108.89',
  })),
  totals: {
    subtotal: '5999.40',
    discountTotal: '600.00',
    netTotal: '5399.40',
    taxTotal: '1134.00',
    taxes: [{ taxPercent: '21', taxableAmount: '5399.40', taxAmount: '1134.00' }],
    grandTotal: '6533.40',
  },
  netTotal: '5399.40',
  grandTotal: '6533.40',
  sentAt: '2026-11-23T10:00:00.000Z',
  acceptedAt: null,
  orderId: null,
  declinedAt: null,
  declineReason: null,
  expiredAt: null,
  revision: 3,
  createdAt: '2026-11-23T09:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
};

const content = { tenantId: 'acme', quote, customer: { companyName: 'Acme Ltd', contactName: 'Ada Lovelace', contactEmail: 'ada@acme.com' } };

describe('PDF quote renderer', () => {
  it('renders a PDF with the quote number, customer, lines, totals and validity', async () => {
    const pdf = await new PdfQuoteRenderer({ compress: false }).render(content);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf);
    for (const expected of ['QUOTE', 'acme', 'Q-2026-00042 (revision 2)', 'Acme Ltd', 'Ada Lovelace', 'Widget 60', '89.99', 'Tax 21% on 5,399.40', '1,134.00', 'Total (EUR)', '6,533.40', '2026-12-31 (end of day, Europe/Vilnius)', 'Widgets for Acas', 'Delivery in two weeks.']) {
      expect(text).toContain(expected);
    }
    // 60 lines do not fit on one page.
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length).toBeGreaterThan(1);
  });

  it('compresses by default, and the text is still there once inflated', async () => {
    const pdf = await new PdfQuoteRenderer().render(content);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfText(pdf)).toContain('Q-2026-00042');
  });

  it('renders the same bytes for the same quote revision', async () => {
    const renderer = new PdfQuoteRenderer();
    expect((await renderer.render(content)).equals(await renderer.render(content))).toBe(true);
  });

  it('groups thousands on the decimal string and keeps WinAnsi letters', () => {
    expect(groupThousands('1234567.50')).toBe('1,234,567.50');
    expect(groupThousands('999')).toBe('999');
    expect(toWinAnsi('Šiauliai Łódź €')).toBe('Šiauliai ?ódz €');
  });
});

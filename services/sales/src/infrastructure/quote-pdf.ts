import PDFDocument from 'pdfkit';
import type { QuoteDocumentContent, QuoteDocumentRenderer } from '../application/quote-documents';
import type { QuoteLine } from '../domain/quote';

const MARGIN = 50;
const PAGE_WIDTH = 595.28; // A4, in points
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
const PAGE_BOTTOM = 841.89 - MARGIN;

interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
  value(line: QuoteLine, index: number): string;
}

/**
 * The standard PDF fonts only know Windows-1252 (WinAnsi). Letters outside it lose their accents
 * ("Ą" → "A") or become "?", instead of printing as wrong glyphs; embedding a Unicode font would lift this.
 */
const WIN_ANSI_EXTRAS = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
const isWinAnsi = (char: string): boolean => {
  const code = char.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.includes(char) || char === '\n';
};
export function toWinAnsi(text: string): string {
  return [...text]
    .map((char) => {
      if (isWinAnsi(char)) return char;
      const bare = char.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      return [...bare].every(isWinAnsi) ? bare : '?';
    })
    .join('');
}

/** "1234567.50" → "1,234,567.50": grouping done on the decimal string, so no float ever touches the amount. */
export function groupThousands(amount: string): string {
  const [integer, decimals] = amount.split('.');
  const grouped = integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return decimals === undefined ? grouped : `${grouped}.${decimals}`;
}

const COLUMNS: Column[] = [
  { title: '#', width: 22, align: 'left', value: (_line, index) => String(index + 1) },
  { title: 'Item', width: 183, align: 'left', value: (line) => [line.name, line.sku ? `SKU ${line.sku}` : null, line.description].filter(Boolean).join('\n') },
  { title: 'Qty', width: 55, align: 'right', value: (line) => (line.unit && line.unit !== 'each' ? `${line.quantity} ${line.unit}` : line.quantity) },
  { title: 'Unit price', width: 70, align: 'right', value: (line) => groupThousands(line.unitPrice) },
  { title: 'Disc. %', width: 45, align: 'right', value: (line) => (line.discountPercent === '0' ? '' : line.discountPercent) },
  { title: 'Tax %', width: 40, align: 'right', value: (line) => line.taxPercent },
  { title: 'Net', width: 80, align: 'right', value: (line) => groupThousands(line.netAmount) },
];

/** Renders quotes with PDFKit: header, customer, lines table, totals with tax per rate, validity, notes. */
export class PdfQuoteRenderer implements QuoteDocumentRenderer {
  readonly contentType = 'application/pdf';

  /** `compress: false` keeps the page content readable as text (tests look for the quote number in it). */
  constructor(private readonly options: { compress?: boolean } = {}) {}

  render(content: QuoteDocumentContent): Promise<Buffer> {
    const { quote } = content;
    const doc = new PDFDocument({
      size: 'A4',
      margin: MARGIN,
      compress: this.options.compress ?? true,
      // A fixed creation date: the same quote revision always renders the same bytes.
      info: { Title: `Quote ${quote.number}`, Author: toWinAnsi(content.tenantId), Creator: 'CRM sales', CreationDate: new Date(quote.updatedAt || 0) },
    });
    const chunks: Buffer[] = [];
    const done = new Promise<Buffer>((resolve, reject) => {
      doc.on('data', (chunk: Buffer) => chunks.push(chunk));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
    });
    const text = (value: string) => toWinAnsi(value);

    // Header: who quotes, which quote.
    doc.font('Helvetica-Bold').fontSize(20).text('QUOTE', MARGIN, MARGIN);
    doc.font('Helvetica').fontSize(10).text(text(content.tenantId), MARGIN, MARGIN + 4, { width: CONTENT_WIDTH, align: 'right' });
    doc.moveDown(1.5);
    const facts: [string, string][] = [
      ['Quote number', `${quote.number}${quote.version > 1 ? ` (revision ${quote.version})` : ''}`],
      ['Date', (quote.createdAt || '').slice(0, 10)],
      ['Valid until', `${quote.validUntil}${/^\d{4}-\d{2}-\d{2}$/.test(quote.validUntil) ? ` (end of day, ${quote.timeZone})` : ''}`],
      ['Status', quote.status],
    ];
    const factsTop = doc.y;
    for (const [label, value] of facts) {
      const y = doc.y;
      doc.font('Helvetica-Bold').text(label, MARGIN, y, { width: 90 });
      doc.font('Helvetica').text(text(value), MARGIN + 90, y, { width: 200 });
    }
    const factsBottom = doc.y;

    // Customer, on the right of the facts.
    const { customer } = content;
    doc.font('Helvetica-Bold').text('Customer', MARGIN + 300, factsTop, { width: CONTENT_WIDTH - 300 });
    doc.font('Helvetica');
    const customerLines = [customer.companyName, customer.contactName, customer.contactEmail].filter((line): line is string => Boolean(line));
    doc.text(text(customerLines.length ? customerLines.join('\n') : '-'), MARGIN + 300, doc.y, { width: CONTENT_WIDTH - 300 });
    doc.y = Math.max(factsBottom, doc.y) + 15;

    if (quote.title) {
      doc.font('Helvetica-Bold').fontSize(13).text(text(quote.title), MARGIN, doc.y, { width: CONTENT_WIDTH });
      doc.moveDown(0.5);
    }

    this.linesTable(doc, quote.lines);

    // Totals, right-aligned under the table.
    doc.moveDown(0.5);
    const rows: [string, string, boolean][] = [
      ['Subtotal', quote.totals.subtotal, false],
      ...(quote.totals.discountTotal.replace(/[0.]/g, '') ? [['Discount', `-${quote.totals.discountTotal}`, false] as [string, string, boolean]] : []),
      ['Net total', quote.totals.netTotal, false],
      ...quote.totals.taxes.map((tax): [string, string, boolean] => [`Tax ${tax.taxPercent}% on ${groupThousands(tax.taxableAmount)}`, tax.taxAmount, false]),
      [`Total (${quote.currency})`, quote.totals.grandTotal, true],
    ];
    for (const [label, amount, bold] of rows) {
      this.ensureRoom(doc, 16);
      const y = doc.y;
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(bold ? 11 : 9);
      doc.text(label, MARGIN + 215, y, { width: 200, align: 'right' });
      doc.text(amount.startsWith('-') ? `-${groupThousands(amount.slice(1))}` : groupThousands(amount), MARGIN + 415, y, { width: CONTENT_WIDTH - 415, align: 'right' });
      doc.y = y + (bold ? 16 : 13);
    }

    doc.moveDown(1).font('Helvetica').fontSize(9);
    doc.text(`All amounts in ${quote.currency}. Amounts are rounded half-up per line.`, MARGIN, doc.y, { width: CONTENT_WIDTH });
    if (quote.notes) {
      doc.moveDown(1).font('Helvetica-Bold').text('Notes', MARGIN, doc.y).font('Helvetica').text(text(quote.notes), { width: CONTENT_WIDTH });
    }
    doc.end();
    return done;
  }

  private linesTable(doc: PDFKit.PDFDocument, lines: QuoteLine[]): void {
    const header = () => {
      const y = doc.y;
      doc.font('Helvetica-Bold').fontSize(9);
      let x = MARGIN;
      for (const column of COLUMNS) {
        doc.text(column.title, x, y, { width: column.width - 4, align: column.align });
        x += column.width;
      }
      doc.moveTo(MARGIN, y + 13).lineTo(MARGIN + CONTENT_WIDTH, y + 13).lineWidth(0.5).stroke();
      doc.y = y + 18;
      doc.font('Helvetica');
    };
    header();
    lines.forEach((line, index) => {
      const cells = COLUMNS.map((column) => toWinAnsi(column.value(line, index)));
      const height = Math.max(...cells.map((cell, at) => doc.heightOfString(cell, { width: COLUMNS[at].width - 4 })));
      if (doc.y + height > PAGE_BOTTOM) {
        doc.addPage();
        header();
      }
      const y = doc.y;
      let x = MARGIN;
      cells.forEach((cell, at) => {
        doc.text(cell, x, y, { width: COLUMNS[at].width - 4, align: COLUMNS[at].align });
        x += COLUMNS[at].width;
      });
      doc.y = y + height + 5;
    });
    doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + CONTENT_WIDTH, doc.y).lineWidth(0.5).stroke();
    doc.y += 5;
  }

  private ensureRoom(doc: PDFKit.PDFDocument, height: number): void {
    if (doc.y + height > PAGE_BOTTOM) doc.addPage();
  }
}

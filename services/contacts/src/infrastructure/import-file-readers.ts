import ExcelJS from 'exceljs';
import ICALModule from 'ical.js';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import Papa from 'papaparse';
import type { ImportFormat } from '../domain/contact-import';
import type { ImportFileReader, ImportRecord } from '../application/contact-import.runner';
import { LIST_SEPARATOR } from '../application/import-row-mapping';

// The CommonJS build of ical.js exports the namespace itself; typings describe an ES default export.
const ICAL = ((ICALModule as unknown as { default?: typeof ICALModule }).default ?? ICALModule) as typeof ICALModule;

/** Counts bytes as the file is read, for progress and ETA (the parser's look-ahead is small next to a file). */
function countingStream(path: string, counter: { bytes: number }, highWaterMark = 256 * 1024) {
  const stream = createReadStream(path, { highWaterMark });
  stream.on('data', (chunk) => (counter.bytes += chunk.length));
  return stream;
}

/**
 * The delimiter is the one the header line uses most (`,` `;` tab `|`). Papaparse would guess from
 * the whole first chunk, where quoted values full of semicolons can outvote the real delimiter.
 */
async function headerDelimiter(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(16 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const header = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '';
    const unquoted = header.replace(/"[^"]*"/g, '');
    const counts = [',', ';', '\t', '|'].map((delimiter) => ({ delimiter, count: unquoted.split(delimiter).length - 1 }));
    return counts.reduce((best, candidate) => (candidate.count > best.count ? candidate : best)).delimiter;
  } finally {
    await handle.close();
  }
}

const CSV_CHUNK_BYTES = 16 * 1024;

/** CSV through papaparse's streaming parser. Row 1 is the header; data rows are numbered as a spreadsheet shows them. */
async function* readCsv(path: string, counter: { bytes: number }): AsyncGenerator<ImportRecord> {
  // Blank lines are counted but not yielded, so row numbers stay those a spreadsheet shows.
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { skipEmptyLines: false, delimiter: await headerDelimiter(path) });
  // Small chunks: papaparse's stream pauses every 16 rows (its readable side's buffer) and on resume
  // splits the rest of the chunk again, so its cost grows with the chunk size. 256 KiB chunks made
  // parsing ~38 µs a row, 16 KiB ones ~5 µs.
  const source = countingStream(path, counter, CSV_CHUNK_BYTES);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let row = 0;
  for await (const values of parser as AsyncIterable<string[]>) {
    row++;
    if (row === 1) yield { kind: 'header', values: values.map((value, index) => (index === 0 ? value.replace(/^\uFEFF/, '') : value)) };
    else if (values.some((value) => value.trim() !== '')) yield { kind: 'row', row, values };
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('text' in value) return String(value.text);
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('error' in value) return '';
  }
  return String(value);
}

/** The first worksheet of an XLSX workbook, read as a stream (shared strings are cached, rows are not). */
async function* readXlsx(path: string, counter: { bytes: number }): AsyncGenerator<ImportRecord> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(countingStream(path, counter), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  let width = 0;
  for await (const worksheet of reader) {
    for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
      // row.values is 1-based and sparse.
      const cells = (row.values as ExcelJS.CellValue[]).slice(1);
      if (row.number === 1) {
        width = cells.length;
        yield { kind: 'header', values: Array.from({ length: width }, (_, index) => cellText(cells[index])) };
        continue;
      }
      const values = Array.from({ length: Math.max(width, cells.length) }, (_, index) => cellText(cells[index]));
      if (values.every((value) => value.trim() === '')) continue;
      yield { kind: 'row', row: row.number, values };
    }
    // Only the first worksheet is imported.
    break;
  }
}

/** The columns a vCard is turned into: the same names export writes, so the row mapping needs no special case. */
export const VCARD_COLUMNS = [
  'firstName',
  'lastName',
  'email',
  'emails',
  'phone',
  'phones',
  'title',
  'companyName',
  'companyId',
  'industry',
  'region',
  'status',
  'tags',
  'birthday',
  'ownerId',
  'source',
  'address.street',
  'address.city',
  'address.region',
  'address.postalCode',
  'address.country',
  'customFields',
] as const;

const textOf = (value: unknown): string => (Array.isArray(value) ? value.join(' ') : value === null || value === undefined ? '' : String(value));

/** A parsed vCard as a row of VCARD_COLUMNS; PREF=1 (or the first) email and phone come first. */
export function vcardToValues(card: InstanceType<typeof ICAL.Component>): string[] {
  // File order; the most preferred (lowest PREF, else the first) is the primary one.
  const inOrder = (name: string) => {
    const entries = card
      .getAllProperties(name)
      .map((property) => ({ value: textOf(property.getFirstValue()).replace(/^(mailto|tel):/i, ''), pref: Number(property.getParameter('pref') ?? 101) }))
      .filter((entry) => entry.value);
    const primary = entries.reduce<(typeof entries)[number] | undefined>((best, entry) => (!best || entry.pref < best.pref ? entry : best), undefined);
    return { primary: primary?.value ?? '', all: entries.map((entry) => entry.value).join(LIST_SEPARATOR) };
  };
  const emails = inOrder('email');
  const phones = inOrder('tel');
  const name = card.getFirstPropertyValue('n') as unknown as string[] | null;
  let firstName = name ? textOf(name[1]) : '';
  let lastName = name ? textOf(name[0]) : '';
  if (!firstName && !lastName) {
    const full = textOf(card.getFirstPropertyValue('fn')).trim().split(/\s+/);
    lastName = full.length > 1 ? full.pop()! : '';
    firstName = full.join(' ');
  }
  const adr = card.getFirstPropertyValue('adr') as unknown as string[] | null;
  const org = card.getFirstPropertyValue('org') as unknown;
  const tags = card.getAllProperties('categories').flatMap((property) => property.getValues().map(textOf));
  const bday = card.getFirstPropertyValue('bday');
  const x = (property: string) => textOf(card.getFirstPropertyValue(property));
  const values: Record<(typeof VCARD_COLUMNS)[number], string> = {
    firstName,
    lastName,
    email: emails.primary,
    emails: emails.all,
    phone: phones.primary,
    phones: phones.all,
    title: x('title'),
    companyName: Array.isArray(org) ? textOf(org[0]) : textOf(org),
    companyId: x('x-crm-company-id'),
    industry: x('x-crm-industry'),
    region: x('x-crm-region'),
    status: x('x-crm-status'),
    tags: tags.join(LIST_SEPARATOR),
    birthday: bday ? textOf(bday).slice(0, 10) : '',
    ownerId: x('x-crm-owner-id'),
    source: x('x-crm-source'),
    'address.street': adr ? textOf(adr[2]) : '',
    'address.city': adr ? textOf(adr[3]) : '',
    'address.region': adr ? textOf(adr[4]) : '',
    'address.postalCode': adr ? textOf(adr[5]) : '',
    'address.country': adr ? textOf(adr[6]) : '',
    customFields: x('x-crm-custom-fields'),
  };
  return VCARD_COLUMNS.map((column) => values[column]);
}

/**
 * vCard files read line by line: each BEGIN:VCARD … END:VCARD entry is parsed on its own with ical.js,
 * so one broken card becomes that card's row error and the file is never held whole.
 */
async function* readVcard(path: string, counter: { bytes: number }): AsyncGenerator<ImportRecord> {
  yield { kind: 'header', values: [...VCARD_COLUMNS] };
  const lines = createInterface({ input: countingStream(path, counter), crlfDelay: Infinity });
  let card: string[] | null = null;
  let row = 0;
  for await (const line of lines) {
    const trimmed = line.trim().toUpperCase();
    if (trimmed === 'BEGIN:VCARD') {
      card = [line.trim()];
      row++;
    } else if (card && trimmed === 'END:VCARD') {
      card.push(line.trim());
      try {
        const component = new ICAL.Component(ICAL.parse(card.join('\r\n')) as never);
        yield { kind: 'row', row, values: vcardToValues(component) };
      } catch (error) {
        yield { kind: 'row', row, values: null, error: `not a valid vCard: ${(error as Error).message}` };
      }
      card = null;
    } else if (card) {
      card.push(line);
    }
  }
  if (card) yield { kind: 'row', row, values: null, error: 'the card has no END:VCARD' };
}

export const fileImportReader: ImportFileReader = {
  read(path: string, format: ImportFormat, counter: { bytes: number }) {
    switch (format) {
      case 'csv':
        return readCsv(path, counter);
      case 'xlsx':
        return readXlsx(path, counter);
      case 'vcf':
        return readVcard(path, counter);
    }
  },
};

/**
 * A quick look at the head of an upload, so that a file that is not what it claims to be answers 400
 * at once instead of becoming a failed job: XLSX is a ZIP, a vCard starts with BEGIN:VCARD, a CSV has
 * a header line.
 */
export async function sniffProblem(path: string, format: ImportFormat): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    if (bytesRead === 0) return 'The file is empty';
    if (format === 'xlsx') return head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])) ? null : 'The file is not an XLSX workbook';
    const text = head.toString('utf8').replace(/^\uFEFF/, '');
    if (text.includes('\u0000')) return 'The file is not text';
    if (format === 'vcf') return /^\s*BEGIN:VCARD/i.test(text) ? null : 'The file is not a vCard file: it does not start with BEGIN:VCARD';
    const header = Papa.parse<string[]>(text.split(/\r?\n/)[0] ?? '').data[0] ?? [];
    return header.some((cell) => cell.trim() !== '') ? null : 'The CSV file has no header row';
  } finally {
    await handle.close();
  }
}

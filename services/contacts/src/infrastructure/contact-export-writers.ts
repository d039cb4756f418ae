import ExcelJS from 'exceljs';
import ICALModule from 'ical.js';
import { PassThrough, Readable } from 'node:stream';
import Papa from 'papaparse';
import type { ContactView } from '../application/views';
import { LIST_SEPARATOR } from '../application/import-row-mapping';

const ICAL = ((ICALModule as unknown as { default?: typeof ICALModule }).default ?? ICALModule) as typeof ICALModule;

/** Export columns: the import's canonical names, so an exported file imports back without a mapping. */
export const EXPORT_COLUMNS = [
  'id',
  'firstName',
  'lastName',
  'email',
  'emails',
  'phone',
  'phones',
  'title',
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
  'createdAt',
  'updatedAt',
] as const;

/** `email`/`phone` hold the primary one, `emails`/`phones` all of them in their stored order: import reads both back. */
const primaryOf = <T extends { primary: boolean }>(items: T[] | undefined) => items?.find((item) => item.primary);

export function exportRow(contact: ContactView): string[] {
  const address = contact.address ?? {};
  const values: Record<(typeof EXPORT_COLUMNS)[number], string> = {
    id: contact.id,
    firstName: contact.firstName ?? '',
    lastName: contact.lastName ?? '',
    email: primaryOf(contact.emails)?.address ?? '',
    emails: (contact.emails ?? []).map((email) => email.address).join(LIST_SEPARATOR),
    phone: primaryOf(contact.phones)?.number ?? '',
    phones: (contact.phones ?? []).map((phone) => phone.number).join(LIST_SEPARATOR),
    title: contact.title ?? '',
    companyId: contact.companyId ?? '',
    industry: contact.industry ?? '',
    region: contact.region ?? '',
    status: contact.status ?? '',
    tags: (contact.tags ?? []).join(LIST_SEPARATOR),
    birthday: contact.birthday ?? '',
    ownerId: contact.ownerId ?? '',
    source: contact.source ?? '',
    'address.street': address.street ?? '',
    'address.city': address.city ?? '',
    'address.region': address.region ?? '',
    'address.postalCode': address.postalCode ?? '',
    'address.country': address.country ?? '',
    customFields: contact.customFields && Object.keys(contact.customFields).length > 0 ? JSON.stringify(contact.customFields) : '',
    createdAt: contact.createdAt ?? '',
    updatedAt: contact.updatedAt ?? '',
  };
  return EXPORT_COLUMNS.map((column) => values[column]);
}

/** CSV, one unparse per page of contacts. */
export function csvExport(pages: AsyncIterable<ContactView[]>): Readable {
  return Readable.from(
    (async function* () {
      yield `${Papa.unparse([[...EXPORT_COLUMNS]])}\r\n`;
      for await (const page of pages) if (page.length > 0) yield `${Papa.unparse(page.map(exportRow))}\r\n`;
    })(),
  );
}

/** XLSX through exceljs' streaming writer: each row is committed (written out) as soon as it is added. */
export function xlsxExport(pages: AsyncIterable<ContactView[]>): Readable {
  const output = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Contacts');
  void (async () => {
    sheet.addRow([...EXPORT_COLUMNS]).commit();
    for await (const page of pages) for (const contact of page) sheet.addRow(exportRow(contact)).commit();
    sheet.commit();
    await workbook.commit();
  })().catch((error) => output.destroy(error as Error));
  return output;
}

/** One vCard 4.0 per contact; fields vCard has no property for travel as X-CRM-* properties. */
export function contactToVcard(contact: ContactView): string {
  const card = new ICAL.Component(['vcard', [], []]);
  card.addPropertyWithValue('version', '4.0');
  card.addPropertyWithValue('uid', `urn:crm:contact:${contact.id}`);
  card.addPropertyWithValue('fn', `${contact.firstName ?? ''} ${contact.lastName ?? ''}`.trim());
  card.addPropertyWithValue('n', [contact.lastName ?? '', contact.firstName ?? '', '', '', ''] as never);
  // Stored order, PREF=1 on the primary one.
  for (const email of contact.emails ?? []) {
    const property = card.addPropertyWithValue('email', email.address);
    if (email.primary) property.setParameter('pref', '1');
  }
  for (const phone of contact.phones ?? []) {
    const property = card.addPropertyWithValue('tel', phone.number);
    if (phone.primary) property.setParameter('pref', '1');
  }
  if (contact.title) card.addPropertyWithValue('title', contact.title);
  if (contact.address) {
    const { street = '', city = '', region = '', postalCode = '', country = '' } = contact.address;
    card.addPropertyWithValue('adr', ['', '', street, city, region, postalCode, country] as never);
  }
  if (contact.birthday) card.addPropertyWithValue('bday', contact.birthday.replaceAll('-', ''));
  if (contact.tags?.length) {
    const categories = new ICAL.Property('categories');
    categories.setValues(contact.tags);
    card.addProperty(categories);
  }
  const extra: [string, string | null | undefined][] = [
    ['x-crm-company-id', contact.companyId],
    ['x-crm-industry', contact.industry],
    ['x-crm-region', contact.region],
    ['x-crm-status', contact.status],
    ['x-crm-owner-id', contact.ownerId],
    ['x-crm-source', contact.source],
    ['x-crm-custom-fields', contact.customFields && Object.keys(contact.customFields).length > 0 ? JSON.stringify(contact.customFields) : null],
  ];
  for (const [name, value] of extra) if (value) card.addPropertyWithValue(name, value);
  return `${card.toString().replace(/\r?\n/g, '\r\n')}\r\n`;
}

export function vcardExport(pages: AsyncIterable<ContactView[]>): Readable {
  return Readable.from(
    (async function* () {
      for await (const page of pages) if (page.length > 0) yield page.map(contactToVcard).join('');
    })(),
  );
}

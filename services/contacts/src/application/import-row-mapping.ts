import { DomainError } from '@crm/decider';
import type { JsonValue, PostalAddress } from '../domain/common';
import { CONTACT_STATUSES, type ContactInput, type ContactStatus } from '../domain/contact';
import type { CustomFieldSchemaState } from '../domain/custom-field-definitions';

/**
 * Columns of an import file → contact fields. Export writes exactly the canonical names below, so a file
 * exported by us maps back without a mapping; other files are matched through aliases, compared without
 * case, spaces or punctuation ("E-mail", "First Name", "ZIP").
 */
export const IMPORT_TARGETS = [
  'firstName',
  'lastName',
  'fullName',
  'email',
  'emails',
  'phone',
  'phones',
  'title',
  'companyId',
  'companyName',
  'companyDomain',
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
  'address.country',
  'address.postalCode',
  'customFields',
  'id',
  'ignore',
] as const;
export type ImportTarget = (typeof IMPORT_TARGETS)[number] | `customFields.${string}`;

/** Separator of several values in one cell (emails, phones, tags), as export writes them. */
export const LIST_SEPARATOR = ';';

const ALIASES: Record<string, ImportTarget> = {};
function alias(target: ImportTarget, ...names: string[]) {
  for (const name of [target, ...names]) ALIASES[normaliseHeader(name)] = target;
}
alias('firstName', 'first', 'given name', 'forename', 'first_name', 'prenom');
alias('lastName', 'last', 'surname', 'family name', 'last_name');
alias('fullName', 'name', 'full name', 'contact name', 'display name');
alias('email', 'e-mail', 'email address', 'e-mail address', 'mail', 'primary email');
alias('emails', 'other emails', 'additional emails', 'email addresses');
alias('phone', 'phone number', 'telephone', 'tel', 'mobile', 'mobile phone', 'primary phone');
alias('phones', 'phone numbers', 'other phones');
alias('title', 'job title', 'position', 'role');
alias('companyId', 'company id');
alias('companyName', 'company', 'company name', 'organisation', 'organization', 'org', 'account', 'account name', 'employer');
alias('companyDomain', 'company domain', 'domain', 'website', 'company website');
alias('industry', 'sector');
alias('region', 'territory');
alias('status', 'lifecycle stage', 'contact status');
alias('tags', 'tag', 'labels', 'categories');
alias('birthday', 'birth date', 'date of birth', 'dob', 'birthdate');
alias('ownerId', 'owner', 'owner id', 'assigned to');
alias('source', 'lead source');
alias('address.street', 'street', 'address', 'street address', 'address line 1');
alias('address.city', 'city', 'town');
alias('address.region', 'state', 'province', 'county', 'address region');
alias('address.country', 'country', 'country code');
alias('address.postalCode', 'postal code', 'postcode', 'zip', 'zip code');
alias('customFields', 'custom fields');
alias('id', 'contact id', 'crm id');

export function normaliseHeader(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9.]/g, '');
}

const isTarget = (value: string): value is ImportTarget =>
  (IMPORT_TARGETS as readonly string[]).includes(value) || /^customFields\.[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(value);

/** Throws a 400-kind error naming the mapping entries that name no field. */
export function checkMapping(mapping: Record<string, unknown>): Record<string, ImportTarget> {
  const problems = Object.entries(mapping)
    .filter(([, target]) => typeof target !== 'string' || !isTarget(target))
    .map(([header]) => ({ field: `mapping.${header}`, reason: `must be one of ${IMPORT_TARGETS.join(', ')} or customFields.<name>` }));
  if (problems.length > 0) throw new DomainError('invalid', 'Invalid mapping', problems);
  return mapping as Record<string, ImportTarget>;
}

/** What each header of a file feeds, decided once per file. Headers that feed nothing are returned too, to be reported. */
export function resolveColumns(
  headers: string[],
  mapping: Record<string, ImportTarget>,
  schema: CustomFieldSchemaState,
): { columns: (ImportTarget | null)[]; unknown: string[] } {
  const mappingByHeader = new Map(Object.entries(mapping).map(([header, target]) => [normaliseHeader(header), target]));
  const customByName = new Map<string, string>();
  for (const field of Object.values(schema.fields)) {
    customByName.set(normaliseHeader(field.name), field.name);
    if (field.label) customByName.set(normaliseHeader(field.label), field.name);
  }
  const unknown: string[] = [];
  const columns = headers.map((header) => {
    const key = normaliseHeader(header);
    const mapped = mappingByHeader.get(key);
    if (mapped) return mapped;
    if (ALIASES[key]) return ALIASES[key];
    if (customByName.has(key)) return `customFields.${customByName.get(key)}` as ImportTarget;
    const prefixed = /^(?:customfields|cf)[._]?(.+)$/i.exec(header.trim());
    if (prefixed && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(prefixed[1])) return `customFields.${prefixed[1]}` as ImportTarget;
    unknown.push(header);
    return null;
  });
  return { columns, unknown };
}

/** One row turned into what the create route takes, plus what the import needs besides. */
export interface MappedRow {
  input: ContactInput;
  companyName: string | null;
  companyDomain: string | null;
  externalId: string | null;
  primaryEmail: string | null;
}

export class RowError extends Error {
  constructor(
    readonly field: string | null,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * The list in file order, the `email`/`phone` column's value marked primary (and put first when the list
 * does not hold it); without one the first entry is primary. Undefined when there is nothing.
 */
function withPrimary(values: string[], primary: string | null): [string, boolean][] | undefined {
  const unique = [...new Set(values)];
  if (primary && !unique.includes(primary)) unique.unshift(primary);
  if (unique.length === 0) return undefined;
  const chosen = primary ?? unique[0];
  return unique.map((value) => [value, value === chosen]);
}

const splitList = (value: string) => value.split(LIST_SEPARATOR).map((item) => item.trim()).filter(Boolean);

function customValue(name: string, raw: string, schema: CustomFieldSchemaState): JsonValue {
  const field = schema.fields[name];
  if (!field) return raw;
  switch (field.type) {
    case 'number': {
      const value = Number(raw.replace(/\s/g, ''));
      if (!Number.isFinite(value)) throw new RowError(`customFields.${name}`, 'must be a number');
      return value;
    }
    case 'boolean': {
      const value = raw.trim().toLowerCase();
      if (['true', 'yes', 'y', '1'].includes(value)) return true;
      if (['false', 'no', 'n', '0'].includes(value)) return false;
      throw new RowError(`customFields.${name}`, 'must be true or false');
    }
    default:
      return raw;
  }
}

/**
 * Builds the contact input of one row. Empty cells are absent fields, so an upsert never clears what
 * the file leaves blank. Cell-level problems throw RowError; field rules are checked later, by the
 * same validation as the create route.
 */
export function mapRow(
  values: (string | undefined)[],
  columns: (ImportTarget | null)[],
  schema: CustomFieldSchemaState,
  externalIdIndex: number,
): MappedRow {
  const input: ContactInput = {};
  const address: PostalAddress = {};
  const emails: string[] = [];
  const phones: string[] = [];
  let primaryEmail: string | null = null;
  let primaryPhone: string | null = null;
  let customFields: Record<string, JsonValue | null> | undefined;
  let fullName: string | null = null;
  let companyName: string | null = null;
  let companyDomain: string | null = null;
  for (let index = 0; index < columns.length; index++) {
    const target = columns[index];
    const raw = values[index]?.trim();
    if (!target || !raw) continue;
    switch (target) {
      case 'firstName':
      case 'lastName':
      case 'title':
      case 'companyId':
      case 'industry':
      case 'region':
      case 'birthday':
      case 'ownerId':
      case 'source':
        input[target] = raw;
        break;
      case 'fullName':
        fullName = raw;
        break;
      case 'email':
        [primaryEmail = null] = splitList(raw);
        emails.push(...splitList(raw).slice(1));
        break;
      case 'emails':
        emails.push(...splitList(raw));
        break;
      case 'phone':
        [primaryPhone = null] = splitList(raw);
        phones.push(...splitList(raw).slice(1));
        break;
      case 'phones':
        phones.push(...splitList(raw));
        break;
      case 'companyName':
        companyName = raw;
        break;
      case 'companyDomain':
        companyDomain = raw;
        break;
      case 'status': {
        const status = raw.toLowerCase();
        if (!(CONTACT_STATUSES as readonly string[]).includes(status)) throw new RowError('status', `must be one of ${CONTACT_STATUSES.join(', ')}`);
        input.status = status as ContactStatus;
        break;
      }
      case 'tags':
        input.tags = splitList(raw);
        break;
      case 'address.street':
      case 'address.city':
      case 'address.region':
      case 'address.country':
      case 'address.postalCode':
        address[target.slice('address.'.length) as keyof PostalAddress] = raw;
        break;
      case 'customFields': {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          throw new RowError('customFields', 'must be a JSON object');
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RowError('customFields', 'must be a JSON object');
        customFields = { ...customFields, ...(parsed as Record<string, JsonValue>) };
        break;
      }
      case 'id':
      case 'ignore':
        break;
      default: {
        const name = target.slice('customFields.'.length);
        customFields = { ...customFields, [name]: customValue(name, raw, schema) };
      }
    }
  }
  if (fullName && input.firstName === undefined && input.lastName === undefined) {
    const parts = fullName.split(/\s+/);
    input.firstName = parts.length > 1 ? parts.slice(0, -1).join(' ') : parts[0];
    if (parts.length > 1) input.lastName = parts[parts.length - 1];
  }
  input.emails = withPrimary(emails.map((email) => email.toLowerCase()), primaryEmail?.toLowerCase() ?? null)?.map(([address, primary]) => ({ address, primary }));
  if (!input.emails) delete input.emails;
  input.phones = withPrimary(phones, primaryPhone)?.map(([number, primary]) => ({ number, primary }));
  if (!input.phones) delete input.phones;
  const uniqueEmails = input.emails?.filter((email) => email.primary).map((email) => email.address) ?? [];
  if (Object.keys(address).length > 0) input.address = address;
  if (customFields) input.customFields = customFields;
  const externalId = externalIdIndex >= 0 ? values[externalIdIndex]?.trim() || null : null;
  return { input, companyName, companyDomain, externalId, primaryEmail: uniqueEmails[0] ?? null };
}

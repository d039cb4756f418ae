import type { ReadStore } from '@crm/readstore';
import { COMPANIES_COLLECTION, type CompanyDocument, CONTACTS_COLLECTION, type ContactDocument } from './read-models';

/**
 * How an import finds contacts that already exist (upsert and skip-duplicates modes). Answers come from
 * the list read model, so they lag the log slightly; the runner also remembers what it wrote itself.
 * The duplicate-rules work can swap this for its own `findDuplicatesMany` without touching the runner.
 */
export interface ExistingContactFinder {
  /** Contact id by primary email (lower case), for the emails given that are some live contact's primary email. */
  byPrimaryEmail(tenantId: string, emails: string[]): Promise<Map<string, string>>;
  /** Contact id by the value of a custom field (an external id), for the values given. */
  byCustomField(tenantId: string, field: string, values: string[]): Promise<Map<string, string>>;
}

/** How an import finds companies to link, by name (case-insensitive) or by domain. */
export interface CompanyFinder {
  byNames(tenantId: string, names: string[]): Promise<Map<string, string>>;
  byDomains(tenantId: string, domains: string[]): Promise<Map<string, string>>;
}

export class ReadModelImportLookups implements ExistingContactFinder, CompanyFinder {
  constructor(private readonly readStore: ReadStore) {}

  async byPrimaryEmail(tenantId: string, emails: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (emails.length === 0) return found;
    const wanted = new Set(emails);
    const documents = await this.readStore
      .collection<ContactDocument>(CONTACTS_COLLECTION)
      .find({ tenantId, deleted: false, emailAddresses: { $in: [...wanted] } }, { projection: { id: 1, emails: 1 } });
    for (const document of documents) {
      const primary = document.emails?.find((email) => email.primary)?.address;
      if (primary && wanted.has(primary) && !found.has(primary)) found.set(primary, document.id);
    }
    return found;
  }

  async byCustomField(tenantId: string, field: string, values: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (values.length === 0) return found;
    const documents = await this.readStore
      .collection<ContactDocument>(CONTACTS_COLLECTION)
      .find({ tenantId, deleted: false, [`customFields.${field}`]: { $in: values } }, { projection: { id: 1, customFields: 1 } });
    for (const document of documents) {
      const value = String(document.customFields?.[field] ?? '');
      if (!found.has(value)) found.set(value, document.id);
    }
    return found;
  }

  async byNames(tenantId: string, names: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (names.length === 0) return found;
    const wanted = new Set(names.map((name) => name.toLowerCase()));
    // Names are among the lower-cased search keys, which are indexed.
    const documents = await this.readStore
      .collection<CompanyDocument>(COMPANIES_COLLECTION)
      .find({ tenantId, deleted: false, searchKeys: { $in: [...wanted] } }, { projection: { id: 1, name: 1 } });
    for (const document of documents) {
      const key = document.name?.toLowerCase();
      if (key && wanted.has(key) && !found.has(key)) found.set(key, document.id);
    }
    return found;
  }

  async byDomains(tenantId: string, domains: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (domains.length === 0) return found;
    const documents = await this.readStore
      .collection<CompanyDocument>(COMPANIES_COLLECTION)
      .find({ tenantId, deleted: false, domain: { $in: domains } }, { projection: { id: 1, domain: 1 } });
    for (const document of documents) if (document.domain && !found.has(document.domain)) found.set(document.domain, document.id);
    return found;
  }
}

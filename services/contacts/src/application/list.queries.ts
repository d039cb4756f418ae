import type { Filter, ReadStore, SortSpec } from '@crm/readstore';
import { COMPANIES_COLLECTION, type CompanyDocument, CONTACTS_COLLECTION, type ContactDocument, stripInternals } from './read-models';
import type { CompanyView, ContactView, ListResult } from './views';

export interface ContactListFilter {
  q?: string;
  email?: string;
  tag?: string;
  status?: string;
  industry?: string;
  region?: string;
  companyId?: string;
  archived?: boolean;
  sort?: string;
  limit?: number;
  cursor?: string;
}

export interface CompanyListFilter {
  q?: string;
  domain?: string;
  tag?: string;
  industry?: string;
  region?: string;
  archived?: boolean;
  sort?: string;
  limit?: number;
  cursor?: string;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `-createdAt` → `{ createdAt: -1 }`. */
export function parseSort(sort: string | undefined, fallback: string): SortSpec {
  const value = sort ?? fallback;
  return value.startsWith('-') ? { [value.slice(1)]: -1 } : { [value]: 1 };
}

export const DEFAULT_LIMIT = 50;

/** Lists read from the projected collections: eventually consistent, bounded by the consistency token. */
export class ListQueries {
  constructor(private readonly readStore: ReadStore) {}

  async listContacts(tenantId: string, filter: ContactListFilter): Promise<ListResult<ContactView>> {
    const query: Filter = { tenantId, deleted: false, archived: filter.archived ?? false };
    if (filter.q) query.searchKeys = { $regex: `^${escapeRegex(filter.q.trim().toLowerCase())}` };
    if (filter.email) query.emailAddresses = filter.email.trim().toLowerCase();
    if (filter.tag) query.tags = filter.tag.trim().toLowerCase();
    if (filter.status) query.status = filter.status;
    if (filter.industry) query.industry = filter.industry;
    if (filter.region) query.region = filter.region;
    if (filter.companyId) query.companyId = filter.companyId;
    const page = await this.readStore.collection<ContactDocument>(CONTACTS_COLLECTION).findPage(query, {
      sort: parseSort(filter.sort, '-createdAt'),
      limit: filter.limit ?? DEFAULT_LIMIT,
      cursor: filter.cursor,
    });
    return { items: page.items.map((document) => stripInternals<ContactView>(document)), nextCursor: page.nextCursor };
  }

  async listCompanies(tenantId: string, filter: CompanyListFilter): Promise<ListResult<CompanyView>> {
    const query: Filter = { tenantId, deleted: false, archived: filter.archived ?? false };
    if (filter.q) query.searchKeys = { $regex: `^${escapeRegex(filter.q.trim().toLowerCase())}` };
    if (filter.domain) query.domain = filter.domain.trim().toLowerCase();
    if (filter.tag) query.tags = filter.tag.trim().toLowerCase();
    if (filter.industry) query.industry = filter.industry;
    if (filter.region) query.region = filter.region;
    const page = await this.readStore.collection<CompanyDocument>(COMPANIES_COLLECTION).findPage(query, {
      sort: parseSort(filter.sort, '-createdAt'),
      limit: filter.limit ?? DEFAULT_LIMIT,
      cursor: filter.cursor,
    });
    return { items: page.items.map((document) => stripInternals<CompanyView>(document)), nextCursor: page.nextCursor };
  }
}

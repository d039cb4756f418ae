import type { Document } from '@crm/readstore';
import type { CompanyView, ContactView } from './views';

/** Versioned collection names: a new projection version builds beside the old one, then takes over. */
export const CONTACTS_COLLECTION = 'contacts_v1';
export const COMPANIES_COLLECTION = 'companies_v1';

/** A contact in the list read model: the view plus lower-cased search keys. `_id` is `<tenant>:<id>`. */
export type ContactDocument = Document &
  Partial<ContactView> & {
    tenantId: string;
    id: string;
    /** Lower-cased names, full name and email addresses, for prefix search. */
    searchKeys: string[];
    emailAddresses: string[];
    deleted: boolean;
    _position: number;
  };

export type CompanyDocument = Document &
  Partial<CompanyView> & {
    tenantId: string;
    id: string;
    searchKeys: string[];
    deleted: boolean;
    _position: number;
  };

export const documentId = (tenantId: string, id: string): string => `${tenantId}:${id}`;

/** How far the list read models have applied the log; used to honour X-Consistency-Token. */
export { PROJECTION_PROGRESS, type ProjectionProgress } from '@crm/runtime';

/** The API view of a projected document: everything but the projection's own bookkeeping. */
export function stripInternals<View>(document: ContactDocument | CompanyDocument): View {
  const view: Record<string, unknown> = { ...document };
  for (const key of ['_id', '_position', 'tenantId', 'searchKeys', 'emailAddresses', 'matchKeys', 'merge', 'deleted', 'lifecycle']) delete view[key];
  return view as View;
}

import type { CompanyFields } from '../domain/company';
import type { ContactFields } from '../domain/contact';

/** A contact as the API returns it. */
export interface ContactView extends ContactFields {
  id: string;
  archived: boolean;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface CompanyView extends CompanyFields {
  id: string;
  archived: boolean;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export type { HistoryEntry, WriteResult } from '@crm/runtime';

export interface ListResult<T> {
  items: T[];
  nextCursor: string | null;
}


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

export interface HistoryEntry {
  revision: number;
  type: string;
  occurredAt: string;
  actorId: string;
  correlationId: string;
  causationId: string;
  changedFields: string[];
  data: unknown;
}

export interface ListResult<T> {
  items: T[];
  nextCursor: string | null;
}

/** What a write returns to the API: enough for Location, ETag and X-Consistency-Token. */
export interface WriteResult<View> {
  view: View;
  revision: number;
  /** Global position of the write's last event; -1 when the command changed nothing. */
  position: number;
}

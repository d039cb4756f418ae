import type { Document } from '@crm/readstore';
import type { DealFacts } from '../domain/forecast';

/** Versioned collection names: a new projection version builds beside the old one, then takes over. */
export const DEAL_VERSIONS_COLLECTION = 'deal_versions_v1';
export const QUOTAS_COLLECTION = 'quotas_v1';

/**
 * One version of a deal's forecast facts, valid from `validFrom` (inclusive) until `validTo` (exclusive;
 * null for the deal's current version). `_id` is `<tenant>:<deal>:<revision>`, zero-padded so that ids
 * of one deal sort by revision.
 */
export type DealVersionDocument = Document &
  DealFacts & {
    validTo: string | null;
    _position: number;
  };

export const dealVersionId = (tenantId: string, dealId: string, revision: number): string => `${tenantId}:${dealId}:${String(revision).padStart(10, '0')}`;

/** The facts of a version document, without the read model's bookkeeping. */
export function factsOf(document: DealVersionDocument): DealFacts {
  const { _id, _position, validTo, ...facts } = document;
  return facts;
}

/** A quota in the list read model; deleted quotas stay (flagged) so that attainment as of a past date finds them. */
export type QuotaDocument = Document & {
  tenantId: string;
  id: string;
  ownerId: string;
  period: string;
  amount: string;
  currency: string;
  deleted: boolean;
  revision: number;
  createdAt: string;
  updatedAt: string;
  _position: number;
};

export const quotaDocumentId = (tenantId: string, quotaId: string): string => `${tenantId}:${quotaId}`;

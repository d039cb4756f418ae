import type { Document, ReadStore } from '@crm/readstore';
import { compareTerritories, type TerritoryFields } from '../domain/territory';

export const TERRITORIES_COLLECTION = 'territories_v1';

/** A territory as the API returns it. */
export interface TerritoryView extends TerritoryFields {
  id: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** A territory in the read model; a deleted one stays as a tombstone so a late redelivery cannot bring it back. */
export interface TerritoryDocument extends Document, TerritoryView {
  tenantId: string;
  deleted: boolean;
  _position: number;
}

export const territoryDocumentId = (tenantId: string, territoryId: string): string => `${tenantId}:${territoryId}`;

/** A tenant has tens of territories, not thousands: they are read whole, in rule order. */
export const MAX_TERRITORIES = 1_000;

export function toTerritoryView(document: TerritoryDocument): TerritoryView {
  const { _id, _position, tenantId: _tenantId, deleted: _deleted, ...view } = document;
  return view;
}

export class TerritoryQueries {
  constructor(private readonly readStore: ReadStore) {}

  /** The tenant's territories in the order their rules are tried. */
  async inRuleOrder(tenantId: string): Promise<TerritoryView[]> {
    const documents = await this.readStore
      .collection<TerritoryDocument>(TERRITORIES_COLLECTION)
      .find({ tenantId, deleted: false }, { sort: { rank: 1, createdAt: 1 }, limit: MAX_TERRITORIES });
    return documents.map(toTerritoryView).sort(compareTerritories);
  }
}

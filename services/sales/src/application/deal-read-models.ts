import type { Document } from '@crm/readstore';
import type { DealLineItem, DealRelink, DealStatus, ForecastCategory, StageType } from '../domain/deal';
import type { PipelineStage } from '../domain/pipeline';

/** Versioned collection names: a new projection version builds beside the old one, then takes over. */
export const DEALS_COLLECTION = 'deals_v1';
export const DEAL_BOARD_COLLECTION = 'deal_board_v1';
export const PIPELINES_COLLECTION = 'pipelines_v1';

export const DEALS_PROJECTION = 'sales.deals.v1';
export const PIPELINES_PROJECTION = 'sales.pipelines.v1';

/** A deal as the API returns it. */
export interface DealView {
  id: string;
  title: string;
  pipelineId: string;
  stageId: string;
  stageType: StageType;
  status: DealStatus;
  /** Win probability (0-100) of the stage when the deal entered it. */
  probability: number;
  amount: string;
  currency: string;
  expectedCloseDate: string | null;
  ownerId: string | null;
  contactId: string | null;
  companyId: string | null;
  forecastCategory: ForecastCategory;
  lineItems: DealLineItem[];
  closeReason: string | null;
  closedOn: string | null;
  stageEnteredAt: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * A deal in the list read model: the view plus what filters need. `amountKey` is the amount as a
 * fixed-width string whose order is the numeric order (see `amountSortKey`), so amount ranges are
 * compared exactly by the read store. `_id` is `<tenant>:<dealId>`.
 */
export type DealDocument = Document &
  DealView & {
    tenantId: string;
    amountKey: string;
    /** Kept so that the projection folds the next event with the decider's own `evolve`. */
    relinks: DealRelink[];
    contactFromMerge: DealRelink | null;
    deleted: boolean;
    _position: number;
  };

/** One cell of a pipeline board: the deals of one stage in one currency. `_id` is `<tenant>:<pipeline>:<stage>:<currency>`. */
export type DealBoardCell = Document & {
  tenantId: string;
  pipelineId: string;
  stageId: string;
  currency: string;
  count: number;
  /** Exact decimal sum of the deals' amounts. */
  amount: string;
  _position: number;
};

export interface PipelineView {
  id: string;
  name: string;
  /** Board order. */
  stages: PipelineStage[];
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export type PipelineDocument = Document & PipelineView & { tenantId: string; removedStages: PipelineStage[]; _position: number };

export const dealDocumentId = (tenantId: string, dealId: string): string => `${tenantId}:${dealId}`;
export const pipelineDocumentId = (tenantId: string, pipelineId: string): string => `${tenantId}:${pipelineId}`;
export const boardCellId = (tenantId: string, pipelineId: string, stageId: string, currency: string): string =>
  `${tenantId}:${pipelineId}:${stageId}:${currency}`;

export interface ListResult<T> {
  items: T[];
  nextCursor: string | null;
}

/** The API view of a projected deal: everything but the projection's own bookkeeping. */
export function dealViewOf(document: DealDocument): DealView {
  const { _id, _position, tenantId: _tenantId, amountKey: _amountKey, relinks: _relinks, contactFromMerge: _merge, deleted: _deleted, ...view } = document;
  return view;
}

export function pipelineViewOf(document: PipelineDocument): PipelineView {
  const { _id, _position, tenantId: _tenantId, removedStages: _removedStages, ...view } = document;
  return view;
}

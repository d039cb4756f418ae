import type { EventStore } from '@crm/eventstore';
import type { Filter, ReadStore, SortSpec } from '@crm/readstore';
import type { ProjectionHost } from '@crm/runtime';
import type { DealStatus } from '../domain/deal';
import { normaliseDate } from '../domain/deal';
import { amountSortKey, decimalString, normaliseCurrency, parseDecimal } from '../domain/money';
import {
  DEALS_COLLECTION,
  DEALS_PROJECTION,
  type DealDocument,
  dealViewOf,
  type DealView,
  type ListResult,
  PIPELINES_COLLECTION,
  type PipelineDocument,
  pipelineViewOf,
  type PipelineView,
} from './deal-read-models';

export const DEAL_SORTS = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'amount', '-amount', 'expectedCloseDate', '-expectedCloseDate', 'title', '-title'] as const;
export type DealSort = (typeof DEAL_SORTS)[number];

export interface DealListFilter {
  pipelineId?: string;
  stageId?: string;
  ownerId?: string;
  status?: DealStatus;
  contactId?: string;
  companyId?: string;
  currency?: string;
  /** Inclusive bounds, decimal strings compared exactly (across currencies unless `currency` is given). */
  amountMin?: string;
  amountMax?: string;
  /** Inclusive bounds, YYYY-MM-DD. */
  expectedCloseFrom?: string;
  expectedCloseTo?: string;
  sort?: DealSort;
  limit?: number;
  cursor?: string;
}

export const DEFAULT_LIMIT = 50;
const CATCH_UP_WAIT_MS = 5_000;
const SCAN_PAGE = 200;

function sortSpec(sort: DealSort | undefined): SortSpec {
  const value = sort ?? '-createdAt';
  const direction = value.startsWith('-') ? -1 : 1;
  const field = value.replace(/^-/, '');
  // Amounts sort by their fixed-width key: numeric order, not the strings' order ("9" < "10").
  return { [field === 'amount' ? 'amountKey' : field]: direction };
}

function amountBound(value: string, field: string): string {
  return amountSortKey(decimalString(parseDecimal(value, { field, allowNegative: true })));
}

/** Deal lists and lookups, read from the deals read model: eventually consistent, bounded by the consistency token. */
export class DealQueries {
  constructor(
    private readonly readStore: ReadStore,
    private readonly eventStore: EventStore,
    private readonly projections: ProjectionHost,
  ) {}

  async listDeals(tenantId: string, filter: DealListFilter): Promise<ListResult<DealView>> {
    const query: Filter = { tenantId, deleted: false };
    if (filter.pipelineId) query.pipelineId = filter.pipelineId;
    if (filter.stageId) query.stageId = filter.stageId;
    if (filter.ownerId) query.ownerId = filter.ownerId;
    if (filter.status) query.status = filter.status;
    if (filter.contactId) query.contactId = filter.contactId;
    if (filter.companyId) query.companyId = filter.companyId;
    if (filter.currency) query.currency = normaliseCurrency(filter.currency);
    const amount: Record<string, string> = {};
    if (filter.amountMin !== undefined) amount.$gte = amountBound(filter.amountMin, 'amountMin');
    if (filter.amountMax !== undefined) amount.$lte = amountBound(filter.amountMax, 'amountMax');
    if (Object.keys(amount).length > 0) query.amountKey = amount;
    const closing: Record<string, string> = {};
    if (filter.expectedCloseFrom) closing.$gte = normaliseDate(filter.expectedCloseFrom, 'expectedCloseFrom')!;
    if (filter.expectedCloseTo) closing.$lte = normaliseDate(filter.expectedCloseTo, 'expectedCloseTo')!;
    if (Object.keys(closing).length > 0) query.expectedCloseDate = closing;
    const page = await this.deals().findPage(query, { sort: sortSpec(filter.sort), limit: filter.limit ?? DEFAULT_LIMIT, cursor: filter.cursor });
    return { items: page.items.map(dealViewOf), nextCursor: page.nextCursor };
  }

  async listPipelines(tenantId: string, options: { limit?: number; cursor?: string }): Promise<ListResult<PipelineView>> {
    const page = await this.readStore
      .collection<PipelineDocument>(PIPELINES_COLLECTION)
      .findPage({ tenantId }, { sort: { createdAt: 1 }, limit: options.limit ?? DEFAULT_LIMIT, cursor: options.cursor });
    return { items: page.items.map(pipelineViewOf), nextCursor: page.nextCursor };
  }

  /**
   * Waits (bounded) until the deals read model has applied everything in the log now, for decisions
   * taken on it (may a stage be removed? which deals follow a merge?) rather than for display.
   */
  async catchUp(): Promise<void> {
    const runner = this.projections.get(DEALS_PROJECTION);
    if (!runner) return;
    await runner.waitForPosition(await this.eventStore.headPosition(), CATCH_UP_WAIT_MS);
  }

  async countOpenDealsInStage(tenantId: string, pipelineId: string, stageId: string): Promise<number> {
    return this.deals().countDocuments({ tenantId, deleted: false, pipelineId, stageId, status: 'open' });
  }

  /** Ids of the open deals in a stage, all of them, page by page. */
  async openDealIdsInStage(tenantId: string, pipelineId: string, stageId: string): Promise<string[]> {
    return this.allIds({ tenantId, deleted: false, pipelineId, stageId, status: 'open' });
  }

  /** Ids of the live deals linked to a contact. */
  async dealIdsLinkedToContact(tenantId: string, contactId: string): Promise<string[]> {
    return this.allIds({ tenantId, deleted: false, contactId });
  }

  private async allIds(filter: Filter): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deals().findPage(filter, { sort: { createdAt: 1 }, limit: SCAN_PAGE, cursor });
      ids.push(...page.items.map((document) => document.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  }

  private deals() {
    return this.readStore.collection<DealDocument>(DEALS_COLLECTION);
  }
}

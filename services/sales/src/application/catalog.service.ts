import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId, StaleRevisionError } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import type { Filter, ReadStore } from '@crm/readstore';
import { type HistoryEntry, loadView, timestamps, timestampsAfter, toHistory, type WriteResult } from '@crm/runtime';
import {
  type PriceBookCommand,
  priceBookDecider,
  type PriceBookEvent,
  type PriceBookInput,
  type PriceBookState,
} from '../domain/price-book';
import {
  isSellable,
  type ProductCommand,
  productDecider,
  type ProductEvent,
  type ProductInput,
  type ProductState,
  type SkuReservationCommand,
  skuReservationDecider,
  type SkuReservationEvent,
  type SkuReservationState,
  skuKey,
} from '../domain/product';
import { priceBookStream, productStream } from '../domain/streams';
import {
  type ListResult,
  PRICE_BOOKS_COLLECTION,
  type PriceBookDocument,
  type PriceBookSummary,
  type PriceBookView,
  type ProductDocument,
  PRODUCTS_COLLECTION,
  type ProductView,
  stripInternals,
} from './quote-read-models';

/** One stream per SKU (by its upper-cased key, hex-encoded so any SKU makes a valid stream name). */
export const skuStream = (tenantId: string, sku: string): string => `${tenantId}.productsku-${Buffer.from(skuKey(sku)).toString('hex')}`;

type Times = { createdAt: string; updatedAt: string };

export function toProductView(state: ProductState, revision: number, events: RecordedEvent[], times: Times = timestamps(events)): ProductView {
  const { id, lifecycle, ...fields } = state;
  return { id: id!, ...fields, archived: lifecycle === 'archived', revision, ...times };
}

export function toPriceBookView(state: PriceBookState, revision: number, events: RecordedEvent[], times: Times = timestamps(events)): PriceBookView {
  const { id, lifecycle, entries, ...fields } = state;
  const list = Object.entries(entries).map(([productId, unitPrice]) => ({ productId, unitPrice }));
  return { id: id!, ...fields, archived: lifecycle === 'archived', entryCount: list.length, entries: list, revision, ...times };
}

/** Writes to auxiliary streams (SKU reservations) never carry the caller's If-Match: that names the record's revision. */
const withoutRevision = (context: CommandContext): CommandContext => ({ ...context, expectedRevision: undefined, idempotencyKey: undefined });

/** Commands and single-record reads of the product catalogue and its price books. */
export class CatalogService {
  private readonly products: EventSourcedCommandHandler<ProductCommand, ProductState, ProductEvent>;
  private readonly priceBooks: EventSourcedCommandHandler<PriceBookCommand, PriceBookState, PriceBookEvent>;
  private readonly skus: EventSourcedCommandHandler<SkuReservationCommand, SkuReservationState, SkuReservationEvent>;

  constructor(
    store: EventStore,
    private readonly newId: () => string = newRecordId,
  ) {
    this.products = new EventSourcedCommandHandler(store, productDecider);
    this.priceBooks = new EventSourcedCommandHandler(store, priceBookDecider);
    this.skus = new EventSourcedCommandHandler(store, skuReservationDecider);
  }

  async createProduct(context: CommandContext, input: ProductInput): Promise<WriteResult<ProductView>> {
    const productId = this.newId();
    const command: ProductCommand = { type: 'CreateProduct', productId, input };
    // Decide once without storing, so that bad input reserves no SKU.
    const [created] = productDecider.decide(command, productDecider.initialState());
    await this.reserveSku(context, (created.data as { sku: string }).sku, productId);
    return this.runProduct(context, productId, command);
  }

  async updateProduct(context: CommandContext, productId: string, input: ProductInput): Promise<WriteResult<ProductView>> {
    const command: ProductCommand = { type: 'UpdateProduct', input };
    const { state, revision } = await this.products.load(productStream(context.tenantId, productId));
    // A stale If-Match must fail before a new SKU is taken, not after.
    if (context.expectedRevision !== undefined && context.expectedRevision !== revision) throw new StaleRevisionError(context.expectedRevision, revision);
    const renamed = productDecider.decide(command, state).find((event) => event.type === 'ProductChanged' && event.data.sku !== undefined);
    const newSku = (renamed?.data as { sku?: string } | undefined)?.sku;
    if (!newSku || skuKey(newSku) === skuKey(state.sku)) return this.runProduct(context, productId, command);
    await this.reserveSku(context, newSku, productId);
    const result = await this.runProduct(context, productId, command);
    await this.skus.handle(skuStream(context.tenantId, state.sku), { type: 'ReleaseSku', productId }, withoutRevision(context));
    return result;
  }

  archiveProduct(context: CommandContext, productId: string): Promise<WriteResult<ProductView>> {
    return this.runProduct(context, productId, { type: 'ArchiveProduct' });
  }

  restoreProduct(context: CommandContext, productId: string): Promise<WriteResult<ProductView>> {
    return this.runProduct(context, productId, { type: 'RestoreProduct' });
  }

  getProduct(tenantId: string, productId: string, asOf?: string): Promise<ProductView> {
    return loadView(this.products, productStream(tenantId, productId), 'Product', toProductView, asOf);
  }

  async productHistory(tenantId: string, productId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.products.load(productStream(tenantId, productId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Product not found');
    return toHistory(events, {}, 'productId');
  }

  /** The current state of a product (lifecycle 'absent' when there is none), for quotes and price books. */
  async productState(tenantId: string, productId: string): Promise<ProductState> {
    return (await this.products.load(productStream(tenantId, productId))).state;
  }

  createPriceBook(context: CommandContext, input: PriceBookInput): Promise<WriteResult<PriceBookView>> {
    const priceBookId = this.newId();
    return this.runPriceBook(context, priceBookId, { type: 'CreatePriceBook', priceBookId, input });
  }

  updatePriceBook(context: CommandContext, priceBookId: string, input: PriceBookInput): Promise<WriteResult<PriceBookView>> {
    return this.runPriceBook(context, priceBookId, { type: 'UpdatePriceBook', input });
  }

  async setPrice(context: CommandContext, priceBookId: string, productId: string, price: { unitPrice: string; currency?: string }) {
    const product = await this.productState(context.tenantId, productId);
    return this.runPriceBook(context, priceBookId, {
      type: 'SetPriceBookEntry',
      productId,
      unitPrice: price.unitPrice,
      currency: price.currency,
      product: { exists: product.lifecycle !== 'absent', sellable: isSellable(product) },
    });
  }

  removePrice(context: CommandContext, priceBookId: string, productId: string): Promise<WriteResult<PriceBookView>> {
    return this.runPriceBook(context, priceBookId, { type: 'RemovePriceBookEntry', productId });
  }

  archivePriceBook(context: CommandContext, priceBookId: string): Promise<WriteResult<PriceBookView>> {
    return this.runPriceBook(context, priceBookId, { type: 'ArchivePriceBook' });
  }

  restorePriceBook(context: CommandContext, priceBookId: string): Promise<WriteResult<PriceBookView>> {
    return this.runPriceBook(context, priceBookId, { type: 'RestorePriceBook' });
  }

  getPriceBook(tenantId: string, priceBookId: string, asOf?: string): Promise<PriceBookView> {
    return loadView(this.priceBooks, priceBookStream(tenantId, priceBookId), 'Price book', toPriceBookView, asOf);
  }

  async priceBookHistory(tenantId: string, priceBookId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.priceBooks.load(priceBookStream(tenantId, priceBookId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Price book not found');
    return toHistory(events, { PriceBookEntrySet: ['entries'], PriceBookEntryRemoved: ['entries'], PriceBookArchived: ['archived'], PriceBookRestored: ['archived'] }, 'priceBookId');
  }

  async priceBookState(tenantId: string, priceBookId: string): Promise<PriceBookState> {
    return (await this.priceBooks.load(priceBookStream(tenantId, priceBookId))).state;
  }

  /**
   * Takes the SKU for the product. A holder that does not use the SKU (its creation failed after the
   * reservation, or a rename crashed before the old SKU was released) gives it up.
   */
  private async reserveSku(context: CommandContext, sku: string, productId: string): Promise<void> {
    const stream = skuStream(context.tenantId, sku);
    const { state } = await this.skus.load(stream);
    let abandonedBy: string | null = null;
    if (state.holder && state.holder !== productId) {
      const holder = await this.productState(context.tenantId, state.holder);
      if (holder.lifecycle === 'absent' || skuKey(holder.sku) !== skuKey(sku)) abandonedBy = state.holder;
    }
    await this.skus.handle(stream, { type: 'ReserveSku', sku, productId, abandonedBy }, withoutRevision(context));
  }

  private async runProduct(context: CommandContext, productId: string, command: ProductCommand): Promise<WriteResult<ProductView>> {
    const result = await this.products.handle(productStream(context.tenantId, productId), command, context);
    return { view: toProductView(result.state, result.revision, result.history, timestampsAfter(result)), revision: result.revision, position: result.position };
  }

  private async runPriceBook(context: CommandContext, priceBookId: string, command: PriceBookCommand): Promise<WriteResult<PriceBookView>> {
    const result = await this.priceBooks.handle(priceBookStream(context.tenantId, priceBookId), command, context);
    return { view: toPriceBookView(result.state, result.revision, result.history, timestampsAfter(result)), revision: result.revision, position: result.position };
  }
}

export interface ProductListFilter {
  q?: string;
  sku?: string;
  active?: boolean;
  archived?: boolean;
  taxCategory?: string;
  limit?: number;
  cursor?: string;
}

export interface PriceBookListFilter {
  currency?: string;
  archived?: boolean;
  limit?: number;
  cursor?: string;
}

export const DEFAULT_LIMIT = 50;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Catalogue lists, read from the projected collections: eventually consistent, bounded by the consistency token. */
export class CatalogQueries {
  constructor(private readonly readStore: ReadStore) {}

  async listProducts(tenantId: string, filter: ProductListFilter): Promise<ListResult<ProductView>> {
    const query: Filter = { tenantId, archived: filter.archived ?? false };
    if (filter.q) query.searchKeys = { $regex: `^${escapeRegex(filter.q.trim().toLowerCase())}` };
    if (filter.sku) query.skuKey = skuKey(filter.sku);
    if (filter.active !== undefined) query.active = filter.active;
    if (filter.taxCategory) query.taxCategory = filter.taxCategory;
    const page = await this.readStore
      .collection<ProductDocument>(PRODUCTS_COLLECTION)
      .findPage(query, { sort: { createdAt: -1 }, limit: filter.limit ?? DEFAULT_LIMIT, cursor: filter.cursor });
    return { items: page.items.map((document) => stripInternals<ProductView>(document)), nextCursor: page.nextCursor };
  }

  async listPriceBooks(tenantId: string, filter: PriceBookListFilter): Promise<ListResult<PriceBookSummary>> {
    const query: Filter = { tenantId, archived: filter.archived ?? false };
    if (filter.currency) query.currency = filter.currency.trim().toUpperCase();
    const page = await this.readStore
      .collection<PriceBookDocument>(PRICE_BOOKS_COLLECTION)
      .findPage(query, { sort: { createdAt: -1 }, limit: filter.limit ?? DEFAULT_LIMIT, cursor: filter.cursor });
    return { items: page.items.map((document) => stripInternals<PriceBookSummary>(document)), nextCursor: page.nextCursor };
  }
}

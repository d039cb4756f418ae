import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import type { Filter, ReadStore } from '@crm/readstore';
import { type DueTimer, type HistoryEntry, loadView, timestamps, timestampsAfter, toHistory, type WriteResult } from '@crm/runtime';
import type { DealLineItem } from '../domain/deal';
import { isSellable } from '../domain/product';
import {
  type CatalogProduct,
  QUOTE_FIELDS_BY_EVENT,
  type QuoteCatalog,
  type QuoteCommand,
  quoteDecider,
  type QuoteEvent,
  type QuoteInput,
  type QuoteLineInput,
  type QuoteState,
  type QuoteStatus,
} from '../domain/quote';
import { quoteStream } from '../domain/streams';
import { CatalogService, DEFAULT_LIMIT } from './catalog.service';
import type { ContactDirectory } from './contact-directory';
import { OrdersService } from './orders.service';
import { QuoteDeals } from './quote-deals';
import { QuoteNumbers } from './quote-numbers';
import { type ListResult, type OrderView, type QuoteDocument, QUOTES_COLLECTION, type QuoteSummary, type QuoteView, stripInternals } from './quote-read-models';

/** A line as the API takes it: the line id is optional (one is given when missing). */
export type QuoteLineRequest = Omit<QuoteLineInput, 'lineId'> & { lineId?: string };

export interface QuoteRequest extends Omit<QuoteInput, 'lines'> {
  lines?: QuoteLineRequest[];
}

export interface CreateQuoteRequest extends QuoteRequest {
  /** The deal the quote is for: its currency, customer and (unless `lines` are given) line items. */
  dealId?: string | null;
}

export interface QuoteListFilter {
  dealId?: string;
  status?: QuoteStatus;
  contactId?: string;
  companyId?: string;
  limit?: number;
  cursor?: string;
}

export function toQuoteView(state: QuoteState, revision: number, events: RecordedEvent[], times = timestamps(events)): QuoteView {
  const { id, lifecycle: _lifecycle, ...fields } = state;
  return { id: id!, ...fields, netTotal: state.totals.netTotal, grandTotal: state.totals.grandTotal, revision, ...times };
}

const fromDealLine = (item: DealLineItem): QuoteLineInput => ({
  lineId: item.lineId,
  productId: item.productId,
  name: item.name,
  quantity: item.quantity,
  unitPrice: item.unitPrice,
  discountPercent: item.discountPercent,
  taxPercent: item.taxPercent,
});

/** Who runs timer commands: no person, so the history says which timer. */
const timerContext = (timer: DueTimer, actorId: string): CommandContext => ({
  tenantId: timer.tenantId,
  actorId,
  correlationId: timer.key,
  causationId: `timer:${timer.key}`,
});

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

/**
 * Quote commands and reads. The application gathers what a decision needs (the deal, the price book,
 * the products on the lines) before deciding, so the decider stays pure and every rule is tested there.
 */
export class QuotesService {
  private readonly quotes: EventSourcedCommandHandler<QuoteCommand, QuoteState, QuoteEvent>;

  constructor(
    store: EventStore,
    private readonly readStore: ReadStore,
    private readonly catalog: CatalogService,
    private readonly deals: QuoteDeals,
    private readonly orders: OrdersService,
    private readonly numbers: QuoteNumbers,
    private readonly directory: Pick<ContactDirectory, 'find'> | null,
    private readonly newId: () => string = newRecordId,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.quotes = new EventSourcedCommandHandler(store, quoteDecider);
  }

  async create(context: CommandContext, request: CreateQuoteRequest): Promise<WriteResult<QuoteView>> {
    const now = this.clock();
    const { dealId, lines, ...fields } = request;
    const deal = dealId ? await this.deals.find(context.tenantId, dealId) : null;
    if (dealId && !deal) throw invalid('dealId', 'no such deal');
    const lineInputs = lines ? this.withLineIds(lines) : (deal?.lineItems.map(fromDealLine) ?? []);
    const catalog = await this.catalogFor(context.tenantId, fields.priceBookId ?? null, lineInputs);
    if (!deal) await this.checkCustomer(context.tenantId, fields);
    const input: QuoteInput = { ...fields, title: fields.title !== undefined ? fields.title : (deal?.title ?? null), lines: lineInputs };
    const quoteId = this.newId();
    const command = (number: string): QuoteCommand => ({ type: 'CreateQuote', quoteId, number, now: now.toISOString(), deal: deal?.ref ?? null, catalog, input });
    // Decide once before numbering, so that bad input uses up no number: nothing at all is stored.
    quoteDecider.decide(command('Q-0000-00000'), quoteDecider.initialState());
    const number = await this.numbers.allocate({ ...context, expectedRevision: undefined }, quoteId, now);
    return this.run(context, quoteId, command(number));
  }

  async revise(context: CommandContext, quoteId: string, request: QuoteRequest): Promise<WriteResult<QuoteView>> {
    const { state } = await this.quotes.load(quoteStream(context.tenantId, quoteId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Quote not found');
    const lineInputs = request.lines ? this.withLineIds(request.lines) : undefined;
    const priceBookId = request.priceBookId !== undefined ? request.priceBookId : state.priceBookId;
    const catalog = await this.catalogFor(context.tenantId, priceBookId, lineInputs ?? []);
    if (!state.dealId) await this.checkCustomer(context.tenantId, request);
    return this.run(context, quoteId, { type: 'ReviseQuote', now: this.clock().toISOString(), catalog, input: { ...request, lines: lineInputs } });
  }

  send(context: CommandContext, quoteId: string): Promise<WriteResult<QuoteView>> {
    return this.run(context, quoteId, { type: 'SendQuote', now: this.clock().toISOString() });
  }

  /**
   * Accepts the quote and places its order. The order is placed right here so the caller can read it at
   * once; if this process dies in between, the `quote-order` timer (scheduled from QuoteAccepted) places it.
   */
  async accept(context: CommandContext, quoteId: string): Promise<WriteResult<QuoteView> & { order: OrderView }> {
    const command: QuoteCommand = { type: 'AcceptQuote', now: this.clock().toISOString(), orderId: this.newId() };
    const result = await this.quotes.handle(quoteStream(context.tenantId, quoteId), command, context);
    const { view: order, position } = await this.orders.placeFor(context, result.state);
    const view = toQuoteView(result.state, result.revision, result.history, timestampsAfter(result));
    return { view, revision: result.revision, position: Math.max(result.position, position), order };
  }

  decline(context: CommandContext, quoteId: string, reason?: string | null): Promise<WriteResult<QuoteView>> {
    return this.run(context, quoteId, { type: 'DeclineQuote', now: this.clock().toISOString(), reason });
  }

  expire(context: CommandContext, quoteId: string): Promise<WriteResult<QuoteView>> {
    return this.run(context, quoteId, { type: 'ExpireQuote', now: this.clock().toISOString(), trigger: 'request' });
  }

  /** The expiry timer of a sent quote fired; the decider ignores it when the quote was answered meanwhile or already expired. */
  async expireOnTimer(timer: DueTimer): Promise<void> {
    // Never earlier than the due time, whatever this replica's clock says.
    const now = new Date(Math.max(this.clock().getTime(), Date.parse(timer.dueAt))).toISOString();
    await this.quotes.handle(quoteStream(timer.tenantId, String(timer.payload.quoteId)), { type: 'ExpireQuote', now, trigger: 'timer' }, timerContext(timer, 'system:quote-expiry'));
  }

  /** Safety net after an acceptance: places the order if the accepting request did not get to it. */
  async placeOrderOnTimer(timer: DueTimer): Promise<void> {
    const state = await this.currentState(timer.tenantId, String(timer.payload.quoteId));
    if (state.status !== 'accepted') return;
    await this.orders.placeFor(timerContext(timer, 'system:quote-order'), state);
  }

  getQuote(tenantId: string, quoteId: string, asOf?: string): Promise<QuoteView> {
    return loadView(this.quotes, quoteStream(tenantId, quoteId), 'Quote', toQuoteView, asOf);
  }

  async quoteHistory(tenantId: string, quoteId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.quotes.load(quoteStream(tenantId, quoteId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Quote not found');
    return toHistory(events, QUOTE_FIELDS_BY_EVENT as Record<string, string[]>, 'quoteId');
  }

  async listQuotes(tenantId: string, filter: QuoteListFilter): Promise<ListResult<QuoteSummary>> {
    const query: Filter = { tenantId };
    for (const field of ['dealId', 'status', 'contactId', 'companyId'] as const) if (filter[field]) query[field] = filter[field];
    const page = await this.readStore
      .collection<QuoteDocument>(QUOTES_COLLECTION)
      .findPage(query, { sort: { createdAt: -1 }, limit: filter.limit ?? DEFAULT_LIMIT, cursor: filter.cursor });
    return { items: page.items.map((document) => stripInternals<QuoteSummary>(document)), nextCursor: page.nextCursor };
  }

  private async currentState(tenantId: string, quoteId: string): Promise<QuoteState> {
    return (await this.quotes.load(quoteStream(tenantId, quoteId))).state;
  }

  private withLineIds(lines: QuoteLineRequest[]): QuoteLineInput[] {
    return lines.map((line) => ({ ...line, lineId: line.lineId?.trim() || this.newId() }));
  }

  /** The price book in effect and the products on the lines, as the catalogue has them now. */
  private async catalogFor(tenantId: string, priceBookId: string | null, lines: QuoteLineInput[]): Promise<QuoteCatalog> {
    let priceBook: QuoteCatalog['priceBook'] = null;
    if (priceBookId) {
      const book = await this.catalog.priceBookState(tenantId, priceBookId);
      if (book.lifecycle === 'absent') throw invalid('priceBookId', 'no such price book');
      priceBook = { priceBookId, name: book.name, currency: book.currency, archived: book.lifecycle === 'archived', prices: book.entries };
    }
    const products: Record<string, CatalogProduct> = {};
    const productIds = new Set(lines.map((line) => line.productId?.trim()).filter((id): id is string => Boolean(id)));
    for (const productId of productIds) {
      const product = await this.catalog.productState(tenantId, productId);
      if (product.lifecycle === 'absent') continue;
      products[productId] = { productId, sku: product.sku, name: product.name, unit: product.unit, defaultTaxPercent: product.defaultTaxPercent, sellable: isSellable(product) };
    }
    return { priceBook, products };
  }

  /** A quote without a deal may name its customer: they must be known to the local copy of contacts. */
  private async checkCustomer(tenantId: string, fields: { contactId?: string | null; companyId?: string | null }): Promise<void> {
    for (const [kind, id] of [
      ['contact', fields.contactId],
      ['company', fields.companyId],
    ] as const) {
      if (!id?.trim() || !this.directory) continue;
      if (!(await this.directory.find(kind, tenantId, id.trim()))) throw invalid(`${kind}Id`, `no such ${kind}`);
    }
  }

  private async run(context: CommandContext, quoteId: string, command: QuoteCommand): Promise<WriteResult<QuoteView>> {
    const result = await this.quotes.handle(quoteStream(context.tenantId, quoteId), command, context);
    return { view: toQuoteView(result.state, result.revision, result.history, timestampsAfter(result)), revision: result.revision, position: result.position };
  }
}

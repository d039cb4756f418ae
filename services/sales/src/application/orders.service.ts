import { type CommandContext, DomainError, EventSourcedCommandHandler } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import type { Filter, ReadStore } from '@crm/readstore';
import { type HistoryEntry, loadView, timestamps, timestampsAfter, toHistory, type WriteResult } from '@crm/runtime';
import { type AcceptedQuote, type OrderCommand, orderDecider, type OrderEvent, type OrderState } from '../domain/order';
import type { QuoteState } from '../domain/quote';
import { orderStream } from '../domain/streams';
import { DEFAULT_LIMIT } from './catalog.service';
import { type ListResult, type OrderDocument, ORDERS_COLLECTION, type OrderSummary, type OrderView, stripInternals } from './quote-read-models';

export function toOrderView(state: OrderState, revision: number, events: RecordedEvent[], times = timestamps(events)): OrderView {
  const { id, lifecycle: _lifecycle, ...fields } = state;
  return { id: id!, ...fields, netTotal: state.totals.netTotal, grandTotal: state.totals.grandTotal, revision, ...times };
}

/** What the order copies from an accepted quote. */
export function acceptedQuoteOf(quote: QuoteState): AcceptedQuote {
  if (quote.status !== 'accepted' || !quote.id || !quote.acceptedAt) throw new DomainError('conflict', 'Only an accepted quote places an order');
  return {
    quoteId: quote.id,
    quoteNumber: quote.number,
    quoteVersion: quote.version,
    dealId: quote.dealId,
    contactId: quote.contactId,
    companyId: quote.companyId,
    currency: quote.currency,
    lines: quote.lines,
    totals: quote.totals,
    acceptedAt: quote.acceptedAt,
  };
}

export interface OrderListFilter {
  dealId?: string;
  quoteId?: string;
  contactId?: string;
  companyId?: string;
  limit?: number;
  cursor?: string;
}

/** Orders: placed from accepted quotes (never directly by a caller), read one by one or listed. */
export class OrdersService {
  private readonly orders: EventSourcedCommandHandler<OrderCommand, OrderState, OrderEvent>;

  constructor(
    store: EventStore,
    private readonly readStore: ReadStore,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.orders = new EventSourcedCommandHandler(store, orderDecider);
  }

  /** Places the order an accepted quote names; placing it again (a retry, the safety-net timer) changes nothing. */
  async placeFor(context: CommandContext, quote: QuoteState): Promise<WriteResult<OrderView>> {
    const orderId = quote.orderId;
    if (!orderId) throw new DomainError('conflict', 'The quote names no order');
    const result = await this.orders.handle(
      orderStream(context.tenantId, orderId),
      { type: 'PlaceOrder', orderId, quote: acceptedQuoteOf(quote), now: this.clock().toISOString() },
      { ...context, expectedRevision: undefined, idempotencyKey: undefined },
    );
    return { view: toOrderView(result.state, result.revision, result.history, timestampsAfter(result)), revision: result.revision, position: result.position };
  }

  getOrder(tenantId: string, orderId: string, asOf?: string): Promise<OrderView> {
    return loadView(this.orders, orderStream(tenantId, orderId), 'Order', toOrderView, asOf);
  }

  async orderHistory(tenantId: string, orderId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.orders.load(orderStream(tenantId, orderId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Order not found');
    return toHistory(events, {}, 'orderId');
  }

  async listOrders(tenantId: string, filter: OrderListFilter): Promise<ListResult<OrderSummary>> {
    const query: Filter = { tenantId };
    for (const field of ['dealId', 'quoteId', 'contactId', 'companyId'] as const) if (filter[field]) query[field] = filter[field];
    const page = await this.readStore
      .collection<OrderDocument>(ORDERS_COLLECTION)
      .findPage(query, { sort: { createdAt: -1 }, limit: filter.limit ?? DEFAULT_LIMIT, cursor: filter.cursor });
    return { items: page.items.map((document) => stripInternals<OrderSummary>(document)), nextCursor: page.nextCursor };
  }
}

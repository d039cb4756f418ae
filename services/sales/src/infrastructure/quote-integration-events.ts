import { integrationEventFrom, type OutgoingIntegrationEvent } from '@crm/bus';
import {
  ORDER_PLACED_EVENT_TYPE,
  ORDER_PLACED_SCHEMA,
  type OrderPlacedJson,
  QUOTE_EVENT_SCHEMAS,
  QUOTE_TOPICS,
  type QuoteAcceptedJson,
  type QuoteChange,
  type QuoteDeclinedJson,
  quoteEventType,
  type QuoteExpiredJson,
  type QuoteJson,
  type QuoteLineJson,
  type QuoteSentJson,
  type QuoteTotalsJson,
  SALES_SOURCE,
} from '@crm/contracts';
import { foldEvents } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import type { OrderPlacedData } from '../domain/order';
import { type QuoteEvent, type QuoteLine, quoteDecider, type QuoteState } from '../domain/quote';
import type { QuoteTotals } from '../domain/quote-totals';
import { parseStreamName } from '../domain/streams';

const QUOTE_CHANGES: Partial<Record<QuoteEvent['type'], QuoteChange>> = {
  QuoteSent: 'sent',
  QuoteAccepted: 'accepted',
  QuoteDeclined: 'declined',
  QuoteExpired: 'expired',
};

const lineJson = (line: QuoteLine): QuoteLineJson => ({
  lineId: line.lineId,
  productId: line.productId ?? '',
  sku: line.sku ?? '',
  name: line.name,
  description: line.description ?? '',
  unit: line.unit ?? '',
  quantity: line.quantity,
  unitPrice: line.unitPrice,
  discountPercent: line.discountPercent,
  taxPercent: line.taxPercent,
  listAmount: line.listAmount,
  discountAmount: line.discountAmount,
  netAmount: line.netAmount,
  taxAmount: line.taxAmount,
  grossAmount: line.grossAmount,
});

const totalsJson = (totals: QuoteTotals): QuoteTotalsJson => ({ ...totals, taxes: totals.taxes.map((tax) => ({ ...tax })) });

function quoteJson(tenantId: string, state: QuoteState, revision: number): QuoteJson {
  return {
    id: state.id ?? '',
    tenantId,
    number: state.number,
    version: state.version,
    status: state.status,
    dealId: state.dealId ?? '',
    contactId: state.contactId ?? '',
    companyId: state.companyId ?? '',
    priceBookId: state.priceBookId ?? '',
    currency: state.currency,
    title: state.title ?? '',
    validUntil: state.validUntil,
    expiresAt: state.expiresAt,
    lines: state.lines.map(lineJson),
    totals: totalsJson(state.totals),
    revision: String(revision),
  };
}

/**
 * Maps quote and order events to `crm.sales.quote.v1` (sent, accepted, declined, expired) and
 * `crm.sales.order.v1` (placed). Quote messages carry the whole quote after the change, so consumers
 * need no call back; the few events that publish read their quote's stream up to themselves.
 */
export class QuoteIntegrationEventMapper {
  constructor(private readonly store: EventStore) {}

  readonly map = async (event: RecordedEvent): Promise<OutgoingIntegrationEvent[]> => {
    const stream = parseStreamName(event.streamName);
    if (stream?.kind === 'order' && event.type === 'OrderPlaced') return [this.orderPlaced(event, stream.tenantId)];
    const change = QUOTE_CHANGES[event.type as QuoteEvent['type']];
    if (stream?.kind !== 'quote' || !change) return [];
    const history = await this.store.readStream(event.streamName, { maxCount: event.revision + 1 });
    const state = foldEvents(quoteDecider, history.map((recorded) => ({ type: recorded.type, data: recorded.data }) as QuoteEvent));
    const quote = quoteJson(stream.tenantId, state, event.revision);
    const quoteId = stream.id;
    const domain = { type: event.type, data: event.data } as QuoteEvent;
    let data: QuoteSentJson | QuoteAcceptedJson | QuoteDeclinedJson | QuoteExpiredJson;
    switch (domain.type) {
      case 'QuoteSent':
        data = { quoteId, quote, sentAt: domain.data.sentAt };
        break;
      case 'QuoteAccepted':
        data = { quoteId, quote, orderId: domain.data.orderId, acceptedAt: domain.data.acceptedAt };
        break;
      case 'QuoteDeclined':
        data = { quoteId, quote, reason: domain.data.reason ?? '', declinedAt: domain.data.declinedAt };
        break;
      default:
        data = { quoteId, quote, expiredAt: (domain.data as { expiredAt: string }).expiredAt };
    }
    const envelope = integrationEventFrom(event, { source: SALES_SOURCE, type: quoteEventType(change), dataschema: QUOTE_EVENT_SCHEMAS[change], subject: quoteId, data });
    return [{ topic: QUOTE_TOPICS.quote, event: envelope }];
  };

  private orderPlaced(event: RecordedEvent, tenantId: string): OutgoingIntegrationEvent {
    const placed = event.data as OrderPlacedData;
    const data: OrderPlacedJson = {
      orderId: placed.orderId,
      placedAt: placed.placedAt,
      order: {
        id: placed.orderId,
        tenantId,
        number: placed.number,
        status: 'placed',
        quoteId: placed.quoteId,
        quoteNumber: placed.quoteNumber,
        quoteVersion: placed.quoteVersion,
        dealId: placed.dealId ?? '',
        contactId: placed.contactId ?? '',
        companyId: placed.companyId ?? '',
        currency: placed.currency,
        lines: placed.lines.map(lineJson),
        totals: totalsJson(placed.totals),
        acceptedAt: placed.acceptedAt,
        placedAt: placed.placedAt,
      },
    };
    const envelope = integrationEventFrom(event, { source: SALES_SOURCE, type: ORDER_PLACED_EVENT_TYPE, dataschema: ORDER_PLACED_SCHEMA, subject: placed.orderId, data });
    return { topic: QUOTE_TOPICS.order, event: envelope };
  }
}

import type { RecordedEvent } from '@crm/eventstore';
import { applyOnce, type IndexSpec, type Projection, type ReadStore } from '@crm/readstore';
import { DurableTimerSet } from '@crm/runtime';
import { documentId, type OrderDocument, ORDERS_COLLECTION, type QuoteDocument, QUOTES_COLLECTION } from '../application/quote-read-models';
import { ORDER_EVENT_TYPES, type OrderEvent } from '../domain/order';
import { QUOTE_EVENT_TYPES, type QuoteEvent } from '../domain/quote';
import { parseStreamName } from '../domain/streams';

export const QUOTES_PROJECTION = 'sales-quotes.v1';

/** Sent quotes expire when their validity passes; the timer runs ExpireQuote. */
export const QUOTE_EXPIRY_TIMERS = new DurableTimerSet('quote-expiry');

/**
 * A safety net for acceptances: the request that accepts a quote places its order at once, and this
 * timer places it later only if that request died in between (OrderPlaced cancels it).
 */
export const ORDER_PLACEMENT_TIMERS = new DurableTimerSet('quote-order');

/** How long the accepting request has to place the order itself before the safety net does. */
export const ORDER_PLACEMENT_GRACE_MS = 30_000;

export const expiryTimerKey = (tenantId: string, quoteId: string): string => `${tenantId}:quote:${quoteId}:expiry`;
export const orderTimerKey = (tenantId: string, quoteId: string): string => `${tenantId}:quote:${quoteId}:order`;

export const QUOTES_INDEXES: Record<string, IndexSpec[]> = {
  [QUOTES_COLLECTION]: [
    { keys: { tenantId: 1, createdAt: -1 } },
    { keys: { tenantId: 1, dealId: 1, createdAt: -1 } },
    { keys: { tenantId: 1, status: 1, createdAt: -1 } },
  ],
  [ORDERS_COLLECTION]: [{ keys: { tenantId: 1, createdAt: -1 } }, { keys: { tenantId: 1, dealId: 1 } }, { keys: { tenantId: 1, quoteId: 1 } }],
  // Timers are derived from the events too: a rebuild drops and re-creates the pending ones.
  [QUOTE_EXPIRY_TIMERS.collectionName]: QUOTE_EXPIRY_TIMERS.indexes,
  [ORDER_PLACEMENT_TIMERS.collectionName]: ORDER_PLACEMENT_TIMERS.indexes,
};

function quoteChanges(event: QuoteEvent, recorded: RecordedEvent): Partial<QuoteDocument> {
  switch (event.type) {
    case 'QuoteCreated': {
      const { quoteId, lines: _lines, totals, notes: _notes, timeZone: _timeZone, ...fields } = event.data;
      return { ...fields, id: quoteId, version: 1, status: 'draft', netTotal: totals.netTotal, grandTotal: totals.grandTotal, orderId: null, createdAt: recorded.metadata.occurredAt };
    }
    case 'QuoteRevised': {
      const { quoteId: _quoteId, lines: _lines, totals, notes: _notes, timeZone: _timeZone, ...changes } = event.data;
      return { ...changes, ...(totals ? { netTotal: totals.netTotal, grandTotal: totals.grandTotal } : {}) };
    }
    case 'QuoteSent':
      return { status: 'sent', expiresAt: event.data.expiresAt };
    case 'QuoteAccepted':
      return { status: 'accepted', orderId: event.data.orderId };
    case 'QuoteDeclined':
      return { status: 'declined' };
    case 'QuoteExpired':
      return { status: 'expired' };
    default:
      return {};
  }
}

async function applyQuote(recorded: RecordedEvent, store: ReadStore, tenantId: string, quoteId: string): Promise<void> {
  const event = { type: recorded.type, data: recorded.data } as QuoteEvent;
  const changes = { ...quoteChanges(event, recorded), tenantId, revision: recorded.revision, updatedAt: recorded.metadata.occurredAt };
  await applyOnce(store.collection<QuoteDocument>(QUOTES_COLLECTION), documentId(tenantId, quoteId), recorded.position, { $set: changes });
  const expiryKey = expiryTimerKey(tenantId, quoteId);
  switch (event.type) {
    case 'QuoteSent':
      await QUOTE_EXPIRY_TIMERS.schedule(store, { key: expiryKey, tenantId, dueAt: event.data.expiresAt, payload: { quoteId } }, recorded.position);
      break;
    case 'QuoteAccepted': {
      await QUOTE_EXPIRY_TIMERS.cancel(store, expiryKey, recorded.position);
      const dueAt = new Date(Date.parse(recorded.metadata.occurredAt) + ORDER_PLACEMENT_GRACE_MS);
      await ORDER_PLACEMENT_TIMERS.schedule(store, { key: orderTimerKey(tenantId, quoteId), tenantId, dueAt, payload: { quoteId } }, recorded.position);
      break;
    }
    case 'QuoteDeclined':
    case 'QuoteExpired':
      await QUOTE_EXPIRY_TIMERS.cancel(store, expiryKey, recorded.position);
      break;
  }
}

async function applyOrder(recorded: RecordedEvent, store: ReadStore, tenantId: string, orderId: string): Promise<void> {
  const event = recorded as unknown as OrderEvent;
  if (event.type !== 'OrderPlaced') return;
  const { orderId: _orderId, lines: _lines, totals, quoteVersion: _quoteVersion, acceptedAt: _acceptedAt, ...fields } = event.data;
  await applyOnce(store.collection<OrderDocument>(ORDERS_COLLECTION), documentId(tenantId, orderId), recorded.position, {
    $set: {
      ...fields,
      id: orderId,
      tenantId,
      status: 'placed',
      netTotal: totals.netTotal,
      grandTotal: totals.grandTotal,
      revision: recorded.revision,
      createdAt: recorded.metadata.occurredAt,
      updatedAt: recorded.metadata.occurredAt,
    },
  });
  await ORDER_PLACEMENT_TIMERS.cancel(store, orderTimerKey(tenantId, event.data.quoteId), recorded.position);
}

/** Quote and order lists, and the timers their events imply (expiry of sent quotes, order placement after acceptance). */
export const quotesProjection: Projection = {
  name: QUOTES_PROJECTION,
  filter: { eventTypes: [...QUOTE_EVENT_TYPES, ...ORDER_EVENT_TYPES] },
  indexes: QUOTES_INDEXES,
  async apply(event, store) {
    const stream = parseStreamName(event.streamName);
    if (stream?.kind === 'quote') await applyQuote(event, store, stream.tenantId, stream.id);
    if (stream?.kind === 'order') await applyOrder(event, store, stream.tenantId, stream.id);
  },
};

// Topic names, CloudEvents types and schema references of the sales service's quotes events (see topics.ts for the naming rules); the source is SALES_SOURCE (deals.ts).

/** Quotes and the orders their acceptance creates: one topic per aggregate, keyed by its id. */
export const QUOTE_TOPICS = {
  quote: 'crm.sales.quote.v1',
  order: 'crm.sales.order.v1',
} as const;

export type QuoteChange = 'sent' | 'accepted' | 'declined' | 'expired';

export const quoteEventType = (change: QuoteChange): string => `crm.sales.quote.${change}.v1`;
export const ORDER_PLACED_EVENT_TYPE = 'crm.sales.order.placed.v1';

const QUOTE_PROTO = 'proto/crm/sales/v1/quote_events.proto';

export const QUOTE_EVENT_SCHEMAS: Record<QuoteChange, string> = {
  sent: `${QUOTE_PROTO}#crm.sales.v1.QuoteSent`,
  accepted: `${QUOTE_PROTO}#crm.sales.v1.QuoteAccepted`,
  declined: `${QUOTE_PROTO}#crm.sales.v1.QuoteDeclined`,
  expired: `${QUOTE_PROTO}#crm.sales.v1.QuoteExpired`,
};

export const ORDER_PLACED_SCHEMA = `${QUOTE_PROTO}#crm.sales.v1.OrderPlaced`;

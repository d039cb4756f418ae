import type { Document } from '@crm/readstore';
import type { OrderStatus } from '../domain/order';
import type { QuoteLine, QuoteStatus } from '../domain/quote';
import type { QuoteTotals } from '../domain/quote-totals';

/** Versioned collection names: a new projection version builds beside the old one, then takes over. */
export const PRODUCTS_COLLECTION = 'products_v1';
export const PRICE_BOOKS_COLLECTION = 'price_books_v1';
export const QUOTES_COLLECTION = 'quotes_v1';
export const ORDERS_COLLECTION = 'orders_v1';

export const documentId = (tenantId: string, id: string): string => `${tenantId}:${id}`;

export interface ListResult<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ProductView {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  unit: string;
  active: boolean;
  taxCategory: string | null;
  defaultTaxPercent: string;
  archived: boolean;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface PriceBookSummary {
  id: string;
  name: string;
  currency: string;
  description: string | null;
  archived: boolean;
  entryCount: number;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface PriceBookView extends PriceBookSummary {
  entries: { productId: string; unitPrice: string }[];
}

export interface QuoteSummary {
  id: string;
  number: string;
  version: number;
  status: QuoteStatus;
  dealId: string | null;
  contactId: string | null;
  companyId: string | null;
  priceBookId: string | null;
  currency: string;
  title: string | null;
  validUntil: string;
  expiresAt: string;
  netTotal: string;
  grandTotal: string;
  orderId: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface QuoteView extends QuoteSummary {
  notes: string | null;
  timeZone: string;
  lines: QuoteLine[];
  totals: QuoteTotals;
  sentAt: string | null;
  acceptedAt: string | null;
  declinedAt: string | null;
  declineReason: string | null;
  expiredAt: string | null;
}

export interface OrderSummary {
  id: string;
  number: string;
  status: OrderStatus;
  quoteId: string;
  quoteNumber: string;
  dealId: string | null;
  contactId: string | null;
  companyId: string | null;
  currency: string;
  netTotal: string;
  grandTotal: string;
  placedAt: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface OrderView extends OrderSummary {
  quoteVersion: number;
  lines: QuoteLine[];
  totals: QuoteTotals;
  acceptedAt: string;
}

/** A projected list document: the summary plus the tenant and the projection's bookkeeping. */
export type ListDocument<Summary> = Document & Summary & { tenantId: string; _position: number };

export type ProductDocument = ListDocument<ProductView> & { skuKey: string; searchKeys: string[] };
export type PriceBookDocument = ListDocument<PriceBookSummary>;
export type QuoteDocument = ListDocument<QuoteSummary>;
export type OrderDocument = ListDocument<OrderSummary>;

const INTERNAL_FIELDS = ['_id', '_position', 'tenantId', 'skuKey', 'searchKeys'];

/** The API view of a projected document: everything but the projection's own bookkeeping. */
export function stripInternals<View>(document: Document): View {
  const view: Record<string, unknown> = { ...document };
  for (const key of INTERNAL_FIELDS) delete view[key];
  return view as View;
}

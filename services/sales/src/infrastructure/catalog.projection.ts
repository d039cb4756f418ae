import type { RecordedEvent } from '@crm/eventstore';
import type { Collection, Document, IndexSpec, Projection, ReadStore } from '@crm/readstore';
import { toProductView } from '../application/catalog.service';
import {
  documentId,
  PRICE_BOOKS_COLLECTION,
  type PriceBookDocument,
  type ProductDocument,
  PRODUCTS_COLLECTION,
  stripInternals,
} from '../application/quote-read-models';
import { PRICE_BOOK_EVENT_TYPES, type PriceBookEvent } from '../domain/price-book';
import { PRODUCT_EVENT_TYPES, productDecider, type ProductEvent, type ProductState, skuKey } from '../domain/product';
import { parseStreamName } from '../domain/streams';

export const CATALOG_PROJECTION = 'sales-catalog.v1';

export const CATALOG_INDEXES: Record<string, IndexSpec[]> = {
  [PRODUCTS_COLLECTION]: [
    { keys: { tenantId: 1, archived: 1, createdAt: -1 } },
    { keys: { tenantId: 1, skuKey: 1 } },
    // Prefix search (`q`) on the lower-cased name and SKU.
    { keys: { searchKeys: 1 } },
  ],
  [PRICE_BOOKS_COLLECTION]: [{ keys: { tenantId: 1, archived: 1, createdAt: -1 } }, { keys: { tenantId: 1, currency: 1 } }],
};

/**
 * Re-folds one document from its previous version and the event. Skips events it has already applied
 * (the runner delivers at least once), so replays and rebuilds leave the same documents.
 */
async function foldInto<T extends Document>(collection: Collection<T>, id: string, event: RecordedEvent, next: (current: T | null) => T): Promise<void> {
  const current = await collection.findOne({ _id: id });
  if (current && (current._position as number) >= event.position) return;
  await collection.replaceOne({ _id: id }, { ...next(current), _id: id, _position: event.position }, { upsert: true });
}

function productStateOf(document: ProductDocument | null): ProductState {
  if (!document) return productDecider.initialState();
  const { id, sku, name, description, unit, active, taxCategory, defaultTaxPercent, archived } = document;
  return { id, sku, name, description, unit, active, taxCategory, defaultTaxPercent, lifecycle: archived ? 'archived' : 'active' };
}

async function applyProduct(event: RecordedEvent, store: ReadStore, tenantId: string, productId: string): Promise<void> {
  const id = documentId(tenantId, productId);
  await foldInto(store.collection<ProductDocument>(PRODUCTS_COLLECTION), id, event, (current) => {
    const state = productDecider.evolve(productStateOf(current), { type: event.type, data: event.data } as ProductEvent);
    const times = { createdAt: current?.createdAt ?? event.metadata.occurredAt, updatedAt: event.metadata.occurredAt };
    const view = toProductView(state, event.revision, [], times);
    return { ...view, _id: id, _position: event.position, tenantId, skuKey: skuKey(view.sku), searchKeys: [view.name.toLowerCase(), view.sku.toLowerCase()] };
  });
}

async function applyPriceBook(event: RecordedEvent, store: ReadStore, tenantId: string, priceBookId: string): Promise<void> {
  const id = documentId(tenantId, priceBookId);
  const domainEvent = { type: event.type, data: event.data } as PriceBookEvent;
  await foldInto(store.collection<PriceBookDocument>(PRICE_BOOKS_COLLECTION), id, event, (current) => {
    const base = current ? stripInternals<PriceBookDocument>(current) : null;
    const document: PriceBookDocument = {
      ...(base ?? { id: priceBookId, name: '', currency: '', description: null, archived: false, entryCount: 0, createdAt: event.metadata.occurredAt }),
      _id: id,
      _position: event.position,
      tenantId,
      revision: event.revision,
      updatedAt: event.metadata.occurredAt,
    };
    switch (domainEvent.type) {
      case 'PriceBookCreated':
        return { ...document, name: domainEvent.data.name, currency: domainEvent.data.currency, description: domainEvent.data.description };
      case 'PriceBookChanged': {
        const { priceBookId: _priceBookId, ...changed } = domainEvent.data;
        return { ...document, ...changed };
      }
      case 'PriceBookEntrySet':
        return { ...document, entryCount: document.entryCount + (domainEvent.data.previousUnitPrice === null ? 1 : 0) };
      case 'PriceBookEntryRemoved':
        return { ...document, entryCount: Math.max(0, document.entryCount - 1) };
      case 'PriceBookArchived':
        return { ...document, archived: true };
      case 'PriceBookRestored':
        return { ...document, archived: false };
      default:
        return document;
    }
  });
}

/** Products and price books as lists: one document per record, folded with the deciders' own `evolve` where it fits. */
export const catalogProjection: Projection = {
  name: CATALOG_PROJECTION,
  filter: { eventTypes: [...PRODUCT_EVENT_TYPES, ...PRICE_BOOK_EVENT_TYPES] },
  indexes: CATALOG_INDEXES,
  async apply(event, store) {
    const stream = parseStreamName(event.streamName);
    if (stream?.kind === 'product') await applyProduct(event, store, stream.tenantId, stream.id);
    if (stream?.kind === 'pricebook') await applyPriceBook(event, store, stream.tenantId, stream.id);
  },
};

import { type CommandContext, DomainError } from '@crm/decider';
import { InMemoryEventStore } from '@crm/eventstore';
import { createInMemoryReadStore, type ReadStore } from '@crm/readstore';
import { DurableTimerScheduler } from '@crm/runtime';
import { skuReservationDecider } from '../domain/product';
import type { QuoteState } from '../domain/quote';
import { orderStream, quoteStream } from '../domain/streams';
import { catalogProjection } from '../infrastructure/catalog.projection';
import { ORDER_PLACEMENT_TIMERS, QUOTE_EXPIRY_TIMERS, quotesProjection } from '../infrastructure/quotes.projection';
import { CatalogService, skuStream } from './catalog.service';
import { OrdersService } from './orders.service';
import { QuoteDeals } from './quote-deals';
import { QuoteNumbers } from './quote-numbers';
import { QuotesService } from './quotes.service';

const START = Date.parse('2026-11-23T10:00:00.000Z');
const BASE_CONTEXT: CommandContext = { tenantId: 'acme', actorId: 'alice', correlationId: 'c1', causationId: 'r1' };
const VALID_UNTIL = '2026-11-30';
const AFTER_EXPIRY = Date.parse('2026-12-01T00:00:01.000Z');

/** The services wired as the module wires them, on in-memory stores, with a clock the test moves. */
function setup() {
  const store = new InMemoryEventStore();
  const readStore = createInMemoryReadStore();
  let now = START;
  const clock = () => new Date(now);
  // Events carry the test's time too (the order timer is due a grace period after the acceptance event).
  const context: CommandContext = { ...BASE_CONTEXT, now: clock };
  const catalog = new CatalogService(store);
  const orders = new OrdersService(store, readStore, clock);
  const quotes = new QuotesService(store, readStore, catalog, new QuoteDeals(store), orders, new QuoteNumbers(store), null, undefined, clock);
  const scheduler = new DurableTimerScheduler(readStore, { now: clock });
  scheduler.register(QUOTE_EXPIRY_TIMERS, (timer) => quotes.expireOnTimer(timer));
  scheduler.register(ORDER_PLACEMENT_TIMERS, (timer) => quotes.placeOrderOnTimer(timer));
  let projected = -1;
  /** What the projection host does: apply every new event, in log order, to both projections. */
  const project = async () => {
    for (const event of await store.readAll({ afterPosition: projected })) {
      await catalogProjection.apply(event, readStore);
      await quotesProjection.apply(event, readStore);
      projected = event.position;
    }
  };
  return { context, store, readStore, catalog, orders, quotes, scheduler, project, setNow: (instant: number) => (now = instant) };
}

const explicitQuote = { currency: 'EUR', validUntil: VALID_UNTIL, lines: [{ name: 'Consulting', quantity: '2', unitPrice: '100', taxPercent: '21' }] };

async function sentQuote(quotes: QuotesService, context: CommandContext): Promise<string> {
  const { view } = await quotes.create(context, explicitQuote);
  await quotes.send(context, view.id);
  return view.id;
}

const pending = (readStore: ReadStore, set: typeof QUOTE_EXPIRY_TIMERS) => set.pending(readStore, 'acme');

describe('quote flows across streams, projections and timers', () => {
  it('expires a sent quote when its expiry timer fires, exactly once in effect', async () => {
    const { context, store, readStore, quotes, scheduler, project, setNow } = setup();
    const quoteId = await sentQuote(quotes, context);
    await project();
    expect(await pending(readStore, QUOTE_EXPIRY_TIMERS)).toMatchObject([{ _id: `acme:quote:${quoteId}:expiry`, dueAt: '2026-12-01T00:00:00.000Z' }]);

    expect(await scheduler.fireDue()).toBe(0);
    setNow(AFTER_EXPIRY);
    expect(await scheduler.fireDue()).toBe(1);
    expect((await quotes.getQuote('acme', quoteId)).status).toBe('expired');

    // The same timer delivered again (a replay re-created it, another replica fired it too) changes nothing.
    const eventsBefore = (await store.readStream(quoteStream('acme', quoteId))).length;
    await quotes.expireOnTimer({ key: `acme:quote:${quoteId}:expiry`, tenantId: 'acme', dueAt: '2026-12-01T00:00:00.000Z', attempts: 0, payload: { quoteId } });
    expect((await store.readStream(quoteStream('acme', quoteId))).length).toBe(eventsBefore);
    await project();
    expect(await pending(readStore, QUOTE_EXPIRY_TIMERS)).toEqual([]);
  });

  it('cancels the expiry timer of an accepted or declined quote', async () => {
    const { context, readStore, quotes, project } = setup();
    const accepted = await sentQuote(quotes, context);
    const declined = await sentQuote(quotes, context);
    await project();
    expect(await pending(readStore, QUOTE_EXPIRY_TIMERS)).toHaveLength(2);
    await quotes.accept(context, accepted);
    await quotes.decline(context, declined, 'No budget');
    await project();
    expect(await pending(readStore, QUOTE_EXPIRY_TIMERS)).toEqual([]);
  });

  it('places the order of an accepted quote once, even when the accepting request dies before placing it', async () => {
    const { context, store, readStore, orders, quotes, scheduler, project, setNow } = setup();
    const quoteId = await sentQuote(quotes, context);
    const placeFor = jest.spyOn(orders, 'placeFor').mockRejectedValueOnce(new Error('process killed'));
    await expect(quotes.accept(context, quoteId)).rejects.toThrow('process killed');
    placeFor.mockRestore();
    const { orderId } = await quotes.getQuote('acme', quoteId);
    expect(orderId).toEqual(expect.any(String));
    await expect(orders.getOrder('acme', orderId!)).rejects.toThrow(DomainError);

    await project();
    expect(await pending(readStore, ORDER_PLACEMENT_TIMERS)).toHaveLength(1);
    setNow(START + 31_000);
    expect(await scheduler.fireDue()).toBe(1);
    expect(await orders.getOrder('acme', orderId!)).toMatchObject({ status: 'placed', quoteId, totals: { grandTotal: '242.00' } });

    // Delivered again: still one order, with one event.
    const timer = { key: `acme:quote:${quoteId}:order`, tenantId: 'acme', dueAt: new Date(START).toISOString(), attempts: 0, payload: { quoteId } };
    await quotes.placeOrderOnTimer(timer);
    expect(await store.readStream(orderStream('acme', orderId!))).toHaveLength(1);
    await project();
    expect(await pending(readStore, ORDER_PLACEMENT_TIMERS)).toEqual([]);
    expect((await orders.listOrders('acme', {})).items.map((order) => order.id)).toEqual([orderId]);
  });

  it('lets the order timer cancel itself when the accepting request placed the order', async () => {
    const { context, readStore, quotes, project } = setup();
    const quoteId = await sentQuote(quotes, context);
    const { order } = await quotes.accept(context, quoteId);
    await project();
    expect(await pending(readStore, ORDER_PLACEMENT_TIMERS)).toEqual([]);
    expect((await quotes.listQuotes('acme', { status: 'accepted' })).items).toMatchObject([{ id: quoteId, orderId: order.id, grandTotal: '242.00' }]);
  });

  it('numbers concurrent quotes without gaps or repeats', async () => {
    const { context, quotes } = setup();
    const created = await Promise.all(Array.from({ length: 20 }, () => quotes.create(context, explicitQuote)));
    expect(created.map((result) => result.view.number).sort()).toEqual(Array.from({ length: 20 }, (_, index) => `Q-2026-${String(index + 1).padStart(5, '0')}`));
  });

  it('gives a SKU to one of several products created at once', async () => {
    const { context, catalog } = setup();
    const results = await Promise.allSettled(['W-1', 'w-1', 'W-1', 'w-1'].map((sku) => catalog.createProduct(context, { sku, name: 'Widget' })));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((each): each is PromiseRejectedResult => each.status === 'rejected')) {
      expect(result.reason).toBeInstanceOf(DomainError);
      expect((result.reason as DomainError).kind).toBe('conflict');
    }
  });

  it('lets a SKU left behind by a failed creation be taken again', async () => {
    const { context, store, catalog } = setup();
    // A reservation whose product was never written (the process died in between).
    await store.append(skuStream('acme', 'W-1'), [{ eventId: '00000000-0000-4000-8000-000000000001', type: 'SkuReserved', data: { sku: 'W-1', productId: 'ghost' }, metadata: { tenantId: 'acme', actorId: 'alice', correlationId: 'c', causationId: 'c', occurredAt: new Date(START).toISOString(), schemaVersion: 1 } }], 'no_stream');
    const { view } = await catalog.createProduct(context, { sku: 'w-1', name: 'Widget' });
    expect(view.sku).toBe('w-1');
    const reservation = (await store.readStream(skuStream('acme', 'W-1'))).reduce((state, event) => skuReservationDecider.evolve(state, event as never), skuReservationDecider.initialState());
    expect(reservation.holder).toBe(view.id);
  });

  it('prices quotes from the price book and refuses products the book does not list', async () => {
    const { context, catalog, quotes } = setup();
    const widget = (await catalog.createProduct(context, { sku: 'W-1', name: 'Widget', defaultTaxPercent: '21' })).view;
    const gadget = (await catalog.createProduct(context, { sku: 'G-1', name: 'Gadget' })).view;
    const book = (await catalog.createPriceBook(context, { name: 'EU 2026', currency: 'EUR' })).view;
    await catalog.setPrice(context, book.id, widget.id, { unitPrice: '33.33' });
    const { view } = await quotes.create(context, { validUntil: VALID_UNTIL, priceBookId: book.id, lines: [{ productId: widget.id, quantity: '3', discountPercent: '10' }] });
    expect(view).toMatchObject({ currency: 'EUR', priceBookId: book.id, lines: [{ sku: 'W-1', name: 'Widget', unitPrice: '33.33', taxPercent: '21' }], grandTotal: '108.89' });
    await expect(quotes.create(context, { validUntil: VALID_UNTIL, priceBookId: book.id, lines: [{ productId: gadget.id }] })).rejects.toThrow(/EU 2026 has no price/);
    // The revision re-prices the lines it is given, and keeps the quote's state otherwise.
    const revised = await quotes.revise(context, view.id, { lines: [{ productId: widget.id, quantity: '1' }] });
    expect(revised.view).toMatchObject({ version: 2, grandTotal: '40.33' });
    const state: Partial<QuoteState> = await quotes.getQuote('acme', view.id);
    expect(state.priceBookId).toBe(book.id);
  });
});

import type { CommandContext } from '@crm/decider';
import { InMemoryEventStore } from '@crm/eventstore';
import { createInMemoryReadStore } from '@crm/readstore';
import { CatalogService } from '../application/catalog.service';
import { OrdersService } from '../application/orders.service';
import { QuoteDeals } from '../application/quote-deals';
import { QuoteNumbers } from '../application/quote-numbers';
import { QuotesService } from '../application/quotes.service';
import { QuoteIntegrationEventMapper } from './quote-integration-events';

const context: CommandContext = { tenantId: 'acme', actorId: 'alice', correlationId: 'corr-1', causationId: 'req-1' };
const quoteBody = { currency: 'EUR', validUntil: '2099-12-31', lines: [{ name: 'Consulting', quantity: '3', unitPrice: '33.33', discountPercent: '10', taxPercent: '21' }] };

describe('quote integration events', () => {
  const store = new InMemoryEventStore();
  const readStore = createInMemoryReadStore();
  const quotes = new QuotesService(store, readStore, new CatalogService(store), new QuoteDeals(store), new OrdersService(store, readStore), new QuoteNumbers(store), null);
  const mapper = new QuoteIntegrationEventMapper(store);

  async function published() {
    const events = await store.readAll();
    return (await Promise.all(events.map((event) => mapper.map(event)))).flat();
  }

  it('announces sent, accepted, declined and expired quotes on the quote topic and placed orders on the order topic', async () => {
    const accepted = (await quotes.create(context, quoteBody)).view.id;
    await quotes.send(context, accepted);
    await quotes.accept(context, accepted);
    const declined = (await quotes.create(context, quoteBody)).view.id;
    await quotes.send(context, declined);
    await quotes.decline(context, declined, 'Too expensive');
    const expired = (await quotes.create(context, quoteBody)).view.id;
    await quotes.send(context, expired);
    const later = new QuotesService(store, readStore, new CatalogService(store), new QuoteDeals(store), new OrdersService(store, readStore), new QuoteNumbers(store), null, undefined, () => new Date('2100-01-02T00:00:00Z'));
    await later.expire(context, expired);

    const messages = await published();
    expect(messages.map((message) => [message.topic, message.event.type])).toEqual([
      ['crm.sales.quote.v1', 'crm.sales.quote.sent.v1'],
      ['crm.sales.quote.v1', 'crm.sales.quote.accepted.v1'],
      ['crm.sales.order.v1', 'crm.sales.order.placed.v1'],
      ['crm.sales.quote.v1', 'crm.sales.quote.sent.v1'],
      ['crm.sales.quote.v1', 'crm.sales.quote.declined.v1'],
      ['crm.sales.quote.v1', 'crm.sales.quote.sent.v1'],
      ['crm.sales.quote.v1', 'crm.sales.quote.expired.v1'],
    ]);
    const [, acceptance, placed, , declinedMessage, , expiredMessage] = messages;
    expect(acceptance.event).toMatchObject({
      source: '/crm/sales',
      subject: accepted,
      tenantid: 'acme',
      correlationid: 'corr-1',
      dataschema: 'proto/crm/sales/v1/quote_events.proto#crm.sales.v1.QuoteAccepted',
      data: { quoteId: accepted, quote: { status: 'accepted', currency: 'EUR', dealId: '', version: 1, totals: { netTotal: '89.99', taxTotal: '18.90', grandTotal: '108.89' } } },
    });
    const orderId = (acceptance.event.data as { orderId: string }).orderId;
    expect(placed.event).toMatchObject({
      subject: orderId,
      dataschema: 'proto/crm/sales/v1/quote_events.proto#crm.sales.v1.OrderPlaced',
      data: { orderId, order: { id: orderId, status: 'placed', quoteId: accepted, lines: [{ name: 'Consulting', productId: '', netAmount: '89.99' }] } },
    });
    expect(declinedMessage.event.data).toMatchObject({ quoteId: declined, reason: 'Too expensive', quote: { status: 'declined' } });
    expect(expiredMessage.event.data).toMatchObject({ quoteId: expired, expiredAt: '2100-01-02T00:00:00.000Z', quote: { status: 'expired', expiresAt: '2100-01-01T00:00:00.000Z' } });
  });

  it('gives each message a deterministic id, so a re-run of the relay publishes duplicates consumers recognise', async () => {
    const first = await published();
    const again = await published();
    expect(again.map((message) => message.event.id)).toEqual(first.map((message) => message.event.id));
  });

  it('publishes nothing for drafts, revisions, catalogue changes and quote numbers', async () => {
    const store2 = new InMemoryEventStore();
    const readStore2 = createInMemoryReadStore();
    const catalog = new CatalogService(store2);
    const quotes2 = new QuotesService(store2, readStore2, catalog, new QuoteDeals(store2), new OrdersService(store2, readStore2), new QuoteNumbers(store2), null);
    await catalog.createProduct(context, { sku: 'W-1', name: 'Widget' });
    const quote = (await quotes2.create(context, quoteBody)).view.id;
    await quotes2.revise(context, quote, { title: 'Revised' });
    const mapper2 = new QuoteIntegrationEventMapper(store2);
    expect((await Promise.all((await store2.readAll()).map((event) => mapper2.map(event)))).flat()).toEqual([]);
  });
});

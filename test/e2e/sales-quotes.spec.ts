import { EmbeddedMessageBus, type IntegrationEvent } from '@crm/bus';
import { type OrderPlacedJson, QUOTE_TOPICS, type QuoteAcceptedJson } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { request } from 'undici';
import { type HttpResponse, RunningCrm } from '../../tools/running-crm';
import { expectProblem, type Page, uniqueTenant } from './support';

type Product = { id: string; sku: string; name: string; unit: string; active: boolean; defaultTaxPercent: string; archived: boolean; revision: number };
type PriceBook = { id: string; name: string; currency: string; entries: { productId: string; unitPrice: string }[]; entryCount: number; revision: number };
type Line = { lineId: string; productId: string | null; name: string; quantity: string; unitPrice: string; netAmount: string; taxAmount: string; grossAmount: string };
type Totals = { subtotal: string; discountTotal: string; netTotal: string; taxTotal: string; taxes: { taxPercent: string; taxableAmount: string; taxAmount: string }[]; grandTotal: string };
type Quote = {
  id: string;
  number: string;
  version: number;
  status: string;
  dealId: string | null;
  currency: string;
  title: string | null;
  validUntil: string;
  expiresAt: string;
  lines: Line[];
  totals: Totals;
  orderId: string | null;
  revision: number;
};
type Order = { id: string; number: string; status: string; quoteId: string; quoteNumber: string; dealId: string | null; currency: string; lines: Line[]; totals: Totals };
type HistoryEntry = { type: string; actorId: string; changedFields: string[] };

const nextYear = () => `${new Date().getUTCFullYear() + 1}-06-30`;

/** The text of a PDF as PDFKit writes it: the hex strings of its TJ operators, in deflated or plain content streams. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const contents = [raw];
  for (const match of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    try {
      contents.push(inflateSync(Buffer.from(match[1], 'latin1')).toString('latin1'));
    } catch {
      // Not deflated: already part of `raw`.
    }
  }
  return contents
    .flatMap((content) => [...content.matchAll(/\[([^\]]*)\]\s*TJ/g)])
    .map((operator) => [...operator[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((hex) => Buffer.from(hex[1], 'hex').toString('latin1')).join(''))
    .join('\n');
}

/** Products, price books, quotes and orders through the gateway, from the catalogue to the order on the bus. */
describe('sales quotes and orders through the gateway', () => {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await RunningCrm.start();
  });

  afterAll(async () => {
    await crm?.stop();
  });

  const call = <T = Record<string, unknown>>(tenant: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResponse<T>> =>
    crm.call<T>(method, `/api/v1${path}`, { tenant, actor: 'alice', body, headers });

  async function product(tenant: string, body: Record<string, unknown>): Promise<Product> {
    const response = await call<Product>(tenant, 'POST', '/products', body);
    expect(response.status).toBe(201);
    return response.body;
  }

  async function priceBook(tenant: string, name: string, currency: string, prices: Record<string, string> = {}): Promise<PriceBook> {
    const created = await call<PriceBook>(tenant, 'POST', '/price-books', { name, currency });
    expect(created.status).toBe(201);
    let book = created.body;
    for (const [productId, unitPrice] of Object.entries(prices)) {
      const priced = await call<PriceBook>(tenant, 'PUT', `/price-books/${book.id}/entries/${productId}`, { unitPrice });
      expect(priced.status).toBe(200);
      book = priced.body;
    }
    return book;
  }

  async function dealWithLines(tenant: string, currency: string, lineItems: Record<string, unknown>[]): Promise<{ id: string }> {
    const pipeline = await call<{ id: string }>(tenant, 'POST', '/pipelines', { name: 'New business', stages: [{ name: 'Propose', probability: 50 }, { name: 'Won', type: 'won' }, { name: 'Lost', type: 'lost' }] });
    expect(pipeline.status).toBe(201);
    const deal = await call<{ id: string }>(tenant, 'POST', '/deals', { title: 'Acme renewal', pipelineId: pipeline.body.id, currency, lineItems });
    expect(deal.status).toBe(201);
    return deal.body;
  }

  async function pdf(tenant: string, path: string): Promise<{ status: number; contentType: string; body: Buffer }> {
    const response = await request(`${crm.baseUrl}/api/v1${path}`, { headers: { 'x-tenant-id': tenant } });
    return { status: response.statusCode, contentType: String(response.headers['content-type']), body: Buffer.from(await response.body.arrayBuffer()) };
  }

  it('runs catalogue → price book → deal → quote → send → accept → order, with OrderPlaced on the bus', async () => {
    const t = uniqueTenant('quotes');
    const widget = await product(t, { sku: 'WID-1', name: 'Widget', taxCategory: 'standard', defaultTaxPercent: '21' });
    const support = await product(t, { sku: 'SUP-1', name: 'Support', unit: 'hour', defaultTaxPercent: '9' });
    expect(widget).toMatchObject({ sku: 'WID-1', unit: 'each', active: true, archived: false, defaultTaxPercent: '21' });

    // SKUs are unique per tenant, whatever their letter case; another tenant may use the same SKU.
    expectProblem(await call(t, 'POST', '/products', { sku: 'wid-1', name: 'Copy' }), 409);
    expect((await call(uniqueTenant('other'), 'POST', '/products', { sku: 'WID-1', name: 'Widget' })).status).toBe(201);
    await eventually(async () => (await call<Page<Product>>(t, 'GET', '/products?sku=wid-1')).body.items.length === 1, { description: 'the product in the list, by SKU' });

    const eu = await priceBook(t, 'EU 2026', 'EUR', { [widget.id]: '33.33', [support.id]: '0.1' });
    expect(eu).toMatchObject({ currency: 'EUR', entryCount: 2 });
    expect(eu.entries).toEqual(expect.arrayContaining([{ productId: widget.id, unitPrice: '33.33' }, { productId: support.id, unitPrice: '0.10' }]));
    const us = await priceBook(t, 'US 2026', 'usd', { [widget.id]: '40' });

    // Prices are in the book's currency only; a refused price stores nothing.
    expectProblem(await call(t, 'PUT', `/price-books/${eu.id}/entries/${widget.id}`, { unitPrice: '35', currency: 'USD' }), 400, ['currency']);
    expect((await call<PriceBook>(t, 'GET', `/price-books/${eu.id}`)).body.revision).toBe(eu.revision);

    const deal = await dealWithLines(t, 'EUR', [
      { productId: widget.id, name: 'Widget', quantity: '3', unitPrice: '33.33', discountPercent: '10', taxPercent: '21' },
      { productId: support.id, name: 'Support', quantity: '2', unitPrice: '0.1', taxPercent: '9' },
    ]);

    // A price book in another currency than the deal's is refused, and uses up no quote number.
    expectProblem(await call(t, 'POST', '/quotes', { dealId: deal.id, priceBookId: us.id, validUntil: nextYear() }), 400, ['priceBookId']);

    const created = await call<Quote>(t, 'POST', '/quotes', { dealId: deal.id, priceBookId: eu.id, validUntil: nextYear() });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/v1/quotes/${created.body.id}`);
    const quote = created.body;
    expect(quote).toMatchObject({ number: `Q-${new Date().getUTCFullYear()}-00001`, version: 1, status: 'draft', dealId: deal.id, currency: 'EUR', title: 'Acme renewal' });
    expect(quote.lines.map(({ netAmount, taxAmount, grossAmount }) => ({ netAmount, taxAmount, grossAmount }))).toEqual([
      { netAmount: '89.99', taxAmount: '18.90', grossAmount: '108.89' },
      { netAmount: '0.20', taxAmount: '0.02', grossAmount: '0.22' },
    ]);
    expect(quote.totals).toEqual({
      subtotal: '100.19',
      discountTotal: '10.00',
      netTotal: '90.19',
      taxTotal: '18.92',
      taxes: [
        { taxPercent: '9', taxableAmount: '0.20', taxAmount: '0.02' },
        { taxPercent: '21', taxableAmount: '89.99', taxAmount: '18.90' },
      ],
      grandTotal: '109.11',
    });

    // Revisions of the draft are conditional on If-Match; a stale one is 412 and changes nothing.
    expectProblem(await call(t, 'PATCH', `/quotes/${quote.id}`, { title: 'Stale' }, { 'if-match': '"7"' }), 412);
    const revised = await call<Quote>(t, 'PATCH', `/quotes/${quote.id}`, { title: 'Acme renewal 2027', notes: 'Prices valid for the whole order.' }, { 'if-match': created.headers.etag });
    expect(revised.status).toBe(200);
    expect(revised.body).toMatchObject({ version: 2, title: 'Acme renewal 2027', totals: { grandTotal: '109.11' } });
    const draftRevision = revised.body.revision;

    // The PDF route and the JSON route live side by side.
    const document = await pdf(t, `/quotes/${quote.id}.pdf`);
    expect(document.status).toBe(200);
    expect(document.contentType).toBe('application/pdf');
    expect(document.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(document.body);
    for (const expected of [quote.number, t, 'Widget', 'SKU WID-1', 'Tax 21% on 89.99', '109.11', 'Acme renewal 2027']) expect(text).toContain(expected);
    expect((await call<Quote>(t, 'GET', `/quotes/${quote.id}`)).body.number).toBe(quote.number);
    expect((await pdf(t, '/quotes/NOPE.pdf')).status).toBe(404);

    const sent = await call<Quote>(t, 'POST', `/quotes/${quote.id}/send`);
    expect(sent.status).toBe(200);
    expect(sent.body.status).toBe('sent');
    expectProblem(await call(t, 'PATCH', `/quotes/${quote.id}`, { title: 'Too late' }), 409);
    expectProblem(await call(t, 'POST', `/quotes/${quote.id}/send`), 409);
    expectProblem(await call(t, 'POST', `/quotes/${quote.id}/expire`), 409);

    // Consume the order topic the way another service would, from the shared embedded bus.
    const bus = new EmbeddedMessageBus({ path: join(crm.dataDir, 'bus.db') });
    const seen = new Map<string, IntegrationEvent>();
    const consumer = await bus.consume({
      group: `quotes-e2e-${t}`,
      topics: [QUOTE_TOPICS.quote, QUOTE_TOPICS.order],
      handler: async (event) => {
        if (event.tenantid === t) seen.set(event.type, event);
      },
    });
    try {
      const accepted = await call<Quote>(t, 'POST', `/quotes/${quote.id}/accept`);
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ status: 'accepted', orderId: expect.any(String) });
      const orderId = accepted.body.orderId!;
      expect(accepted.headers.link).toBe(`</api/v1/orders/${orderId}>; rel="order"`);
      expectProblem(await call(t, 'POST', `/quotes/${quote.id}/accept`), 409);
      expectProblem(await call(t, 'POST', `/quotes/${quote.id}/decline`, { reason: 'changed our mind' }), 409);

      const order = await call<Order>(t, 'GET', `/orders/${orderId}`);
      expect(order.status).toBe(200);
      expect(order.body).toMatchObject({ status: 'placed', quoteId: quote.id, quoteNumber: quote.number, number: quote.number.replace(/^Q-/, 'SO-'), dealId: deal.id, currency: 'EUR' });
      expect(order.body.lines).toEqual(revised.body.lines);
      expect(order.body.totals).toEqual(quote.totals);

      const token = accepted.headers['x-consistency-token'];
      const orders = await call<Page<Order>>(t, 'GET', `/orders?dealId=${deal.id}`, undefined, { 'x-consistency-token': token });
      expect(orders.body.items.map((item) => item.id)).toEqual([orderId]);
      const quotes = await call<Page<Quote>>(t, 'GET', `/quotes?dealId=${deal.id}&status=accepted`, undefined, { 'x-consistency-token': token });
      expect(quotes.body.items).toMatchObject([{ id: quote.id, status: 'accepted', grandTotal: '109.11', orderId }]);
      expect((await call<Page<Quote>>(t, 'GET', `/quotes?dealId=${deal.id}&status=draft`)).body.items).toEqual([]);

      await eventually(() => seen.has('crm.sales.order.placed.v1') && seen.has('crm.sales.quote.accepted.v1'), { timeoutMs: 15_000, description: 'QuoteAccepted and OrderPlaced on the bus' });
      const placed = seen.get('crm.sales.order.placed.v1')!;
      expect(placed).toMatchObject({ subject: orderId, source: '/crm/sales', dataschema: 'proto/crm/sales/v1/quote_events.proto#crm.sales.v1.OrderPlaced' });
      expect((placed.data as OrderPlacedJson).order).toMatchObject({ quoteId: quote.id, currency: 'EUR', totals: { grandTotal: '109.11' } });
      expect((seen.get('crm.sales.quote.accepted.v1')!.data as QuoteAcceptedJson)).toMatchObject({ quoteId: quote.id, orderId, quote: { status: 'accepted', number: quote.number } });
      expect(seen.has('crm.sales.quote.sent.v1')).toBe(true);
    } finally {
      await consumer.close();
      await bus.close();
    }

    // History and time travel.
    const history = (await call<{ items: HistoryEntry[] }>(t, 'GET', `/quotes/${quote.id}/history`)).body.items;
    expect(history.map((entry) => entry.type)).toEqual(['QuoteCreated', 'QuoteRevised', 'QuoteSent', 'QuoteAccepted']);
    expect(history.every((entry) => entry.actorId === 'alice')).toBe(true);
    const sentAt = (await call<{ sentAt: string }>(t, 'GET', `/quotes/${quote.id}`)).body.sentAt;
    const beforeSending = new Date(Date.parse(sentAt) - 1).toISOString();
    expect((await call<Quote>(t, 'GET', `/quotes/${quote.id}?asOf=${beforeSending}`)).body).toMatchObject({ status: 'draft', version: 2, revision: draftRevision });
    expectProblem(await call(t, 'GET', `/quotes/${quote.id}?asOf=yesterday`), 400, ['asOf']);
  });

  it('expires a sent quote on its own once its validity passes; an expired quote cannot be accepted', async () => {
    const t = uniqueTenant('quote-expiry');
    const draft = await call<Quote>(t, 'POST', '/quotes', {
      currency: 'EUR',
      validUntil: new Date(Date.now() + 4_000).toISOString(),
      lines: [{ name: 'Consulting', quantity: '1.5', unitPrice: '100', taxPercent: '21' }],
    });
    expect(draft.status).toBe(201);
    expect(draft.body.totals).toMatchObject({ netTotal: '150.00', taxTotal: '31.50', grandTotal: '181.50' });
    expect((await call(t, 'POST', `/quotes/${draft.body.id}/send`)).status).toBe(200);
    // Still valid: expiring it by hand is refused.
    expectProblem(await call(t, 'POST', `/quotes/${draft.body.id}/expire`), 409);

    await eventually(async () => (await call<Quote>(t, 'GET', `/quotes/${draft.body.id}`)).body.status === 'expired', {
      timeoutMs: 20_000,
      description: 'the expiry timer to expire the quote',
    });
    expectProblem(await call(t, 'POST', `/quotes/${draft.body.id}/accept`), 409);
    // Expiring an expired quote again is the retry it looks like.
    expect((await call<Quote>(t, 'POST', `/quotes/${draft.body.id}/expire`)).body.status).toBe('expired');
    const history = (await call<{ items: HistoryEntry[] }>(t, 'GET', `/quotes/${draft.body.id}/history`)).body.items;
    expect(history.map((entry) => [entry.type, entry.actorId])).toEqual([
      ['QuoteCreated', 'alice'],
      ['QuoteSent', 'alice'],
      ['QuoteExpired', 'system:quote-expiry'],
    ]);
    expect((await call<Page<Order>>(t, 'GET', '/orders')).body.items).toEqual([]);
  }, 60_000);

  it('declines a sent quote, and refuses transitions that do not exist', async () => {
    const t = uniqueTenant('quote-decline');
    const quote = (await call<Quote>(t, 'POST', '/quotes', { currency: 'JPY', validUntil: nextYear(), lines: [{ name: 'Licence', quantity: '3', unitPrice: '333.5', taxPercent: '10' }] })).body;
    expect(quote.totals).toMatchObject({ netTotal: '1001', taxTotal: '100', grandTotal: '1101' });
    expectProblem(await call(t, 'POST', `/quotes/${quote.id}/accept`), 409);
    expectProblem(await call(t, 'POST', `/quotes/${quote.id}/decline`), 409);
    expect((await call(t, 'POST', `/quotes/${quote.id}/send`)).status).toBe(200);
    const declined = await call<Quote & { declineReason: string }>(t, 'POST', `/quotes/${quote.id}/decline`, { reason: 'Budget cut' });
    expect(declined.body).toMatchObject({ status: 'declined', declineReason: 'Budget cut' });
    expectProblem(await call(t, 'POST', `/quotes/${quote.id}/accept`), 409);
    expectProblem(await call(t, 'POST', `/quotes/${quote.id}/send`), 409);
  });

  it('answers bad input with 4xx problem+json and stores nothing', async () => {
    const t = uniqueTenant('quote-bad');
    expectProblem(await call(t, 'POST', '/products', {}), 400, ['sku']);
    expectProblem(await call(t, 'POST', '/products', { sku: 'X-1' }), 400, ['name']);
    expectProblem(await call(t, 'POST', '/products', { sku: 'has space', name: 'X' }), 400, ['sku']);
    expectProblem(await call(t, 'POST', '/products', { sku: 'X-1', name: 'X', defaultTaxPercent: 21 }), 400, ['defaultTaxPercent']);
    expectProblem(await call(t, 'POST', '/products', { sku: 'X-1', name: 'X', defaultTaxPercent: '120' }), 400, ['defaultTaxPercent']);
    expectProblem(await call(t, 'POST', '/products', { sku: 'X-1', name: 'X', price: '1' }), 400, ['price']);
    expectProblem(await call(t, 'POST', '/price-books', { name: 'Euro', currency: 'EURO' }), 400, ['currency']);
    expectProblem(await call(t, 'POST', '/price-books', { name: 'Euro', currency: 'XYZ' }), 400, ['currency']);

    const widget = await product(t, { sku: 'X-1', name: 'Widget' });
    const book = await priceBook(t, 'EU', 'EUR');
    expectProblem(await call(t, 'PUT', `/price-books/${book.id}/entries/${widget.id}`, { unitPrice: '-1' }), 400, ['unitPrice']);
    expectProblem(await call(t, 'PUT', `/price-books/${book.id}/entries/${widget.id}`, { unitPrice: 12.5 }), 400, ['unitPrice']);
    expectProblem(await call(t, 'PUT', `/price-books/${book.id}/entries/UNKNOWN`, { unitPrice: '1' }), 404);
    expectProblem(await call(t, 'PATCH', `/price-books/${book.id}`, { currency: 'USD' }), 400, ['currency']);
    expectProblem(await call(t, 'PATCH', `/products/${widget.id}`, { name: 'New' }, { 'if-match': '"9"' }), 412);

    const valid = { currency: 'EUR', validUntil: nextYear(), lines: [{ name: 'Item', unitPrice: '1.50' }] };
    expectProblem(await call(t, 'POST', '/quotes', { ...valid, validUntil: '2020-01-01' }), 400, ['validUntil']);
    expectProblem(await call(t, 'POST', '/quotes', { ...valid, validUntil: undefined }), 400, ['validUntil']);
    expectProblem(await call(t, 'POST', '/quotes', { ...valid, dealId: 'NO-SUCH-DEAL' }), 400, ['dealId']);
    expectProblem(await call(t, 'POST', '/quotes', { ...valid, priceBookId: 'NO-SUCH-BOOK' }), 400, ['priceBookId']);
    expectProblem(await call(t, 'POST', '/quotes', { ...valid, currency: 'USD', priceBookId: book.id }), 400, ['priceBookId']);
    expectProblem(await call(t, 'POST', '/quotes', { ...valid, lines: [] }), 400, ['lines']);
    expectProblem(await call(t, 'POST', '/quotes', { ...valid, lines: [{ name: 'Item', unitPrice: '1', quantity: 'abc' }] }), 400, ['lines[0].quantity']);
    expectProblem(await call(t, 'POST', '/quotes', { ...valid, lines: [{ name: 'Item', unitPrice: 1.5 }] }), 400, ['lines.0.unitPrice']);
    expectProblem(await call(t, 'POST', '/quotes', { ...valid, lines: [{ productId: widget.id }] }), 400, ['lines[0].unitPrice']);
    expectProblem(await call(t, 'POST', '/quotes', { ...valid, lines: [{ name: 'Item', unitPrice: '1', discountPercent: '150' }] }), 400, ['lines[0].discountPercent']);
    expectProblem(await call(t, 'POST', '/quotes', { ...valid, lines: [{ name: 'Item', unitPrice: '1', surprise: true }] }), 400, ['lines.0.surprise']);
    expectProblem(await call(t, 'GET', '/quotes?status=open'), 400, ['status']);
    expectProblem(await call(t, 'GET', '/quotes?limit=500'), 400, ['limit']);
    expectProblem(await call(t, 'GET', '/quotes/NO-SUCH-QUOTE'), 404);
    expectProblem(await call(t, 'GET', '/orders/NO-SUCH-ORDER'), 404);
    expectProblem(await call(t, 'POST', '/quotes/NO-SUCH-QUOTE/send'), 404);

    // Nothing was stored: the first quote that passes gets the first number, and lists hold only what passed.
    const first = await call<Quote>(t, 'POST', '/quotes', valid);
    expect(first.status).toBe(201);
    expect(first.body.number).toBe(`Q-${new Date().getUTCFullYear()}-00001`);
    const token = first.headers['x-consistency-token'];
    expect((await call<Page<Quote>>(t, 'GET', '/quotes', undefined, { 'x-consistency-token': token })).body.items.map((item) => item.id)).toEqual([first.body.id]);
    expect((await call<Page<Product>>(t, 'GET', '/products', undefined, { 'x-consistency-token': token })).body.items.map((item) => item.sku)).toEqual(['X-1']);
    expect((await call<PriceBook>(t, 'GET', `/price-books/${book.id}`)).body).toMatchObject({ revision: book.revision, entries: [] });
  });

  it('archives products out of lists and quotes', async () => {
    const t = uniqueTenant('quote-archive');
    const widget = await product(t, { sku: 'A-1', name: 'Widget' });
    const archived = await call<Product>(t, 'POST', `/products/${widget.id}/archive`);
    expect(archived.body.archived).toBe(true);
    const token = archived.headers['x-consistency-token'];
    expect((await call<Page<Product>>(t, 'GET', '/products', undefined, { 'x-consistency-token': token })).body.items).toEqual([]);
    expect((await call<Page<Product>>(t, 'GET', '/products?archived=true', undefined, { 'x-consistency-token': token })).body.items.map((item) => item.id)).toEqual([widget.id]);
    expectProblem(await call(t, 'POST', '/quotes', { currency: 'EUR', validUntil: nextYear(), lines: [{ productId: widget.id, unitPrice: '1' }] }), 400, ['lines[0].productId']);
    // An archived product keeps its SKU.
    expectProblem(await call(t, 'POST', '/products', { sku: 'A-1', name: 'Copy' }), 409);
    const renamed = await call<Product>(t, 'PATCH', `/products/${widget.id}`, { sku: 'A-2' });
    expect(renamed.body.sku).toBe('A-2');
    // The old SKU is free again once renamed.
    expect((await call(t, 'POST', '/products', { sku: 'a-1', name: 'Successor' })).status).toBe(201);
    const history = (await call<{ items: HistoryEntry[] }>(t, 'GET', `/products/${widget.id}/history`)).body.items;
    expect(history.map((entry) => entry.type)).toEqual(['ProductCreated', 'ProductArchived', 'ProductChanged']);
    expect(history[2].changedFields).toEqual(['sku']);
  });

  it('lists every catalogue, quote and order route in the OpenAPI document at the gateway', async () => {
    const document = await crm.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json');
    expect(document.status).toBe(200);
    const methods = (path: string) => Object.keys(document.body.paths[path] ?? {}).sort();
    expect(methods('/api/v1/products')).toEqual(['get', 'post']);
    expect(methods('/api/v1/products/{id}')).toEqual(['get', 'patch']);
    for (const action of ['archive', 'restore']) {
      expect(methods(`/api/v1/products/{id}/${action}`)).toEqual(['post']);
      expect(methods(`/api/v1/price-books/{id}/${action}`)).toEqual(['post']);
    }
    expect(methods('/api/v1/products/{id}/history')).toEqual(['get']);
    expect(methods('/api/v1/price-books')).toEqual(['get', 'post']);
    expect(methods('/api/v1/price-books/{id}')).toEqual(['get', 'patch']);
    expect(methods('/api/v1/price-books/{id}/entries/{productId}')).toEqual(['delete', 'put']);
    expect(methods('/api/v1/price-books/{id}/history')).toEqual(['get']);
    expect(methods('/api/v1/quotes')).toEqual(['get', 'post']);
    expect(methods('/api/v1/quotes/{id}')).toEqual(['get', 'patch']);
    expect(methods('/api/v1/quotes/{id}.pdf')).toEqual(['get']);
    for (const action of ['send', 'accept', 'decline', 'expire']) expect(methods(`/api/v1/quotes/{id}/${action}`)).toEqual(['post']);
    expect(methods('/api/v1/quotes/{id}/history')).toEqual(['get']);
    expect(methods('/api/v1/orders')).toEqual(['get']);
    expect(methods('/api/v1/orders/{id}')).toEqual(['get']);
    expect(methods('/api/v1/orders/{id}/history')).toEqual(['get']);
  });

  // Last: it restarts the CRM.
  it('expires a quote after a restart, from the timer its sending left', async () => {
    const t = uniqueTenant('quote-restart');
    const quote = (await call<Quote>(t, 'POST', '/quotes', { currency: 'EUR', validUntil: new Date(Date.now() + 6_000).toISOString(), lines: [{ name: 'Audit', unitPrice: '900' }] })).body;
    expect((await call<Quote>(t, 'POST', `/quotes/${quote.id}/send`)).body.status).toBe('sent');
    await crm.stop({ keepData: true });
    crm = await RunningCrm.start(crm.dataDir);
    await eventually(async () => (await call<Quote>(t, 'GET', `/quotes/${quote.id}`)).body.status === 'expired', {
      timeoutMs: 30_000,
      description: 'the expiry timer to fire after the restart',
    });
    const history = (await call<{ items: HistoryEntry[] }>(t, 'GET', `/quotes/${quote.id}/history`)).body.items;
    expect(history.map((entry) => entry.type)).toEqual(['QuoteCreated', 'QuoteSent', 'QuoteExpired']);
  }, 90_000);
});

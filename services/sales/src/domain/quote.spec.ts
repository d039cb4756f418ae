import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { type CatalogProduct, type DealRef, type PriceBookRef, type QuoteCatalog, quoteDecider, type QuoteEvent, type QuoteInput } from './quote';

const NOW = '2026-11-23T10:00:00.000Z';
const LATER = '2026-12-01T10:00:00.000Z';
const AFTER_EXPIRY = '2027-01-01T00:00:00.000Z';

const deal: DealRef = { dealId: 'd1', currency: 'EUR', contactId: 'c1', companyId: 'k1' };
const widget: CatalogProduct = { productId: 'p1', sku: 'W-1', name: 'Widget', unit: 'each', defaultTaxPercent: '21', sellable: true };
const retired: CatalogProduct = { productId: 'p2', sku: 'OLD', name: 'Old widget', unit: 'each', defaultTaxPercent: '21', sellable: false };
const euBook: PriceBookRef = { priceBookId: 'b1', name: 'EU 2026', currency: 'EUR', archived: false, prices: { p1: '33.33' } };
const usBook: PriceBookRef = { priceBookId: 'b2', name: 'US 2026', currency: 'USD', archived: false, prices: { p1: '40' } };
const catalog = (priceBook: PriceBookRef | null = null): QuoteCatalog => ({ priceBook, products: { p1: widget, p2: retired } });

const input = (overrides: Partial<QuoteInput> = {}): QuoteInput => ({
  validUntil: '2026-12-31',
  lines: [{ lineId: 'l1', productId: 'p1', quantity: '3', unitPrice: '33.33', discountPercent: '10', taxPercent: '21' }],
  ...overrides,
});

const create = (overrides: Partial<QuoteInput> = {}, priceBook: PriceBookRef | null = null, dealRef: DealRef | null = deal) =>
  ({ type: 'CreateQuote', quoteId: 'q1', number: 'Q-2026-00001', now: NOW, deal: dealRef, catalog: catalog(priceBook), input: input(overrides) }) as const;

const created = (): QuoteEvent => quoteDecider.decide(create(), quoteDecider.initialState())[0];
const sent: QuoteEvent = { type: 'QuoteSent', data: { quoteId: 'q1', sentAt: LATER, expiresAt: '2027-01-01T00:00:00.000Z' } };
const accepted: QuoteEvent = { type: 'QuoteAccepted', data: { quoteId: 'q1', orderId: 'o1', acceptedAt: LATER } };
const expired: QuoteEvent = { type: 'QuoteExpired', data: { quoteId: 'q1', expiresAt: '2027-01-01T00:00:00.000Z', expiredAt: AFTER_EXPIRY } };

describe('quote decider', () => {
  describe('creating', () => {
    it("builds a draft in the deal's currency, with exact line amounts and totals", () => {
      given(quoteDecider)
        .when(create())
        .then(([event]) => {
          expect(event.type).toBe('QuoteCreated');
          expect(event.data).toMatchObject({
            number: 'Q-2026-00001',
            dealId: 'd1',
            contactId: 'c1',
            companyId: 'k1',
            currency: 'EUR',
            validUntil: '2026-12-31',
            expiresAt: '2027-01-01T00:00:00.000Z',
            lines: [
              {
                lineId: 'l1',
                productId: 'p1',
                sku: 'W-1',
                name: 'Widget',
                unit: 'each',
                quantity: '3',
                unitPrice: '33.33',
                listAmount: '99.99',
                discountAmount: '10.00',
                netAmount: '89.99',
                taxAmount: '18.90',
                grossAmount: '108.89',
              },
            ],
            totals: { subtotal: '99.99', discountTotal: '10.00', netTotal: '89.99', taxTotal: '18.90', grandTotal: '108.89' },
          });
        });
    });

    it("takes a product's price from the price book and its default tax when the line gives none", () => {
      given(quoteDecider)
        .when(create({ lines: [{ lineId: 'l1', productId: 'p1', quantity: '2' }] }, euBook))
        .then(([event]) => expect(event.data).toMatchObject({ priceBookId: 'b1', lines: [{ unitPrice: '33.33', taxPercent: '21', netAmount: '66.66', taxAmount: '14.00' }] }));
    });

    it('refuses a price book in another currency than the deal', () => {
      const error = given(quoteDecider).when(create({}, usBook)).thenThrows(DomainError, /Currency mismatch: price book US 2026 is in USD, the deal in EUR/);
      expect((error as DomainError).kind).toBe('invalid');
      expect((error as DomainError).details).toEqual([{ field: 'priceBookId', reason: expect.stringMatching(/USD/) }]);
    });

    it("refuses a currency other than the deal's", () => {
      given(quoteDecider).when(create({ currency: 'usd' })).thenThrows(DomainError, /Currency mismatch: the deal is in EUR/);
    });

    it('takes the currency of a quote without a deal from the request or the price book, and checks them against each other', () => {
      given(quoteDecider)
        .when(create({ currency: 'usd' }, null, null))
        .then(([event]) => expect(event.data).toMatchObject({ currency: 'USD', dealId: null }));
      given(quoteDecider)
        .when(create({ lines: [{ lineId: 'l1', productId: 'p1' }] }, usBook, null))
        .then(([event]) => expect(event.data).toMatchObject({ currency: 'USD', totals: { grandTotal: '48.40' } }));
      given(quoteDecider).when(create({ currency: 'EUR' }, usBook, null)).thenThrows(DomainError, /Currency mismatch/);
      given(quoteDecider).when(create({}, null, null)).thenThrows(DomainError, /needs a currency/);
      given(quoteDecider).when(create({ currency: 'EURO' }, null, null)).thenThrows(DomainError, /currency/);
    });

    it('needs a price for every line: its own, or the price book one', () => {
      given(quoteDecider).when(create({ lines: [{ lineId: 'l1', productId: 'p1' }] })).thenThrows(DomainError, /lines\[0\]\.unitPrice/);
      given(quoteDecider).when(create({ lines: [{ lineId: 'l1', name: 'Consulting' }] }, euBook)).thenThrows(DomainError, /lines\[0\]\.unitPrice/);
      given(quoteDecider)
        .when(create({ lines: [{ lineId: 'l1', productId: 'p1', unitPrice: '30' }] }, euBook))
        .then(([event]) => expect(event.data).toMatchObject({ lines: [{ unitPrice: '30.00' }] }));
    });

    it('refuses unknown or unsellable products, missing names, bad quantities, percentages and prices', () => {
      const line = (overrides: object) => create({ lines: [{ lineId: 'l1', unitPrice: '1', name: 'X', ...overrides }] });
      given(quoteDecider).when(line({ productId: 'nope' })).thenThrows(DomainError, /lines\[0\]\.productId/);
      given(quoteDecider).when(line({ productId: 'p2' })).thenThrows(DomainError, /lines\[0\]\.productId/);
      given(quoteDecider).when(line({ name: ' ' })).thenThrows(DomainError, /lines\[0\]\.name/);
      given(quoteDecider).when(line({ quantity: '0' })).thenThrows(DomainError, /lines\[0\]\.quantity/);
      given(quoteDecider).when(line({ quantity: '-1' })).thenThrows(DomainError, /lines\[0\]\.quantity/);
      given(quoteDecider).when(line({ discountPercent: '100.01' })).thenThrows(DomainError, /lines\[0\]\.discountPercent/);
      given(quoteDecider).when(line({ taxPercent: 'abc' })).thenThrows(DomainError, /lines\[0\]\.taxPercent/);
      given(quoteDecider).when(line({ unitPrice: '1e3' })).thenThrows(DomainError, /lines\[0\]\.unitPrice/);
      given(quoteDecider).when(line({ unitPrice: '0.0000001' })).thenThrows(DomainError, /lines\[0\]\.unitPrice/);
      given(quoteDecider).when(create({ lines: [] })).thenThrows(DomainError, /at least one line/);
      given(quoteDecider)
        .when(create({ lines: [{ lineId: 'l1', name: 'A', unitPrice: '1' }, { lineId: 'l1', name: 'B', unitPrice: '1' }] }))
        .thenThrows(DomainError, /lines\[1\]\.lineId/);
    });

    it('refuses an archived price book', () => {
      given(quoteDecider).when(create({}, { ...euBook, archived: true })).thenThrows(DomainError, /archived/);
    });

    it('ends a date validity at the end of that day in the time zone; refuses a validity in the past', () => {
      given(quoteDecider)
        .when(create({ validUntil: '2026-12-31', timeZone: 'Europe/Vilnius' }))
        .then(([event]) => expect(event.data).toMatchObject({ validUntil: '2026-12-31', timeZone: 'Europe/Vilnius', expiresAt: '2026-12-31T22:00:00.000Z' }));
      given(quoteDecider)
        .when(create({ validUntil: '2026-11-23T12:30:00+02:00' }))
        .then(([event]) => expect(event.data).toMatchObject({ expiresAt: '2026-11-23T10:30:00.000Z' }));
      given(quoteDecider).when(create({ validUntil: '2026-11-22' })).thenThrows(DomainError, /validUntil: must lie in the future/);
      given(quoteDecider).when(create({ validUntil: '2026-02-30' })).thenThrows(DomainError, /validUntil/);
      given(quoteDecider).when(create({ validUntil: 'soon' })).thenThrows(DomainError, /validUntil/);
      given(quoteDecider).when(create({ validUntil: '2026-12-31', timeZone: 'Mars/Base' })).thenThrows(DomainError, /timeZone/);
    });

    it("addresses a deal's quote to the deal's contact and company only", () => {
      given(quoteDecider).when(create({ contactId: 'c9' })).thenThrows(DomainError, /contactId/);
      given(quoteDecider)
        .when(create({ currency: 'EUR', contactId: 'c9' }, null, null))
        .then(([event]) => expect(event.data).toMatchObject({ contactId: 'c9', companyId: null }));
    });

    it('creates a quote once', () => {
      given(quoteDecider, [created()]).when(create()).thenThrows(DomainError, /already exists/);
    });
  });

  describe('revising', () => {
    it('revises a draft: only the changed fields, a new version, lines and totals together', () => {
      given(quoteDecider, [created()])
        .when({ type: 'ReviseQuote', now: NOW, catalog: catalog(), input: { title: 'Renewal', lines: [{ lineId: 'l1', name: 'Widget', unitPrice: '0.1' }, { lineId: 'l2', name: 'Gadget', unitPrice: '0.2' }] } })
        .then(([event]) => {
          expect(event).toMatchObject({ type: 'QuoteRevised', data: { quoteId: 'q1', version: 2, title: 'Renewal', totals: { grandTotal: '0.30' } } });
          expect(Object.keys(event.data).sort()).toEqual(['lines', 'quoteId', 'title', 'totals', 'version']);
        });
    });

    it('changes nothing when nothing differs', () => {
      given(quoteDecider, [created()]).when({ type: 'ReviseQuote', now: NOW, catalog: catalog(), input: { validUntil: '2026-12-31' } }).thenNothingHappens();
    });

    it('keeps the currency and checks a new price book against it', () => {
      given(quoteDecider, [created()]).when({ type: 'ReviseQuote', now: NOW, catalog: catalog(), input: { currency: 'USD' } }).thenThrows(DomainError, /Currency mismatch/);
      given(quoteDecider, [created()]).when({ type: 'ReviseQuote', now: NOW, catalog: catalog(usBook), input: { priceBookId: 'b2' } }).thenThrows(DomainError, /Currency mismatch/);
      given(quoteDecider, [created()])
        .when({ type: 'ReviseQuote', now: NOW, catalog: catalog(euBook), input: { priceBookId: 'b1' } })
        .then([{ type: 'QuoteRevised', data: { quoteId: 'q1', version: 2, priceBookId: 'b1' } }]);
    });

    it('revises only a draft', () => {
      given(quoteDecider, [created(), sent]).when({ type: 'ReviseQuote', now: LATER, catalog: catalog(), input: { title: 'x' } }).thenThrows(DomainError, /only a draft can be revised/);
    });
  });

  describe('lifecycle', () => {
    it('sends a draft once, within its validity', () => {
      given(quoteDecider, [created()]).when({ type: 'SendQuote', now: LATER }).then([{ type: 'QuoteSent', data: { quoteId: 'q1', sentAt: LATER, expiresAt: '2027-01-01T00:00:00.000Z' } }]);
      given(quoteDecider, [created(), sent]).when({ type: 'SendQuote', now: LATER }).thenThrows(DomainError, /only a draft can be sent/);
      given(quoteDecider, [created()]).when({ type: 'SendQuote', now: AFTER_EXPIRY }).thenThrows(DomainError, /revise its validity/);
    });

    it('accepts a sent quote, naming the order it creates', () => {
      given(quoteDecider, [created(), sent]).when({ type: 'AcceptQuote', now: LATER, orderId: 'o1' }).then([accepted]);
    });

    it('accepts a quote once', () => {
      const error = given(quoteDecider, [created(), sent, accepted]).when({ type: 'AcceptQuote', now: LATER, orderId: 'o2' }).thenThrows(DomainError, /already accepted \(order o1\)/);
      expect((error as DomainError).kind).toBe('conflict');
    });

    it('refuses to accept a draft, a declined or an expired quote, or one whose validity has passed', () => {
      given(quoteDecider, [created()]).when({ type: 'AcceptQuote', now: LATER, orderId: 'o1' }).thenThrows(DomainError, /draft: only a sent quote can be accepted/);
      given(quoteDecider, [created(), sent, { type: 'QuoteDeclined', data: { quoteId: 'q1', reason: null, declinedAt: LATER } }])
        .when({ type: 'AcceptQuote', now: LATER, orderId: 'o1' })
        .thenThrows(DomainError, /declined/);
      given(quoteDecider, [created(), sent, expired]).when({ type: 'AcceptQuote', now: AFTER_EXPIRY, orderId: 'o1' }).thenThrows(DomainError, /expired/);
      // The timer has not fired yet, but the validity is over.
      given(quoteDecider, [created(), sent]).when({ type: 'AcceptQuote', now: AFTER_EXPIRY, orderId: 'o1' }).thenThrows(DomainError, /expired/);
    });

    it('declines a sent quote with an optional reason, and only a sent one', () => {
      given(quoteDecider, [created(), sent])
        .when({ type: 'DeclineQuote', now: LATER, reason: ' Too expensive ' })
        .then([{ type: 'QuoteDeclined', data: { quoteId: 'q1', reason: 'Too expensive', declinedAt: LATER } }]);
      given(quoteDecider, [created()]).when({ type: 'DeclineQuote', now: LATER }).thenThrows(DomainError, /only a sent quote can be declined/);
      given(quoteDecider, [created(), sent, accepted]).when({ type: 'DeclineQuote', now: LATER }).thenThrows(DomainError, /accepted/);
    });

    it('expires a sent quote once its validity has passed', () => {
      given(quoteDecider, [created(), sent]).when({ type: 'ExpireQuote', now: AFTER_EXPIRY, trigger: 'timer' }).then([expired]);
      given(quoteDecider, [created(), sent]).when({ type: 'ExpireQuote', now: AFTER_EXPIRY, trigger: 'request' }).then([expired]);
    });

    it('refuses to expire on request a quote still valid or not sent', () => {
      given(quoteDecider, [created(), sent]).when({ type: 'ExpireQuote', now: LATER, trigger: 'request' }).thenThrows(DomainError, /valid until/);
      given(quoteDecider, [created()]).when({ type: 'ExpireQuote', now: AFTER_EXPIRY, trigger: 'request' }).thenThrows(DomainError, /only a sent quote expires/);
      given(quoteDecider, [created(), sent, expired]).when({ type: 'ExpireQuote', now: AFTER_EXPIRY, trigger: 'request' }).thenNothingHappens();
    });

    it('lets an expiry timer fire exactly once in effect: repeated, late or early deliveries change nothing', () => {
      given(quoteDecider, [created(), sent, expired]).when({ type: 'ExpireQuote', now: AFTER_EXPIRY, trigger: 'timer' }).thenNothingHappens();
      given(quoteDecider, [created(), sent, accepted]).when({ type: 'ExpireQuote', now: AFTER_EXPIRY, trigger: 'timer' }).thenNothingHappens();
      given(quoteDecider, [created(), sent]).when({ type: 'ExpireQuote', now: LATER, trigger: 'timer' }).thenNothingHappens();
      given(quoteDecider).when({ type: 'ExpireQuote', now: AFTER_EXPIRY, trigger: 'timer' }).thenNothingHappens();
    });

    it('does not know quotes that were never created', () => {
      given(quoteDecider).when({ type: 'SendQuote', now: NOW }).thenThrows(DomainError, /Quote not found/);
    });

    it('folds the lifecycle into the state', () => {
      const state = given(quoteDecider, [created(), sent]).when({ type: 'AcceptQuote', now: LATER, orderId: 'o1' }).then([accepted]);
      expect(state).toMatchObject({ status: 'accepted', orderId: 'o1', acceptedAt: LATER, sentAt: LATER, version: 1 });
    });
  });
});

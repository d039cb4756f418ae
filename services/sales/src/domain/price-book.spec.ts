import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { priceBookDecider, type PriceBookEvent } from './price-book';

const created: PriceBookEvent = { type: 'PriceBookCreated', data: { priceBookId: 'b1', name: 'EU 2026', currency: 'EUR', description: null } };
const priced: PriceBookEvent = { type: 'PriceBookEntrySet', data: { priceBookId: 'b1', productId: 'p1', unitPrice: '12.50', previousUnitPrice: null } };
const sellable = { exists: true, sellable: true };

describe('price book decider', () => {
  it('creates a book in one ISO 4217 currency', () => {
    given(priceBookDecider).when({ type: 'CreatePriceBook', priceBookId: 'b1', input: { name: 'EU 2026', currency: 'eur' } }).then([created]);
    given(priceBookDecider).when({ type: 'CreatePriceBook', priceBookId: 'b1', input: { name: 'EU 2026', currency: 'EUX' } }).thenThrows(DomainError, /currency/);
    given(priceBookDecider).when({ type: 'CreatePriceBook', priceBookId: 'b1', input: { name: '', currency: 'EUR' } }).thenThrows(DomainError, /name/);
  });

  it("keeps the book's currency fixed", () => {
    given(priceBookDecider, [created]).when({ type: 'UpdatePriceBook', input: { currency: 'USD' } }).thenThrows(DomainError, /currency is fixed/);
    given(priceBookDecider, [created]).when({ type: 'UpdatePriceBook', input: { currency: 'EUR', name: 'EU 2027' } }).then([{ type: 'PriceBookChanged', data: { priceBookId: 'b1', name: 'EU 2027' } }]);
  });

  it('sets an exact price in the currency, written with at least its minor units', () => {
    given(priceBookDecider, [created]).when({ type: 'SetPriceBookEntry', productId: 'p1', unitPrice: '12.5', product: sellable }).then([priced]);
    given(priceBookDecider, [created])
      .when({ type: 'SetPriceBookEntry', productId: 'p1', unitPrice: '0.0125', currency: 'EUR', product: sellable })
      .then([{ type: 'PriceBookEntrySet', data: { priceBookId: 'b1', productId: 'p1', unitPrice: '0.0125', previousUnitPrice: null } }]);
  });

  it('records the previous price when it changes, and nothing when it does not', () => {
    given(priceBookDecider, [created, priced])
      .when({ type: 'SetPriceBookEntry', productId: 'p1', unitPrice: '13', product: sellable })
      .then([{ type: 'PriceBookEntrySet', data: { priceBookId: 'b1', productId: 'p1', unitPrice: '13.00', previousUnitPrice: '12.50' } }]);
    given(priceBookDecider, [created, priced]).when({ type: 'SetPriceBookEntry', productId: 'p1', unitPrice: '12.500', product: sellable }).thenNothingHappens();
  });

  it("refuses prices in another currency than the book's", () => {
    given(priceBookDecider, [created]).when({ type: 'SetPriceBookEntry', productId: 'p1', unitPrice: '12.5', currency: 'USD', product: sellable }).thenThrows(DomainError, /Currency mismatch/);
  });

  it('refuses negative, malformed or too precise prices, and unknown or unsellable products', () => {
    for (const unitPrice of ['-1', '12,50', '1e2', '0.0000001', '']) {
      given(priceBookDecider, [created]).when({ type: 'SetPriceBookEntry', productId: 'p1', unitPrice, product: sellable }).thenThrows(DomainError, /unitPrice/);
    }
    given(priceBookDecider, [created]).when({ type: 'SetPriceBookEntry', productId: 'p1', unitPrice: '1', product: { exists: false, sellable: false } }).thenThrows(DomainError, /Product not found/);
    given(priceBookDecider, [created]).when({ type: 'SetPriceBookEntry', productId: 'p1', unitPrice: '1', product: { exists: true, sellable: false } }).thenThrows(DomainError, /archived or inactive/);
  });

  it('removes an entry, and removing a missing one changes nothing', () => {
    given(priceBookDecider, [created, priced])
      .when({ type: 'RemovePriceBookEntry', productId: 'p1' })
      .then([{ type: 'PriceBookEntryRemoved', data: { priceBookId: 'b1', productId: 'p1', previousUnitPrice: '12.50' } }]);
    given(priceBookDecider, [created]).when({ type: 'RemovePriceBookEntry', productId: 'p1' }).thenNothingHappens();
  });

  it('freezes the prices of an archived book', () => {
    const archived: PriceBookEvent = { type: 'PriceBookArchived', data: { priceBookId: 'b1' } };
    given(priceBookDecider, [created, archived]).when({ type: 'SetPriceBookEntry', productId: 'p1', unitPrice: '1', product: sellable }).thenThrows(DomainError, /archived/);
    given(priceBookDecider, [created, archived]).when({ type: 'RestorePriceBook' }).then([{ type: 'PriceBookRestored', data: { priceBookId: 'b1' } }]);
  });
});

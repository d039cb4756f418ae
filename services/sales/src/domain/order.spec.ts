import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { type AcceptedQuote, orderDecider, orderNumberFor } from './order';

const quote: AcceptedQuote = {
  quoteId: 'q1',
  quoteNumber: 'Q-2026-00042',
  quoteVersion: 2,
  dealId: 'd1',
  contactId: 'c1',
  companyId: null,
  currency: 'EUR',
  lines: [],
  totals: { subtotal: '1.00', discountTotal: '0.00', netTotal: '1.00', taxTotal: '0.00', taxes: [], grandTotal: '1.00' },
  acceptedAt: '2026-11-23T10:00:00.000Z',
};

describe('order decider', () => {
  it("places the order with the accepted quote's lines and totals", () => {
    given(orderDecider)
      .when({ type: 'PlaceOrder', orderId: 'o1', quote, now: '2026-11-23T10:00:01.000Z' })
      .then([{ type: 'OrderPlaced', data: { orderId: 'o1', number: 'SO-2026-00042', ...quote, placedAt: '2026-11-23T10:00:01.000Z' } }]);
  });

  it('places the order of a quote once: a retry changes nothing', () => {
    const placed = given(orderDecider).when({ type: 'PlaceOrder', orderId: 'o1', quote, now: 'now' }).then(() => undefined);
    expect(placed).toMatchObject({ status: 'placed', quoteId: 'q1' });
    const history = orderDecider.decide({ type: 'PlaceOrder', orderId: 'o1', quote, now: 'now' }, orderDecider.initialState());
    given(orderDecider, history).when({ type: 'PlaceOrder', orderId: 'o1', quote, now: 'later' }).thenNothingHappens();
    given(orderDecider, history).when({ type: 'PlaceOrder', orderId: 'o1', quote: { ...quote, quoteId: 'q2' }, now: 'later' }).thenThrows(DomainError, /another quote/);
  });

  it('numbers the order after its quote', () => {
    expect(orderNumberFor('Q-2027-00001')).toBe('SO-2027-00001');
  });
});

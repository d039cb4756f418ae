import { type Decider, DomainError } from '@crm/decider';
import type { QuoteLine } from './quote';
import type { QuoteTotals } from './quote-totals';

export type OrderStatus = 'placed';

/** What an order copies from the accepted quote: the lines and totals exactly as the customer accepted them. */
export interface AcceptedQuote {
  quoteId: string;
  quoteNumber: string;
  quoteVersion: number;
  dealId: string | null;
  contactId: string | null;
  companyId: string | null;
  currency: string;
  lines: QuoteLine[];
  totals: QuoteTotals;
  acceptedAt: string;
}

export interface OrderPlacedData extends AcceptedQuote {
  orderId: string;
  number: string;
  placedAt: string;
}

export interface OrderState extends Omit<OrderPlacedData, 'orderId'> {
  id: string | null;
  lifecycle: 'absent' | 'active';
  status: OrderStatus;
}

/** Placed by the quote's acceptance: by the request that accepted it, and again by a timer if that request died half-way. */
export type OrderCommand = { type: 'PlaceOrder'; orderId: string; quote: AcceptedQuote; now: string };

export type OrderEvent = { type: 'OrderPlaced'; data: OrderPlacedData };

export const ORDER_EVENT_TYPES = ['OrderPlaced'] as const;

/** The order of quote Q-2026-00042 is SO-2026-00042: one order per quote, so the numbers match. */
export const orderNumberFor = (quoteNumber: string): string => `SO-${quoteNumber.replace(/^Q-/, '')}`;

const blankState = (): OrderState => ({
  id: null,
  lifecycle: 'absent',
  status: 'placed',
  number: '',
  quoteId: '',
  quoteNumber: '',
  quoteVersion: 0,
  dealId: null,
  contactId: null,
  companyId: null,
  currency: '',
  lines: [],
  totals: { subtotal: '0', discountTotal: '0', netTotal: '0', taxTotal: '0', taxes: [], grandTotal: '0' },
  acceptedAt: '',
  placedAt: '',
});

export const orderDecider: Decider<OrderCommand, OrderState, OrderEvent> = {
  initialState: blankState,
  decide(command, state) {
    if (state.lifecycle !== 'absent') {
      // Placing the order of the same quote again is the retry it looks like.
      if (state.quoteId === command.quote.quoteId) return [];
      throw new DomainError('conflict', `Order ${command.orderId} already exists for another quote`);
    }
    return [
      {
        type: 'OrderPlaced',
        data: { orderId: command.orderId, number: orderNumberFor(command.quote.quoteNumber), ...command.quote, placedAt: command.now },
      },
    ];
  },
  evolve(state, event) {
    if (event.type !== 'OrderPlaced') return state;
    const { orderId, ...fields } = event.data;
    return { ...fields, id: orderId, lifecycle: 'active', status: 'placed' };
  },
};

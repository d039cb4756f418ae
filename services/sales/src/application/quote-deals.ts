import { EventSourcedCommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import { type DealCommand, dealDecider, type DealEvent, type DealLineItem, type DealState } from '../domain/deal';
import type { DealRef } from '../domain/quote';
import { dealStream } from '../domain/streams';

export interface QuotableDeal {
  ref: DealRef;
  title: string;
  lineItems: DealLineItem[];
}

/**
 * What quotes need of a deal, read from the deal's own stream with the deals decider: always current
 * (no read model lag), and without depending on the deals feature's services.
 */
export class QuoteDeals {
  private readonly deals: EventSourcedCommandHandler<DealCommand, DealState, DealEvent>;

  constructor(store: EventStore) {
    this.deals = new EventSourcedCommandHandler(store, dealDecider);
  }

  /** The deal, or null when the tenant has no such deal (never created, or deleted). */
  async find(tenantId: string, dealId: string): Promise<QuotableDeal | null> {
    const { state } = await this.deals.load(dealStream(tenantId, dealId));
    if (state.lifecycle !== 'active' || !state.id) return null;
    return {
      ref: { dealId: state.id, currency: state.currency, contactId: state.contactId, companyId: state.companyId },
      title: state.title,
      lineItems: state.lineItems,
    };
  }
}

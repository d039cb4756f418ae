import { type CommandContext, eventMetadataFor, newEventId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import { formatQuoteNumber } from '../domain/quote';

/** One counter stream per tenant and year. */
export const quoteNumberStream = (tenantId: string, year: number): string => `${tenantId}.quotenumber-${year}`;

/**
 * Hands out quote numbers. The sequence is the revision the store gives the append: appends to one stream
 * are serialised by the store, so concurrent quotes get distinct numbers without reading the counter's
 * history (which grows by one event per quote). A quote whose creation fails after this leaves a gap,
 * as a torn-up paper form would.
 */
export class QuoteNumbers {
  constructor(private readonly store: EventStore) {}

  async allocate(context: CommandContext, quoteId: string, now: Date): Promise<string> {
    const year = now.getUTCFullYear();
    const result = await this.store.append(
      quoteNumberStream(context.tenantId, year),
      [{ eventId: newEventId(), type: 'QuoteNumberAllocated', data: { quoteId }, metadata: eventMetadataFor(context, now.toISOString(), 1) }],
      'any',
    );
    return formatQuoteNumber(year, result.nextExpectedRevision + 1);
  }
}

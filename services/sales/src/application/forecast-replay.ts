import type { EventStore, RecordedEvent } from '@crm/eventstore';
import { dealDecider, type DealEvent, type DealState } from '../domain/deal';
import { type DealFacts, dealFactsFromState, type Forecast, forecastFrom } from '../domain/forecast';
import type { ForecastSelection } from './forecast.service';

const PAGE = 1000;

/**
 * The forecast computed the slow, obvious way: every deal stream of the tenant read up to `asOf`
 * (events with occurredAt ≤ asOf, as `readStream` with `untilTime` reads them) and folded by the deal
 * decider. It reads the whole log, so it is not for requests: it is the reference the deal_versions
 * read model is checked against (tests, and a consistency check after a projection change).
 */
export async function forecastByFoldingStreams(eventStore: EventStore, tenantId: string, selection: ForecastSelection): Promise<Forecast> {
  const { period, asOf, ...options } = selection;
  const until = asOf === undefined ? Number.POSITIVE_INFINITY : Date.parse(asOf);
  const deals = new Map<string, { state: DealState; last: RecordedEvent }>();
  for (let after = -1; ; ) {
    const page = await eventStore.readAll({ afterPosition: after, filter: { streamNamePrefixes: [`${tenantId}.deal-`] }, maxCount: PAGE });
    for (const event of page) {
      if (Date.parse(event.metadata.occurredAt) > until) continue;
      const folded = deals.get(event.streamName);
      const state = dealDecider.evolve(folded?.state ?? dealDecider.initialState(), { type: event.type, data: event.data } as DealEvent);
      deals.set(event.streamName, { state, last: event });
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.position;
  }
  const facts: DealFacts[] = [];
  for (const { state, last } of deals.values()) {
    const fact = dealFactsFromState(state, { tenantId, revision: last.revision, occurredAt: last.metadata.occurredAt });
    if (fact) facts.push(fact);
  }
  return forecastFrom(facts, period, asOf, options);
}

import type { RecordedEvent } from '@crm/eventstore';
import type { BulkOperation, IndexSpec, Projection, ReadStore } from '@crm/readstore';
import { DEAL_VERSIONS_COLLECTION, type DealVersionDocument, dealVersionId, factsOf } from '../application/forecast-read-models';
import { type DealFacts, evolveDealFacts, FORECAST_DEAL_EVENT_TYPES, type ForecastDealEvent, isForecastDealEvent } from '../domain/forecast';
import { parseStreamName } from '../domain/streams';

export const DEAL_VERSIONS_PROJECTION = 'sales.deal-versions.v1';

export const DEAL_VERSIONS_INDEXES: Record<string, IndexSpec[]> = {
  [DEAL_VERSIONS_COLLECTION]: [
    // The latest version of a deal, to fold the next event into.
    { keys: { tenantId: 1, dealId: 1, revision: -1 } },
    // Forecast queries: the versions valid at an instant (current ones have validTo null) closing or closed in a period.
    { keys: { tenantId: 1, validTo: 1, expectedCloseDate: 1 } },
    { keys: { tenantId: 1, validTo: 1, closedOn: 1 } },
  ],
};

interface DealEvents {
  tenantId: string;
  dealId: string;
  events: RecordedEvent[];
}

/**
 * Applies deal events to the deal_versions read model: each forecast-relevant event adds the version
 * of the deal's facts it starts (validFrom = its occurredAt) and closes the previous version (validTo).
 * Idempotent: an event whose revision the deal already has a version for is skipped, and the writes of
 * one deal go in revision order (previous version's validTo first), so a replay after a crash part-way
 * completes what is missing.
 */
export async function applyDealVersions(events: RecordedEvent[], store: ReadStore): Promise<void> {
  const byDeal = new Map<string, DealEvents>();
  for (const event of events) {
    const stream = parseStreamName(event.streamName);
    if (!stream || stream.kind !== 'deal' || !isForecastDealEvent(event)) continue;
    const key = `${stream.tenantId}:${stream.id}`;
    let entry = byDeal.get(key);
    if (!entry) byDeal.set(key, (entry = { tenantId: stream.tenantId, dealId: stream.id, events: [] }));
    entry.events.push(event);
  }
  if (byDeal.size === 0) return;
  const versions = store.collection<DealVersionDocument>(DEAL_VERSIONS_COLLECTION);
  const writes: BulkOperation<DealVersionDocument>[] = [];
  for (const { tenantId, dealId, events: dealEvents } of byDeal.values()) {
    const [latest] = await versions.find({ tenantId, dealId }, { sort: { revision: -1 }, limit: 1 });
    let current: DealFacts | null = latest ? factsOf(latest) : null;
    let previousId = latest?._id;
    for (const event of dealEvents) {
      if (latest && event.revision <= latest.revision) continue; // applied before
      const next = evolveDealFacts(current, { type: event.type, data: event.data } as ForecastDealEvent, {
        tenantId,
        revision: event.revision,
        occurredAt: event.metadata.occurredAt,
      });
      if (!next || next === current) continue;
      if (previousId) writes.push({ updateOne: { filter: { _id: previousId }, update: { $set: { validTo: next.validFrom } } } });
      const id = dealVersionId(tenantId, dealId, event.revision);
      writes.push({ replaceOne: { filter: { _id: id }, replacement: { ...next, _id: id, validTo: null, _position: event.position }, upsert: true } });
      current = next;
      previousId = id;
    }
  }
  if (writes.length > 0) await versions.bulkWrite(writes);
}

export const dealVersionsProjection: Projection = {
  name: DEAL_VERSIONS_PROJECTION,
  filter: { eventTypes: [...FORECAST_DEAL_EVENT_TYPES] },
  indexes: DEAL_VERSIONS_INDEXES,
  apply: (event, store) => applyDealVersions([event], store),
  applyBatch: applyDealVersions,
};

import type { RecordedEvent } from '@crm/eventstore';
import type { IndexSpec, Projection, ReadStore } from '@crm/readstore';
import type { DurableTimerSet } from '@crm/runtime';
import { LEAD_EVENT_TYPES, leadDecider, type LeadEvent } from '../domain/lead';
import { parseStreamName } from '../domain/streams';
import { type LeadDocument, leadDocumentId, LEADS_COLLECTION, leadSearchKeys } from '../application/lead-read-model';

export const LEADS_PROJECTION = 'sales.leads.v1';

/** Names the durable timer that keeps a lead's conversion saga going until it ends. */
export const conversionTimerKey = (tenantId: string, leadId: string): string => `${tenantId}:lead:${leadId}:conversion`;

const LEAD_INDEXES: IndexSpec[] = [
  { keys: { tenantId: 1, createdAt: -1 } },
  { keys: { tenantId: 1, status: 1, createdAt: -1 } },
  { keys: { tenantId: 1, ownerId: 1, createdAt: -1 } },
  { keys: { tenantId: 1, source: 1, createdAt: -1 } },
  { keys: { tenantId: 1, campaignId: 1, createdAt: -1 } },
  { keys: { searchKeys: 1 } },
];

const leadEventTypes = new Set<string>(LEAD_EVENT_TYPES);

function nextDocument(current: LeadDocument | undefined, event: RecordedEvent, tenantId: string, leadId: string): LeadDocument {
  const state = leadDecider.evolve(current?.state ?? leadDecider.initialState(), { type: event.type, data: event.data } as LeadEvent);
  const occurredAt = event.metadata.occurredAt;
  let conversionRequestedAt = current?.conversionRequestedAt ?? null;
  let conversionCompletedAt = current?.conversionCompletedAt ?? null;
  if (event.type === 'LeadConversionRequested') {
    conversionRequestedAt = occurredAt;
    conversionCompletedAt = null;
  } else if (event.type === 'LeadConverted' || event.type === 'LeadConversionFailed') {
    conversionCompletedAt = occurredAt;
  }
  return {
    _id: leadDocumentId(tenantId, leadId),
    _position: event.position,
    tenantId,
    id: leadId,
    revision: event.revision,
    state,
    status: state.status,
    ownerId: state.ownerId,
    source: state.source,
    campaignId: state.campaignId,
    searchKeys: leadSearchKeys(state),
    createdAt: current?.createdAt ?? occurredAt,
    updatedAt: occurredAt,
    conversionRequestedAt,
    conversionCompletedAt,
  };
}

/**
 * The lead list, and the timers of conversions under way: a conversion asked for schedules a timer at
 * once, which runs the saga's next step until the conversion ends (then the timer is cancelled). The
 * timers come from the events, so a rebuild re-creates those of conversions still under way.
 */
export function leadsProjection(conversionTimers: DurableTimerSet): Projection {
  const apply = async (events: RecordedEvent[], store: ReadStore): Promise<void> => {
    const collection = store.collection<LeadDocument>(LEADS_COLLECTION);
    const leadEvents = events.filter((event) => leadEventTypes.has(event.type) && parseStreamName(event.streamName)?.kind === 'lead');
    if (leadEvents.length === 0) return;
    const touched = new Map<string, LeadDocument | undefined>();
    for (const document of await collection.find({ _id: { $in: [...new Set(leadEvents.map((event) => leadIdOf(event)))] } })) touched.set(document._id, document);
    const changed = new Set<string>();
    for (const event of leadEvents) {
      const { tenantId, id: leadId } = parseStreamName(event.streamName)!;
      const documentId = leadDocumentId(tenantId, leadId);
      const current = touched.get(documentId);
      if (current && current._position >= event.position) continue;
      touched.set(documentId, nextDocument(current, event, tenantId, leadId));
      changed.add(documentId);
      if (event.type === 'LeadConversionRequested') {
        await conversionTimers.schedule(store, { key: conversionTimerKey(tenantId, leadId), tenantId, dueAt: event.metadata.occurredAt, payload: { leadId } }, event.position);
      } else if (event.type === 'LeadConverted' || event.type === 'LeadConversionFailed') {
        await conversionTimers.cancel(store, conversionTimerKey(tenantId, leadId), event.position);
      }
    }
    if (changed.size === 0) return;
    await collection.bulkWrite([...changed].map((id) => ({ replaceOne: { filter: { _id: id }, replacement: touched.get(id)!, upsert: true } })));
  };
  return {
    name: LEADS_PROJECTION,
    indexes: { [LEADS_COLLECTION]: LEAD_INDEXES, [conversionTimers.collectionName]: conversionTimers.indexes },
    apply: (event, store) => apply([event], store),
    applyBatch: apply,
  };
}

function leadIdOf(event: RecordedEvent): string {
  const { tenantId, id } = parseStreamName(event.streamName)!;
  return leadDocumentId(tenantId, id);
}

import type { RecordedEvent } from '@crm/eventstore';
import type { BulkOperation, Collection, IndexSpec, ReadStore } from '@crm/readstore';
import { toHistory } from '../application/record-loader';
import {
  CONTACT_HANDLES_COLLECTION,
  type ContactHandlesDocument,
  TIMELINE_COLLECTION,
  type TimelineDocument,
  type TimelineEntry,
} from '../application/timeline';
import { CONTACT_FIELDS_BY_EVENT, type ContactEvent } from '../domain/contact';
import type { InteractionRecorded } from '../domain/interaction';
import { parseStreamName } from '../domain/streams';
import { CONTACT_SOURCE, type ExternalTimelineEntryAdded, INTERACTION_SOURCE } from '../domain/timeline';

export const TIMELINE_PROJECTION = 'contacts-timeline.v1';

export const TIMELINE_INDEXES: Record<string, IndexSpec[]> = {
  // One contact's entries in time order, either way: the only query the timeline makes.
  [TIMELINE_COLLECTION]: [{ keys: { tenantId: 1, contactId: 1, occurredAt: -1 } }],
  // Handles hold arrays: a single-path index gets the element table that serves `$in` on them.
  [CONTACT_HANDLES_COLLECTION]: [{ keys: { handles: 1 } }],
};

type Metadata = Pick<TimelineEntry, 'recordedAt' | 'actorId' | 'correlationId' | 'causationId'>;

const metadataOf = (event: RecordedEvent): Metadata => ({
  recordedAt: event.metadata.occurredAt,
  actorId: event.metadata.actorId,
  correlationId: event.metadata.correlationId,
  causationId: event.metadata.causationId,
});

/**
 * `_id` orders entries of the same instant: history entries by revision (zero-padded, so that the
 * several events of one command keep their order), others by their own time-ordered ids.
 */
function document(tenantId: string, contactId: string, sortKey: string, entry: Omit<TimelineEntry, 'contactId'>): TimelineDocument {
  return { _id: `${tenantId}:${contactId}:${sortKey}`, tenantId, contactId, ...entry } as TimelineDocument;
}

function historyEntry(tenantId: string, contactId: string, event: RecordedEvent): TimelineDocument {
  const [history] = toHistory([event], CONTACT_FIELDS_BY_EVENT, 'contactId');
  return document(tenantId, contactId, `contact:${String(event.revision).padStart(12, '0')}`, {
    id: `${CONTACT_SOURCE}:${event.revision}`,
    source: CONTACT_SOURCE,
    type: event.type,
    occurredAt: event.metadata.occurredAt,
    ...metadataOf(event),
    summary: null,
    revision: history.revision,
    changedFields: history.changedFields,
    data: history.data,
  });
}

/** Timeline pages stay small whatever was pasted into an email: the whole body is one GET away. */
const BODY_PREVIEW_LENGTH = 2000;

/** One entry on the timeline of the contact it was recorded on, and one on each linked contact's. */
function interactionEntries(tenantId: string, event: RecordedEvent): TimelineDocument[] {
  const interaction = event.data as InteractionRecorded;
  const { interactionId, body, ...fields } = interaction;
  const summary = interaction.subject ?? body?.slice(0, 200) ?? null;
  const data = { ...fields, body: body?.slice(0, BODY_PREVIEW_LENGTH) ?? null, bodyTruncated: (body?.length ?? 0) > BODY_PREVIEW_LENGTH };
  return [interaction.contactId, ...interaction.linkedContactIds].map((contactId) =>
    document(tenantId, contactId, `interaction:${interactionId}`, {
      id: `${INTERACTION_SOURCE}:${interactionId}`,
      source: INTERACTION_SOURCE,
      type: interaction.kind,
      occurredAt: interaction.occurredAt,
      ...metadataOf(event),
      summary,
      data: { interactionId, ...data },
    }),
  );
}

function externalEntry(tenantId: string, event: RecordedEvent): TimelineDocument {
  const entry = event.data as ExternalTimelineEntryAdded;
  const id = `${entry.source}:${entry.sourceId}`;
  return document(tenantId, entry.contactId, id, {
    id,
    source: entry.source,
    type: entry.entryType,
    occurredAt: entry.occurredAt,
    ...metadataOf(event),
    summary: entry.summary,
    data: entry.data,
  });
}

// ---- contact handles ----

const emailHandle = (address: string) => `email:${address}`;
const phoneHandle = (number: string) => `phone:${number}`;

/** The handles after one contact event, or undefined when the event does not touch them. */
function nextHandles(handles: string[], event: ContactEvent): { handles: string[]; deleted: boolean } | undefined {
  const without = (handle: string) => handles.filter((existing) => existing !== handle);
  const withAdded = (handle: string) => (handles.includes(handle) ? handles : [...handles, handle]);
  switch (event.type) {
    case 'ContactCreated':
      return { handles: [...event.data.emails.map((email) => emailHandle(email.address)), ...event.data.phones.map((phone) => phoneHandle(phone.number))], deleted: false };
    case 'ContactEmailAdded':
      return { handles: withAdded(emailHandle(event.data.address)), deleted: false };
    case 'ContactEmailRemoved':
      return { handles: without(emailHandle(event.data.address)), deleted: false };
    case 'ContactPhoneAdded':
      return { handles: withAdded(phoneHandle(event.data.number)), deleted: false };
    case 'ContactPhoneRemoved':
      return { handles: without(phoneHandle(event.data.number)), deleted: false };
    case 'ContactDeleted':
      // A tombstone rather than a delete, so that a late redelivery cannot bring the handles back.
      return { handles: [], deleted: true };
    default:
      return undefined;
  }
}

const HANDLE_EVENTS = new Set(['ContactCreated', 'ContactEmailAdded', 'ContactEmailRemoved', 'ContactPhoneAdded', 'ContactPhoneRemoved', 'ContactDeleted']);

/** Folds the handle changes of a batch into the touched documents: one read, one bulk write. */
async function applyHandles(events: { tenantId: string; contactId: string; event: RecordedEvent }[], collection: Collection<ContactHandlesDocument>): Promise<void> {
  if (events.length === 0) return;
  const touched = new Map<string, ContactHandlesDocument | undefined>(events.map(({ tenantId, contactId }) => [`${tenantId}:${contactId}`, undefined]));
  for (const existing of await collection.find({ _id: { $in: [...touched.keys()] } })) touched.set(existing._id, existing);
  const changed = new Set<string>();
  for (const { tenantId, contactId, event } of events) {
    const id = `${tenantId}:${contactId}`;
    const current = touched.get(id);
    if (current && current._position >= event.position) continue;
    const next = nextHandles(current?.handles ?? [], { type: event.type, data: event.data } as ContactEvent);
    if (!next) continue;
    touched.set(id, { _id: id, tenantId, contactId, ...next, _position: event.position });
    changed.add(id);
  }
  if (changed.size === 0) return;
  await collection.bulkWrite([...changed].map((id) => ({ replaceOne: { filter: { _id: id }, replacement: touched.get(id)!, upsert: true } })));
}

/**
 * Applies events to the timelines and the participant handles. Timeline entries are written whole under
 * ids derived from their events, so applying an event again rewrites the same document; an erased
 * contact loses its whole timeline (its entries carry personal data), after what was batched before it.
 */
export async function applyTimelineBatch(events: RecordedEvent[], store: ReadStore): Promise<void> {
  const timeline = store.collection<TimelineDocument>(TIMELINE_COLLECTION);
  let pending: BulkOperation<TimelineDocument>[] = [];
  const flush = async () => {
    if (pending.length > 0) await timeline.bulkWrite(pending);
    pending = [];
  };
  const upsert = (entry: TimelineDocument) => pending.push({ replaceOne: { filter: { _id: entry._id }, replacement: entry, upsert: true } });
  const handleEvents: { tenantId: string; contactId: string; event: RecordedEvent }[] = [];

  for (const event of events) {
    const stream = parseStreamName(event.streamName);
    if (!stream) continue;
    switch (stream.kind) {
      case 'contact':
        if (HANDLE_EVENTS.has(event.type)) handleEvents.push({ tenantId: stream.tenantId, contactId: stream.id, event });
        if (event.type === 'ContactDeleted') {
          await flush();
          await timeline.deleteMany({ tenantId: stream.tenantId, contactId: stream.id });
        } else {
          upsert(historyEntry(stream.tenantId, stream.id, event));
        }
        break;
      case 'interaction':
        if (event.type === 'InteractionRecorded') interactionEntries(stream.tenantId, event).forEach(upsert);
        break;
      case 'timeline':
        if (event.type === 'ExternalTimelineEntryAdded') upsert(externalEntry(stream.tenantId, event));
        break;
    }
  }
  await flush();
  await applyHandles(handleEvents, store.collection<ContactHandlesDocument>(CONTACT_HANDLES_COLLECTION));
}

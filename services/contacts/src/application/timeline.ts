import { type CommandContext, deterministicId, eventMetadataFor, EventSourcedCommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import type { Document, Filter, ReadStore } from '@crm/readstore';
import { contactDecider } from '../domain/contact';
import { contactStream } from '../domain/streams';
import { type ExternalTimelineEntry, externalEntryAdded, timelineStream } from '../domain/timeline';
import { type ContactHandler, loadLiveContact } from './live-contact';
import type { ListResult } from './views';

/** Versioned collection names, as for the lists: a new projection version builds beside the old one. */
export const TIMELINE_COLLECTION = 'contact_timeline_v1';
export const CONTACT_HANDLES_COLLECTION = 'contact_handles_v1';

/**
 * The timeline projection's `ProjectionRunner` (the list projection owns the class token): how far it has
 * applied the log, for read-your-writes, and its rebuild.
 */
export const TIMELINE_RUNNER = Symbol('TIMELINE_RUNNER');

/** One entry of a contact's timeline, whatever its source. */
export interface TimelineEntry {
  /** Unique within the contact's timeline: `contact:<revision>`, `interaction:<id>` or `<source>:<sourceId>`. */
  id: string;
  contactId: string;
  /** `contact` (its own history), `interaction`, or the service another entry came from (`deals`…). */
  source: string;
  /** The event type for history (`ContactRenamed`), the kind for interactions (`call`), the source's type otherwise. */
  type: string;
  /** When it happened: the time of the change, or the time the interaction took place. */
  occurredAt: string;
  /** When this service recorded it. */
  recordedAt: string;
  actorId: string;
  correlationId: string;
  causationId: string;
  summary: string | null;
  /** History entries: the contact's revision and the fields it changed, as GET /history shows them. */
  revision?: number;
  changedFields?: string[];
  data: unknown;
}

/** `_id` is `<tenant>:<contact>:<sortable entry id>`; it also breaks ties between entries of the same instant. */
export type TimelineDocument = Document & TimelineEntry & { tenantId: string };

/** The ways to reach a contact (`email:<address>`, `phone:<E.164>`), to match interaction participants. */
export type ContactHandlesDocument = Document & {
  tenantId: string;
  contactId: string;
  handles: string[];
  deleted: boolean;
  _position: number;
};

export const TIMELINE_ORDERS = ['desc', 'asc'] as const;
export type TimelineOrder = (typeof TIMELINE_ORDERS)[number];

export interface TimelineQuery {
  order?: TimelineOrder;
  limit?: number;
  cursor?: string;
  source?: string;
}

export const DEFAULT_TIMELINE_LIMIT = 50;

function toEntry(document: TimelineDocument): TimelineEntry {
  const { _id, tenantId, ...entry } = document;
  return entry;
}

/** Reads contact timelines, and is the seam through which other services' events join them. */
export class TimelineService {
  private readonly contacts: ContactHandler;

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
  ) {
    this.contacts = new EventSourcedCommandHandler(store, contactDecider);
  }

  /** Newest first unless `order=asc`; pages are keyset-paginated, so a cursor stays valid while entries are added. */
  async page(tenantId: string, contactId: string, query: TimelineQuery): Promise<ListResult<TimelineEntry>> {
    const contact = await loadLiveContact(this.contacts, tenantId, contactId);
    // A survivor's timeline also shows the contacts merged into it; an unmerge takes them back out.
    const mergedFrom = Object.keys(contact.merge.from);
    const filter: Filter = { tenantId, contactId: mergedFrom.length ? { $in: [contactId, ...mergedFrom] } : contactId };
    if (query.source) filter.source = query.source;
    const direction = query.order === 'asc' ? 1 : -1;
    const page = await this.readStore.collection<TimelineDocument>(TIMELINE_COLLECTION).findPage(filter, {
      sort: { occurredAt: direction },
      limit: query.limit ?? DEFAULT_TIMELINE_LIMIT,
      cursor: query.cursor,
    });
    return { items: page.items.map(toEntry), nextCursor: page.nextCursor };
  }

  /**
   * Adds an entry from another service (a deal, a ticket, a campaign naming the contact) to the contact's
   * timeline. Meant for the consumer of that service's integration events: `context` carries the event's
   * tenant, actor, correlation and id (as causation), and the stored event's id derives from the entry's
   * source and sourceId, so a redelivered integration event adds nothing. A contact that does not exist
   * (or was erased) gets nothing: `added` is false and the caller acknowledges the message all the same.
   */
  async addExternalEntry(context: CommandContext, contactId: string, entry: ExternalTimelineEntry): Promise<{ added: boolean; position: number }> {
    const event = externalEntryAdded(contactId, entry);
    const { state } = await this.contacts.load(contactStream(context.tenantId, contactId));
    if (state.lifecycle === 'absent' || state.lifecycle === 'deleted') return { added: false, position: -1 };
    const result = await this.store.append(
      timelineStream(context.tenantId, contactId),
      [
        {
          eventId: deterministicId(`timeline:${context.tenantId}:${contactId}:${entry.source}:${entry.sourceId}`),
          type: event.type,
          data: event.data,
          metadata: eventMetadataFor(context, (context.now?.() ?? new Date()).toISOString(), 1),
        },
      ],
      // Nothing is decided from this stream's past, so any revision will do; the id makes retries no-ops.
      'any',
    );
    return { added: true, position: result.position };
  }
}

import { DomainError } from '@crm/decider';
import type { JsonValue } from './common';

/**
 * A contact's timeline merges three kinds of entries, told apart by `source`:
 * - `contact`: the contact's own domain events (its history);
 * - `interaction`: interactions recorded on the contact or naming it as a participant;
 * - anything else (`deals`, `tickets`, `campaigns`…): entries other services contribute, received as
 *   integration events and stored as `ExternalTimelineEntryAdded` in `<tenant>.timeline-<contactId>`,
 *   so that they live in this service's log and survive a rebuild of the timeline read model.
 */

export const CONTACT_SOURCE = 'contact';
export const INTERACTION_SOURCE = 'interaction';
const RESERVED_SOURCES = [CONTACT_SOURCE, INTERACTION_SOURCE];

export const timelineStream = (tenantId: string, contactId: string): string => `${tenantId}.timeline-${contactId}`;

const SOURCE_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;
const SOURCE_ID_PATTERN = /^[\w.:@-]{1,128}$/;
const ENTRY_TYPE_PATTERN = /^[A-Za-z][\w.-]{0,99}$/;
const MAX_SUMMARY_LENGTH = 500;
const MAX_DATA_BYTES = 16_384;

/** What another service tells about a contact, e.g. `{ source: 'deals', sourceId: <event id>, type: 'deal.won' }`. */
export interface ExternalTimelineEntry {
  source: string;
  /** Unique within the source (its integration event id): adding the same entry twice is a no-op. */
  sourceId: string;
  type: string;
  occurredAt: string;
  summary?: string | null;
  data?: JsonValue;
}

export interface ExternalTimelineEntryAdded {
  contactId: string;
  source: string;
  sourceId: string;
  entryType: string;
  occurredAt: string;
  summary: string | null;
  data: JsonValue;
}

export type TimelineEvent = { type: 'ExternalTimelineEntryAdded'; data: ExternalTimelineEntryAdded };

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

/** Checks an entry from another service and turns it into the event that stores it. */
export function externalEntryAdded(contactId: string, entry: ExternalTimelineEntry): TimelineEvent {
  if (!SOURCE_PATTERN.test(entry.source) || RESERVED_SOURCES.includes(entry.source)) {
    throw invalid('source', `a lower-case service name such as deals; ${RESERVED_SOURCES.join(' and ')} are this service's own`);
  }
  if (!SOURCE_ID_PATTERN.test(entry.sourceId)) throw invalid('sourceId', 'at most 128 letters, digits or _.:@-');
  if (!ENTRY_TYPE_PATTERN.test(entry.type)) throw invalid('type', 'a name such as deal.won');
  const time = Date.parse(entry.occurredAt);
  if (Number.isNaN(time)) throw invalid('occurredAt', 'must be an ISO-8601 instant');
  const summary = entry.summary?.trim() || null;
  if (summary && summary.length > MAX_SUMMARY_LENGTH) throw invalid('summary', `at most ${MAX_SUMMARY_LENGTH} characters`);
  const data = entry.data ?? null;
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_DATA_BYTES) throw invalid('data', `at most ${MAX_DATA_BYTES} bytes of JSON`);
  return {
    type: 'ExternalTimelineEntryAdded',
    data: { contactId, source: entry.source, sourceId: entry.sourceId, entryType: entry.type, occurredAt: new Date(time).toISOString(), summary, data },
  };
}

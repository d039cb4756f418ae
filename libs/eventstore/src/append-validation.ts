import { DuplicateEventIdError, type ExpectedRevision, type NewEvent, WrongExpectedRevisionError } from './event-store.port';

/**
 * Rejects malformed appends before they reach an adapter's write path, so that one bad append
 * cannot fail a whole group commit and every adapter refuses the same inputs.
 */
export function assertValidAppend(streamName: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): void {
  if (typeof streamName !== 'string' || streamName.length === 0) {
    throw new TypeError('Stream name must be a non-empty string');
  }
  if (!isExpectedRevision(expectedRevision)) {
    throw new TypeError(`Invalid expected revision ${String(expectedRevision)} for stream ${streamName}`);
  }
  const seenIds = new Set<string>();
  for (const event of events) {
    if (typeof event.eventId !== 'string' || event.eventId.length === 0) {
      throw new TypeError(`Every event appended to ${streamName} needs a non-empty eventId`);
    }
    if (seenIds.has(event.eventId)) throw new DuplicateEventIdError(event.eventId);
    seenIds.add(event.eventId);
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new TypeError(`Event ${event.eventId} needs a non-empty type`);
    }
    occurredAtMillis(event);
  }
}

function isExpectedRevision(value: unknown): value is ExpectedRevision {
  if (value === 'no_stream' || value === 'stream_exists' || value === 'any') return true;
  // -1 is accepted as "no stream yet", the revision a reader sees for a missing stream.
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= -1;
}

/** `occurredAt` as epoch milliseconds: ISO strings in different precisions do not compare correctly as text. */
export function occurredAtMillis(event: NewEvent): number {
  const millis = Date.parse(event.metadata?.occurredAt);
  if (Number.isNaN(millis)) {
    throw new TypeError(`Event ${event.eventId} needs metadata.occurredAt as an ISO-8601 instant`);
  }
  return millis;
}

export function untilTimeMillis(untilTime: string | undefined): number {
  if (untilTime === undefined) return Number.MAX_SAFE_INTEGER;
  const millis = Date.parse(untilTime);
  if (Number.isNaN(millis)) throw new TypeError(`untilTime ${untilTime} is not an ISO-8601 instant`);
  return millis;
}

/** Throws when `currentRevision` (-1: no stream) does not satisfy `expected`. */
export function assertExpectedRevision(streamName: string, expected: ExpectedRevision, currentRevision: number): void {
  const satisfied =
    expected === 'any' ||
    (expected === 'no_stream' && currentRevision === -1) ||
    (expected === 'stream_exists' && currentRevision >= 0) ||
    expected === currentRevision;
  if (!satisfied) throw new WrongExpectedRevisionError(streamName, expected, currentRevision);
}

/** Where a previously stored event stands, as needed to recognise an idempotent retry. */
export interface StoredEventPlace {
  eventId: string;
  streamName: string;
  revision: number;
  position: number;
}

/**
 * Decides what an append whose ids were (partly) seen before means. `places[i]` is where the
 * event with `eventIds[i]` is stored, or undefined. Returns the stored places when the append is a retry
 * of an earlier one at the same place, undefined when no id was seen, and throws
 * DuplicateEventIdError when an id is reused anywhere else.
 */
export function recogniseRetry(
  streamName: string,
  expected: ExpectedRevision,
  eventIds: readonly string[],
  places: readonly (StoredEventPlace | undefined)[],
): StoredEventPlace[] | undefined {
  const firstSeen = places.findIndex((place) => place !== undefined);
  if (firstSeen === -1) return undefined;
  const first = places[0];
  const firstRevisionWanted =
    typeof expected === 'number' ? expected + 1 : expected === 'no_stream' ? 0 : first?.revision;
  const isRetry =
    first !== undefined &&
    first.revision === firstRevisionWanted &&
    places.every((place, index) => place !== undefined && place.streamName === streamName && place.revision === first.revision + index);
  if (!isRetry) throw new DuplicateEventIdError(eventIds[firstSeen]!);
  return places as StoredEventPlace[];
}

import { createHash } from 'node:crypto';
import type {
  AllStreamResolvedEvent,
  AppendStreamState,
  Filter,
  JSONEventData,
  JSONType,
  Position,
  ReadPosition,
  RecordedEvent as KurrentRecordedEvent,
  ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type { EventFilter, EventMetadata, ExpectedRevision, NewEvent, RecordedEvent } from './event-store.port';

/**
 * Translations between the event-store port and KurrentDB's client types. Pure functions, so that every
 * rule about ids, metadata, positions and filters is tested without a server.
 */

/** Namespace of the name-based (v5) UUIDs that stand for our event ids in KurrentDB. Never change it. */
export const EVENT_ID_NAMESPACE = 'edb585f0-6c8b-41e7-b927-8918c9fe7b15';

/**
 * KurrentDB wants a UUID per event, ours are ULID-like strings. A v5 UUID of the id is the same on every
 * retry and in every process, which is what lets KurrentDB recognise a retried append as already done.
 */
export function kurrentEventIdOf(eventId: string): string {
  return uuidV5(EVENT_ID_NAMESPACE, eventId);
}

/** RFC 9562 name-based UUID (SHA-1). */
export function uuidV5(namespace: string, name: string): string {
  const bytes = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'no_stream':
      return 'no_stream';
    case 'stream_exists':
      return 'stream_exists';
    case 'any':
      return 'any';
    default:
      // -1 is the revision a reader sees for a missing stream, so it means "no stream" (as in assertValidAppend).
      return expected === -1 ? 'no_stream' : BigInt(expected);
  }
}

/**
 * The port's position is the commit position of the event in `$all`: a byte offset in KurrentDB's
 * transaction log. Without explicit transactions (which gRPC clients cannot write) it is unique per event
 * and grows in `$all` order, and the server accepts it as both halves of a resume position. A JS number
 * holds it exactly up to 2^53 bytes (8 PiB of log); beyond that we refuse rather than round.
 */
export function toPortPosition(commit: bigint): number {
  if (commit < 0n || commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`KurrentDB commit position ${commit} does not fit the port's position (0 to 2^53 - 1)`);
  }
  return Number(commit);
}

export function toKurrentPosition(position: number): Position {
  return { commit: BigInt(position), prepare: BigInt(position) };
}

/** Where to read or subscribe from so as to see events after `position` (-1: from the start). */
export function readPositionAfter(position: number): ReadPosition {
  return position < 0 ? 'start' : toKurrentPosition(position);
}

/**
 * Keys the adapter adds to the stored metadata JSON. `$correlationId`/`$causationId` are the names
 * KurrentDB's own projections (`$by_correlation_id`) read; `crmEventId` keeps our id next to KurrentDB's UUID.
 */
export const STORED_EVENT_ID_KEY = 'crmEventId';
const RESERVED_METADATA_KEYS = [STORED_EVENT_ID_KEY, '$correlationId', '$causationId'] as const;

/** Refuses metadata that would not read back unchanged because it uses a key the adapter writes itself. */
export function assertNoReservedMetadataKeys(event: NewEvent): void {
  for (const key of RESERVED_METADATA_KEYS) {
    if (Object.hasOwn(event.metadata, key)) {
      throw new TypeError(`Event ${event.eventId}: metadata key ${key} is reserved by the KurrentDB event store`);
    }
  }
}

export function toEventData(event: NewEvent): JSONEventData {
  return {
    id: kurrentEventIdOf(event.eventId),
    contentType: 'application/json',
    type: event.type,
    // JSON null stands for "no data", as in the other adapters; the client cannot serialise undefined.
    data: (event.data ?? null) as JSONType,
    metadata: {
      ...event.metadata,
      $correlationId: event.metadata.correlationId,
      $causationId: event.metadata.causationId,
      [STORED_EVENT_ID_KEY]: event.eventId,
    },
  };
}

/** The commit position of a read or delivered event, in the port's terms; undefined when the server sent none. */
export function commitPositionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): number | undefined {
  const commit = resolved.event?.position?.commit ?? resolved.commitPosition;
  return commit === undefined ? undefined : toPortPosition(commit);
}

/** The id our append gave the event (kept in metadata), or KurrentDB's UUID for events other writers stored. */
export function eventIdOf(record: KurrentRecordedEvent): string {
  const metadata = record.metadata;
  if (isPlainObject(metadata) && typeof metadata[STORED_EVENT_ID_KEY] === 'string') return metadata[STORED_EVENT_ID_KEY];
  return record.id;
}

/** Maps a record read from KurrentDB to the port's event; the caller has checked that it is not a system event. */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent {
  const record = resolved.event;
  if (!record) throw new Error('KurrentDB returned a link whose event is gone');
  const position = commitPositionOf(resolved);
  if (position === undefined) {
    throw new Error(`KurrentDB returned no position for ${record.streamId}@${record.revision}: the adapter needs KurrentDB/EventStoreDB 22.6 or later`);
  }
  return {
    eventId: eventIdOf(record),
    type: record.type,
    data: record.data,
    metadata: portMetadataOf(record.metadata),
    streamName: record.streamId,
    revision: Number(record.revision),
    position,
    recordedAt: record.created.toISOString(),
  };
}

function portMetadataOf(stored: unknown): EventMetadata {
  if (!isPlainObject(stored)) return {} as EventMetadata;
  if (typeof stored[STORED_EVENT_ID_KEY] !== 'string') return stored as EventMetadata;
  const { [STORED_EVENT_ID_KEY]: _eventId, $correlationId: _correlationId, $causationId: _causationId, ...metadata } = stored;
  return metadata as EventMetadata;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * KurrentDB's own records: system streams (`$stats-…`, `$$…` metadata, projection output such as `$ce-…`)
 * and system event types (`$>` links, `$metadata`, …). The port's log holds only what services appended.
 */
export function isSystemRecord(resolved: ResolvedEvent | AllStreamResolvedEvent): boolean {
  const record = resolved.event;
  return record === undefined || record.streamId.startsWith('$') || record.type.startsWith('$');
}

/**
 * The filter KurrentDB applies server-side. It filters on stream names or on event types, not both, so
 * stream prefixes (the narrower filter in practice) go to the server and event types are then checked
 * here too (`matchesEventFilter`). Both are regexes with every character escaped, so matching is literal
 * and case-sensitive, and event types match whole names rather than prefixes. With no filter the server
 * still leaves out system streams.
 */
export function serverFilterFor(filter: EventFilter | undefined): Pick<Filter, 'filterOn'> & { regex: string } {
  if (filter?.streamNamePrefixes) {
    return { filterOn: 'streamName', regex: `^${anyOfLiterals(filter.streamNamePrefixes)}` };
  }
  if (filter?.eventTypes) {
    return { filterOn: 'eventType', regex: `^${anyOfLiterals(filter.eventTypes)}$` };
  }
  return { filterOn: 'streamName', regex: '^[^$]' };
}

function anyOfLiterals(literals: readonly string[]): string {
  // An empty list matches nothing, as in the other adapters.
  if (literals.length === 0) return '(?!)';
  return `(?:${literals.map(literalRegex).join('|')})`;
}

/**
 * A regex source matching `text` literally. Everything but ASCII letters, digits, `_` and `-` is written as a
 * \uXXXX escape (per UTF-16 unit), which means the same in .NET's regex dialect, used by the server, as in JS.
 */
export function literalRegex(text: string): string {
  let escaped = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    escaped += /[A-Za-z0-9_-]/.test(char) ? char : `\\u${text.charCodeAt(index).toString(16).padStart(4, '0')}`;
  }
  return escaped;
}

export function matchesEventFilter(event: RecordedEvent, filter: EventFilter | undefined): boolean {
  if (filter?.streamNamePrefixes && !filter.streamNamePrefixes.some((prefix) => event.streamName.startsWith(prefix))) return false;
  if (filter?.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
}

const CONNECTION_ERROR_TYPES = new Set(['unavailable', 'deadline-exceeded', 'cancelled', 'timeout', 'not-leader']);
// gRPC CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE, for errors the client passes on unconverted.
const CONNECTION_GRPC_CODES = new Set([1, 4, 14]);
const CONNECTION_SYSTEM_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// What else may go away by itself: access rights an operator fixes, and errors whose cause the client
// cannot tell (it reports some broken connections as `unknown`, or as gRPC UNKNOWN/INTERNAL/ABORTED).
const OTHER_TRANSIENT_ERROR_TYPES = new Set(['access-denied', 'unknown']);
const OTHER_TRANSIENT_GRPC_CODES = new Set([2, 8, 10, 13, 16]);

/** The call or the connection broke before the server could answer. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { type, code } = error as Error & { type?: unknown; code?: unknown };
  if (typeof type === 'string') return CONNECTION_ERROR_TYPES.has(type);
  if (typeof code === 'number') return CONNECTION_GRPC_CODES.has(code);
  if (typeof code === 'string') return CONNECTION_SYSTEM_CODES.has(code);
  return false;
}

/** Whether trying again later may succeed. Invalid arguments, unsupported features and our own errors stay. */
export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isConnectionError(error)) return true;
  const { type, code } = error as Error & { type?: unknown; code?: unknown };
  if (typeof type === 'string') return OTHER_TRANSIENT_ERROR_TYPES.has(type);
  return typeof code === 'number' && OTHER_TRANSIENT_GRPC_CODES.has(code);
}

export function kurrentErrorType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null | undefined)?.type;
  return typeof type === 'string' ? type : undefined;
}

/** The current revision a WrongExpectedVersionError reports, -1 when the stream does not exist. */
export function actualRevisionOf(error: unknown): number {
  const actual = (error as { actualState?: unknown }).actualState;
  return typeof actual === 'bigint' ? Number(actual) : -1;
}

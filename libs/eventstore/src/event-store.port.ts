/**
 * The event store port. Revisions are 0-based per stream, as in KurrentDB; positions are the
 * global log order (strictly increasing, not necessarily contiguous).
 */

/** Metadata every stored event carries; the KurrentDB adapter stores it as event metadata JSON. */
export interface EventMetadata {
  tenantId: string;
  actorId: string;
  correlationId: string;
  causationId: string;
  /** ISO-8601 instant at which the command that produced the event was decided. */
  occurredAt: string;
  schemaVersion: number;
  [extra: string]: unknown;
}

export interface NewEvent<Data = unknown> {
  /** Caller-chosen id: appending the same ids at the same place again is a no-op (idempotent retry). */
  eventId: string;
  type: string;
  data: Data;
  metadata: EventMetadata;
}

export interface RecordedEvent<Data = unknown> extends NewEvent<Data> {
  streamName: string;
  revision: number;
  position: number;
  /** ISO-8601 instant at which the store committed the event. */
  recordedAt: string;
}

/** `no_stream`: the stream must not exist; `stream_exists`: it must; `any`: no check; a number: the exact current revision. */
export type ExpectedRevision = number | 'no_stream' | 'stream_exists' | 'any';

export interface AppendResult {
  /** Revision of the last event now in the stream (what to send as the next expected revision). */
  nextExpectedRevision: number;
  /** Global position of the last appended event. */
  position: number;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** Current revision, or -1 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(`Stream ${streamName}: expected revision ${String(expected)}, actual ${actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** Raised when an append reuses event ids at a place where different events stand. */
export class DuplicateEventIdError extends Error {
  constructor(readonly eventId: string) {
    super(`Event id ${eventId} already used elsewhere`);
    this.name = 'DuplicateEventIdError';
  }
}

/** Raised by calls made after `close()`, and passed to `onError` of subscriptions the closing store ends. */
export class EventStoreClosedError extends Error {
  constructor() {
    super('Event store is closed');
    this.name = 'EventStoreClosedError';
  }
}

export interface EventFilter {
  /** Keep events whose stream name starts with one of these prefixes. */
  streamNamePrefixes?: string[];
  /** Keep events whose type is one of these. */
  eventTypes?: string[];
}

export interface ReadStreamOptions {
  fromRevision?: number;
  /** Inclusive upper bound on `metadata.occurredAt`, for time travel (ISO-8601). */
  untilTime?: string;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omit (or -1) to start at the beginning. */
  afterPosition?: number;
  filter?: EventFilter;
  maxCount?: number;
}

export interface SubscribeToAllOptions extends Omit<ReadAllOptions, 'maxCount'> {
  /** Called in log order, one at a time; the next event is delivered only after the promise resolves. */
  onEvent(event: RecordedEvent): Promise<void> | void;
  /**
   * Called with a position up to which everything (matching or not) has been seen,
   * so sparse filters can checkpoint without rescanning (KurrentDB emits these too).
   */
  onCheckpoint?(position: number): Promise<void> | void;
  /** Called once when the subscription ends with an error (handler threw, store closed, connection lost). */
  onError?(error: unknown): void;
}

export interface Subscription {
  /** Resolves once the subscription has stopped; no callback runs after that. */
  close(): Promise<void>;
}

/** One stream's part of an `appendMany`: the same arguments as one `append`. */
export interface StreamAppend {
  streamName: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
}

export interface EventStore {
  append(streamName: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /**
   * Appends to several streams at once, all or nothing: either every part is written (or recognised as a
   * retry of the same ids at the same place, as `append` does) and the results come back in the order of
   * the parts, or nothing is written and the promise rejects with the first part's error
   * (WrongExpectedRevisionError, DuplicateEventIdError). Parts are checked in order, so a later part
   * sees what an earlier one wrote. Optional: bulk writers fall back to one `append` per part when a
   * store does not offer it (it exists for bulk imports, where per-append overhead dominates).
   */
  appendMany?(appends: StreamAppend[]): Promise<AppendResult[]>;
  /** Events of one stream in revision order; an empty array when the stream does not exist. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options: SubscribeToAllOptions): Subscription;
  /** Position of the last event in the log, or -1 when the log is empty. */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');

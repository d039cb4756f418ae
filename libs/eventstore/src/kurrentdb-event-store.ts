import type { ReadPosition, ResolvedEvent } from '@kurrent/kurrentdb-client';
import {
  assertExpectedRevision,
  assertValidAppend,
  occurredAtMillis,
  recogniseRetry,
  type StoredEventPlace,
  untilTimeMillis,
} from './append-validation';
import type { BackoffOptions } from './backoff';
import {
  type AppendResult,
  DuplicateEventIdError,
  type EventFilter,
  type EventStore,
  EventStoreClosedError,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from './event-store.port';
import { connectToKurrentDb, type KurrentDbClient } from './kurrentdb-client';
import {
  actualRevisionOf,
  assertNoReservedMetadataKeys,
  commitPositionOf,
  eventIdOf,
  isConnectionError,
  isSystemRecord,
  kurrentErrorType,
  matchesEventFilter,
  readPositionAfter,
  serverFilterFor,
  toEventData,
  toPortPosition,
  toRecordedEvent,
  toStreamState,
} from './kurrentdb-mapping';
import { consoleEventStoreLogger, type EventStoreLogger, KurrentDbSubscription, type KurrentDbSubscriptionHost } from './kurrentdb-subscription';

export type KurrentDbEventStoreOptions = ({ connectionString: string } | { client: KurrentDbClient }) & {
  /** Pause before resubscribing a dropped subscription; defaults to 200 ms doubling up to 10 s, jittered. */
  resubscribeBackoff?: BackoffOptions;
  /** Multiplier of the server's 32-event search window between checkpoints of filtered subscriptions; defaults to 1. */
  checkpointInterval?: number;
  /** How many event ids appended by this process are remembered to recognise retries and reuse; defaults to 10,000. */
  recentEventIds?: number;
  logger?: EventStoreLogger;
};

/**
 * The event store on KurrentDB (EventStoreDB), through `@kurrent/kurrentdb-client` (see ADR 0010).
 *
 * - Revisions are KurrentDB's stream revisions; positions are `$all` commit positions (see toPortPosition).
 * - Event ids become v5 UUIDs, so KurrentDB itself recognises a retried append at an exact expected
 *   revision; our id travels in the metadata and comes back on reads.
 * - `$all` reads and subscriptions leave out KurrentDB's system streams and events.
 *
 * Gap with the other adapters, which see every id ever stored: KurrentDB has no index by event id. An id
 * reused in another stream, or elsewhere in the same stream, raises DuplicateEventIdError only when this
 * process appended it recently (or, after a conflict, when it stands where the append wanted to write);
 * otherwise KurrentDB stores the second copy. With expected revision `any`, KurrentDB's own retry detection
 * relies on its cache of recent writes.
 *
 * No `appendMany`: the client's appends are one stream each, so a multi-stream write could not be all or
 * nothing here. Bulk writers see it missing and append part by part (each part still idempotent).
 */
export class KurrentDbEventStore implements EventStore {
  private readonly client: KurrentDbClient;
  private readonly recentPlaces: RecentEventPlaces;
  private readonly subscriptions = new Set<KurrentDbSubscription>();
  private readonly subscriptionHost: KurrentDbSubscriptionHost;
  private readonly settings: {
    resubscribeBackoff: BackoffOptions;
    checkpointInterval: number;
    logger: EventStoreLogger;
  };
  private closed = false;

  constructor(options: KurrentDbEventStoreOptions) {
    this.client = 'client' in options ? options.client : connectToKurrentDb(options.connectionString);
    this.recentPlaces = new RecentEventPlaces(options.recentEventIds ?? 10_000);
    this.settings = {
      resubscribeBackoff: options.resubscribeBackoff ?? { initialDelayMs: 200, maxDelayMs: 10_000 },
      checkpointInterval: options.checkpointInterval ?? 1,
      logger: options.logger ?? consoleEventStoreLogger,
    };
    this.subscriptionHost = {
      client: this.client,
      readHeadPosition: () => this.readHeadPosition(),
      recordPositionAtOrBefore: (position) => this.recordPositionAtOrBefore(position),
    };
  }

  async append(streamName: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    assertValidAppend(streamName, events, expectedRevision);
    for (const event of events) assertNoReservedMetadataKeys(event);
    const retried = recogniseRetry(
      streamName,
      expectedRevision,
      events.map((event) => event.eventId),
      events.map((event) => this.recentPlaces.get(event.eventId)),
    );
    if (retried) return resultOf(retried);
    if (events.length === 0) return this.checkWithoutWriting(streamName, expectedRevision);

    let written: { nextExpectedRevision: bigint; position?: { commit: bigint } };
    try {
      written = await this.client.appendToStream(streamName, events.map(toEventData), { streamState: toStreamState(expectedRevision) });
    } catch (error) {
      throw await this.appendFailure(streamName, events, expectedRevision, error);
    }
    const lastRevision = Number(written.nextExpectedRevision);
    // For a single event, whatever position the server reports for the append (transaction, commit or
    // event position, original or retried write) is that event's. An absent one is read back.
    const reported = written.position?.commit;
    const places =
      events.length === 1 && reported !== undefined && reported <= BigInt(Number.MAX_SAFE_INTEGER)
        ? [{ eventId: events[0]!.eventId, streamName, revision: lastRevision, position: toPortPosition(reported) }]
        : await this.placesOfAppended(streamName, events, lastRevision);
    for (const place of places) this.recentPlaces.remember(place);
    return resultOf(places);
  }

  /**
   * Where the events of a successful append stand. Read back because the append result carries one
   * position for the whole append (and none for some retries), while the port returns the last event's.
   */
  private async placesOfAppended(streamName: string, events: readonly NewEvent[], lastRevision: number): Promise<StoredEventPlace[]> {
    const firstRevision = lastRevision - events.length + 1;
    const stored = await this.readRecords(streamName, { fromRevision: BigInt(firstRevision), maxCount: events.length });
    const places = stored.map((resolved) => ({
      eventId: eventIdOf(resolved.event!),
      streamName,
      revision: Number(resolved.event!.revision),
      position: commitPositionOf(resolved) ?? -1,
    }));
    const matches = places.length === events.length && places.every((place, index) => place.eventId === events[index]!.eventId && place.position >= 0);
    if (!matches) {
      throw new Error(`KurrentDB acknowledged the append to ${streamName} up to revision ${lastRevision}, but other events stand there`);
    }
    return places;
  }

  private async checkWithoutWriting(streamName: string, expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readRecords(streamName, { fromRevision: 'end', direction: 'backwards', maxCount: 1 });
    const currentRevision = last ? Number(last.event!.revision) : -1;
    assertExpectedRevision(streamName, expectedRevision, currentRevision);
    return { nextExpectedRevision: currentRevision, position: last ? (commitPositionOf(last) ?? -1) : -1 };
  }

  /**
   * Maps a refused append to the port's errors. On a revision conflict, the events standing where this
   * append wanted to write are checked: if one carries an id of this append, the id was reused (KurrentDB
   * says "wrong expected version" when only part of a retried append matches).
   */
  private async appendFailure(streamName: string, events: readonly NewEvent[], expected: ExpectedRevision, error: unknown): Promise<unknown> {
    if (kurrentErrorType(error) !== 'wrong-expected-version') return error;
    const actual = actualRevisionOf(error);
    const firstWanted = typeof expected === 'number' ? expected + 1 : expected === 'no_stream' ? 0 : undefined;
    if (firstWanted !== undefined && firstWanted <= actual) {
      const ids = new Set(events.map((event) => event.eventId));
      const standing = await this.readRecords(streamName, { fromRevision: BigInt(firstWanted), maxCount: events.length }).catch(() => []);
      const reused = standing.map((resolved) => eventIdOf(resolved.event!)).find((eventId) => ids.has(eventId));
      if (reused !== undefined) return new DuplicateEventIdError(reused);
    }
    return new WrongExpectedRevisionError(streamName, expected, actual);
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const until = untilTimeMillis(options.untilTime);
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    const records = await this.readRecords(streamName, {
      fromRevision: BigInt(Math.max(0, options.fromRevision ?? 0)),
      // With untilTime, events are filtered here, so the server cannot stop at maxCount.
      maxCount: options.untilTime === undefined ? maxCount : Number.MAX_SAFE_INTEGER,
    });
    const events: RecordedEvent[] = [];
    for (const resolved of records) {
      if (!resolved.event) continue;
      const event = toRecordedEvent(resolved);
      if (options.untilTime !== undefined && occurredAtMillis(event) > until) continue;
      events.push(event);
      if (events.length === maxCount) break;
    }
    return events;
  }

  /** A stream's records, or none when it does not exist. */
  private async readRecords(
    streamName: string,
    options: { fromRevision: bigint | 'end'; maxCount: number; direction?: 'forwards' | 'backwards' },
  ): Promise<ResolvedEvent[]> {
    const records: ResolvedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamName, { direction: 'forwards', ...options })) records.push(resolved);
    } catch (error) {
      if (kurrentErrorType(error) === 'stream-not-found') return [];
      throw error;
    }
    return records;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const afterPosition = options.afterPosition ?? -1;
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    try {
      return await this.readAllAfter(afterPosition, afterPosition, options.filter, maxCount);
    } catch (error) {
      // KurrentDB refuses to read from a position where no record starts (see KurrentDbSubscription).
      if (afterPosition < 0 || isConnectionError(error)) throw error;
      const recordPosition = await this.recordPositionAtOrBefore(afterPosition);
      if (recordPosition === afterPosition) throw error;
      return this.readAllAfter(recordPosition, afterPosition, options.filter, maxCount);
    }
  }

  /**
   * Non-system events after `skipUpTo` that match the filter, reading from `readFrom` (a record position at
   * or before it). Reads are inclusive of their start position in KurrentDB, and are paged so that events
   * dropped here (system events, event types) still leave maxCount events to return when there are that many.
   */
  private async readAllAfter(readFrom: number, skipUpTo: number, filter: EventFilter | undefined, maxCount: number): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    let from: ReadPosition = readPositionAfter(readFrom);
    let seenUpTo = skipUpTo;
    for (;;) {
      const pageSize = maxCount === Number.MAX_SAFE_INTEGER ? maxCount : maxCount - events.length + 1;
      let pageLength = 0;
      for await (const resolved of this.client.readAll({
        fromPosition: from,
        maxCount: pageSize,
        filter: { ...serverFilterFor(filter), checkpointInterval: 1 },
      })) {
        pageLength++;
        const position = commitPositionOf(resolved);
        if (position === undefined || position <= seenUpTo) continue;
        seenUpTo = position;
        if (isSystemRecord(resolved)) continue;
        const event = toRecordedEvent(resolved);
        if (!matchesEventFilter(event, filter)) continue;
        events.push(event);
        if (events.length === maxCount) return events;
      }
      if (pageLength < pageSize || seenUpTo < 0) return events;
      from = readPositionAfter(seenUpTo);
    }
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    this.assertOpen();
    const subscription = new KurrentDbSubscription(this.subscriptionHost, options, this.settings, (finished) => this.subscriptions.delete(finished));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.readHeadPosition();
  }

  private async readHeadPosition(): Promise<number> {
    // The server leaves out system streams; system event types in other streams are rare, hence a short first read.
    for (const maxCount of [32, Number.MAX_SAFE_INTEGER]) {
      let read = 0;
      for await (const resolved of this.client.readAll({
        fromPosition: 'end',
        direction: 'backwards',
        maxCount,
        filter: { ...serverFilterFor(undefined), checkpointInterval: 1 },
      })) {
        read++;
        if (!isSystemRecord(resolved)) return commitPositionOf(resolved) ?? -1;
      }
      if (read < maxCount) return -1;
    }
    return -1;
  }

  /** Scans `$all` backwards for the last record at or before `position`: only for positions a caller made up. */
  private async recordPositionAtOrBefore(position: number): Promise<number> {
    for await (const resolved of this.client.readAll({ fromPosition: 'end', direction: 'backwards' })) {
      const recordPosition = commitPositionOf(resolved);
      if (recordPosition !== undefined && recordPosition <= position) return recordPosition;
    }
    return -1;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.terminate(new EventStoreClosedError())));
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}

function resultOf(places: readonly StoredEventPlace[]): AppendResult {
  const last = places[places.length - 1]!;
  return { nextExpectedRevision: last.revision, position: last.position };
}

/**
 * Where recently appended event ids stand, oldest forgotten first. KurrentDB cannot look events up by id,
 * so this is what recognises a retry answered from memory and an id reused elsewhere.
 */
class RecentEventPlaces {
  private readonly places = new Map<string, StoredEventPlace>();

  constructor(private readonly capacity: number) {}

  get(eventId: string): StoredEventPlace | undefined {
    return this.places.get(eventId);
  }

  remember(place: StoredEventPlace): void {
    this.places.delete(place.eventId);
    this.places.set(place.eventId, place);
    if (this.places.size > this.capacity) this.places.delete(this.places.keys().next().value!);
  }
}

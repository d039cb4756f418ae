import {
  assertExpectedRevision,
  assertValidAppend,
  occurredAtMillis,
  recogniseRetry,
  type StoredEventPlace,
  untilTimeMillis,
} from './append-validation';
import { CatchUpSubscription } from './catch-up-subscription';
import {
  type AppendResult,
  type EventFilter,
  type EventStore,
  EventStoreClosedError,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeToAllOptions,
  type Subscription,
} from './event-store.port';

/**
 * Event store held in process memory, for unit tests. Same semantics as the durable adapters
 * (it passes the same contract); events are copied through JSON on the way in and out so that
 * tests see what a real store would give back.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly placesById = new Map<string, StoredEventPlace>();
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private closed = false;

  async append(streamName: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    assertValidAppend(streamName, events, expectedRevision);
    const result = this.check(streamName, events, expectedRevision);
    if (result) return result;
    return this.write(streamName, events, new Date().toISOString());
  }

  /** All parts are checked before any is written, so a conflict anywhere leaves the log as it was. */
  async appendMany(appends: StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    for (const { streamName, events, expectedRevision } of appends) assertValidAppend(streamName, events, expectedRevision);
    // Snapshots, so that the checks of later parts see what earlier parts will write, as in one transaction.
    const snapshot = { log: this.log.length, streams: new Map([...new Set(appends.map((part) => part.streamName))].map((name) => [name, this.streams.get(name)?.slice()])) };
    const recordedAt = new Date().toISOString();
    const results: AppendResult[] = [];
    try {
      for (const { streamName, events, expectedRevision } of appends) {
        results.push(this.check(streamName, events, expectedRevision) ?? this.write(streamName, events, recordedAt, false));
      }
    } catch (error) {
      for (const removed of this.log.splice(snapshot.log)) this.placesById.delete(removed.eventId);
      for (const [name, events] of snapshot.streams) {
        if (events) this.streams.set(name, events);
        else this.streams.delete(name);
      }
      throw error;
    }
    for (const subscription of this.subscriptions) subscription.wake();
    return results;
  }

  /** The result of a retried or empty append, undefined when the events are to be written; throws on a conflict. */
  private check(streamName: string, events: NewEvent[], expectedRevision: ExpectedRevision): AppendResult | undefined {
    const stream = this.streams.get(streamName) ?? [];
    const retried = recogniseRetry(
      streamName,
      expectedRevision,
      events.map((event) => event.eventId),
      events.map((event) => this.placesById.get(event.eventId)),
    );
    if (retried) {
      const last = retried[retried.length - 1]!;
      return { nextExpectedRevision: last.revision, position: last.position };
    }
    const currentRevision = stream.length - 1;
    assertExpectedRevision(streamName, expectedRevision, currentRevision);
    if (events.length === 0) {
      return { nextExpectedRevision: currentRevision, position: stream.at(-1)?.position ?? -1 };
    }
    return undefined;
  }

  private write(streamName: string, events: NewEvent[], recordedAt: string, wake = true): AppendResult {
    const stream = this.streams.get(streamName) ?? [];
    for (const event of events) {
      const recorded: RecordedEvent = {
        ...copyOf({ eventId: event.eventId, type: event.type, data: event.data ?? null, metadata: event.metadata }),
        streamName,
        revision: stream.length,
        // 1-based like the SQLite adapter, so that 0 is never mistaken for "nothing read yet".
        position: this.log.length + 1,
        recordedAt,
      };
      this.log.push(recorded);
      stream.push(recorded);
      this.placesById.set(event.eventId, recorded);
    }
    this.streams.set(streamName, stream);
    if (wake) for (const subscription of this.subscriptions) subscription.wake();
    const last = stream[stream.length - 1]!;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const until = untilTimeMillis(options.untilTime);
    const matching = (this.streams.get(streamName) ?? []).filter(
      (event) => event.revision >= (options.fromRevision ?? 0) && occurredAtMillis(event) <= until,
    );
    return matching.slice(0, options.maxCount ?? matching.length).map(copyOf);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const matching = this.log.filter(
      (event) => event.position > (options.afterPosition ?? -1) && matchesFilter(event, options.filter),
    );
    return matching.slice(0, options.maxCount ?? matching.length).map(copyOf);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    this.assertOpen();
    const subscription = new CatchUpSubscription(
      {
        headPosition: () => this.lastPosition(),
        readPositionRange: (after, upTo, filter) =>
          // Positions are index + 1.
          this.log.slice(Math.max(after, 0), upTo).filter((event) => matchesFilter(event, filter)).map(copyOf),
      },
      options,
      { pageSize: 1000 },
      (finished) => this.subscriptions.delete(finished),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.lastPosition();
  }

  private lastPosition(): number {
    return this.log.at(-1)?.position ?? -1;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.terminate(new EventStoreClosedError())));
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}

function matchesFilter(event: RecordedEvent, filter: EventFilter | undefined): boolean {
  if (filter?.streamNamePrefixes && !filter.streamNamePrefixes.some((prefix) => event.streamName.startsWith(prefix))) {
    return false;
  }
  if (filter?.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
}

function copyOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

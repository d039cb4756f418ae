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

    const recordedAt = new Date().toISOString();
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
    for (const subscription of this.subscriptions) subscription.wake();
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

import { createHash } from 'node:crypto';
import type { EventFilter, EventStore, RecordedEvent, Subscription } from '@crm/eventstore';
import { backoffDelay, type BackoffOptions, WakeUpSignal } from './backoff';
import type { CheckpointStore } from './checkpoint-store';
import { consoleBusLogger, type BusLogger } from './logger';
import type { IntegrationEvent, MessageBus } from './message-bus.port';

export interface OutgoingIntegrationEvent {
  topic: string;
  event: IntegrationEvent;
}

/**
 * Turns a domain event into the integration events it announces (often none).
 * Must be deterministic, ids included (see `integrationEventFrom`), because a relay that crashed
 * before its checkpoint maps the same domain events again and consumers recognise repeats by id.
 */
export type IntegrationEventMapper = (event: RecordedEvent) => OutgoingIntegrationEvent[] | Promise<OutgoingIntegrationEvent[]>;

export interface IntegrationEventRelayOptions {
  /** Names the relay's checkpoint, e.g. `contacts.integration-relay`. */
  name: string;
  eventStore: EventStore;
  bus: MessageBus;
  checkpoints: CheckpointStore;
  map: IntegrationEventMapper;
  /** Narrows the subscription to the events the mapper cares about; the store still reports positions past the rest. */
  filter?: EventFilter;
  /** Publishes as soon as this many integration events are waiting; defaults to 500. */
  maxBatchSize?: number;
  /** Pause before resubscribing after a failure; defaults to 100 ms doubling up to 5 s. */
  retryBackoff?: BackoffOptions;
  logger?: BusLogger;
}

/**
 * Publishes a service's integration events: the event store is the outbox. The relay subscribes to the
 * store after its checkpoint, maps each domain event, publishes, and only then moves the checkpoint, so
 * a crash republishes instead of losing (at-least-once; the ids are deterministic, so repeats are recognised).
 *
 * Events that arrive together (catching up, or a burst) are published as one batch per topic. A failure
 * anywhere (subscription, mapper, bus, checkpoint store) drops what is buffered and resubscribes from the
 * checkpoint after a jittered backoff, for as long as it takes: skipping an event would lose it for good.
 */
export class IntegrationEventRelay {
  private readonly maxBatchSize: number;
  private readonly retryBackoff: BackoffOptions;
  private readonly logger: BusLogger;
  private running = false;
  private subscription: Subscription | undefined;
  /**
   * Bumped on each subscription and each failure: callbacks from an earlier subscription, and what
   * it buffered, are then ignored; the new subscription delivers those events again from the checkpoint.
   */
  private generation = 0;
  private buffer: OutgoingIntegrationEvent[] = [];
  /** Position up to which every event has been mapped into `buffer`. */
  private bufferedUpTo: number | undefined;
  /** Position last stored in the checkpoint store. */
  private checkpoint = -1;
  /** The publish in progress, never rejected: publishes run one after the other, in log order. */
  private publishing: Promise<void> = Promise.resolve();
  private publishScheduled = false;
  private consecutiveFailures = 0;
  private readonly restartPause = new WakeUpSignal();
  private restarting: Promise<void> = Promise.resolve();

  constructor(private readonly options: IntegrationEventRelayOptions) {
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.retryBackoff = options.retryBackoff ?? { initialDelayMs: 100, maxDelayMs: 5_000 };
    this.logger = options.logger ?? consoleBusLogger;
  }

  /** Resolves once subscribed (not once caught up); rejects if the checkpoint cannot be read. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.consecutiveFailures = 0;
    try {
      await this.subscribe();
    } catch (error) {
      this.running = false;
      throw error;
    }
  }

  /** Closes the subscription, then publishes and checkpoints what it had already delivered. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.restartPause.wake();
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
    await this.restarting;
    // If this publish fails, those events are published on the next start instead.
    await this.flush().catch(() => undefined);
    this.generation++;
  }

  private async subscribe(): Promise<void> {
    const generation = ++this.generation;
    this.discardBuffer();
    // A publish from before a failure may still be running: read the checkpoint it may move only after it.
    await this.publishing;
    const checkpoint = (await this.options.checkpoints.get(this.options.name)) ?? -1;
    if (!this.running || generation !== this.generation) return;
    this.checkpoint = checkpoint;
    this.subscription = this.options.eventStore.subscribeToAll({
      afterPosition: checkpoint,
      filter: this.options.filter,
      onEvent: (event) => this.onEvent(generation, event),
      onCheckpoint: (position) => this.onPositionPassed(generation, position),
      onError: (error) => this.fail(generation, error),
    });
  }

  private async onEvent(generation: number, event: RecordedEvent): Promise<void> {
    if (generation !== this.generation) return undefined;
    // A mapper may read the store (to carry the record's whole state); events still go out in log order
    // because the subscription awaits this callback before delivering the next one.
    const mapped = await this.options.map(event);
    if (generation !== this.generation) return undefined;
    this.buffer.push(...mapped);
    this.bufferedUpTo = event.position;
    // Backpressure: the store reads on only once this batch is out.
    if (this.buffer.length >= this.maxBatchSize) return this.flush();
    this.schedulePublish();
    return undefined;
  }

  /** The store has looked at everything up to `position`: a sparse filter must not rescan it after a restart. */
  private onPositionPassed(generation: number, position: number): void {
    if (generation !== this.generation || position <= (this.bufferedUpTo ?? this.checkpoint)) return;
    this.bufferedUpTo = position;
    this.schedulePublish();
  }

  /**
   * Publishes once the current burst is over: while catching up, the store hands over many events before
   * it yields to the event loop, and they go out together. A live event goes out on the next turn.
   */
  private schedulePublish(): void {
    if (this.publishScheduled) return;
    this.publishScheduled = true;
    setImmediate(() => {
      this.publishScheduled = false;
      // A failure has already been handed to fail(), which resubscribes.
      this.flush().catch(() => undefined);
    });
  }

  private flush(): Promise<void> {
    const generation = this.generation;
    const publish = this.publishing.then(() => this.publishBuffered(generation));
    this.publishing = publish.catch(() => undefined);
    return publish;
  }

  private async publishBuffered(generation: number): Promise<void> {
    const upTo = this.bufferedUpTo;
    if (generation !== this.generation || upTo === undefined || upTo <= this.checkpoint) return;
    const outgoing = this.buffer;
    this.buffer = [];
    this.bufferedUpTo = undefined;
    try {
      for (const [topic, events] of groupByTopic(outgoing)) await this.options.bus.publish(topic, events);
      await this.options.checkpoints.set(this.options.name, upTo);
    } catch (error) {
      this.fail(generation, error);
      throw error;
    }
    this.checkpoint = upTo;
    this.consecutiveFailures = 0;
  }

  /** What the subscription delivered after the checkpoint: read again by the next subscription. */
  private discardBuffer(): void {
    this.buffer = [];
    this.bufferedUpTo = undefined;
  }

  private fail(generation: number, error: unknown): void {
    if (!this.running || generation !== this.generation) return;
    this.generation++;
    this.discardBuffer();
    this.consecutiveFailures++;
    const subscription = this.subscription;
    this.subscription = undefined;
    const delayMs = backoffDelay(this.consecutiveFailures, this.retryBackoff);
    this.logger.error(
      { relay: this.options.name, error, retryInMs: Math.round(delayMs) },
      'Integration event relay failed; resubscribing from its checkpoint',
    );
    // Not awaited: fail() can run inside the subscription's own callback, which close() waits for.
    this.restarting = (async () => {
      await subscription?.close().catch(() => undefined);
      await this.restartPause.sleep(delayMs);
      if (!this.running) return;
      try {
        await this.subscribe();
      } catch (subscribeError) {
        this.fail(this.generation, subscribeError);
      }
    })();
  }
}

/** Per topic, in the order given: events of one aggregate keep their order. */
function groupByTopic(outgoing: readonly OutgoingIntegrationEvent[]): Map<string, IntegrationEvent[]> {
  const byTopic = new Map<string, IntegrationEvent[]>();
  for (const { topic, event } of outgoing) {
    let events = byTopic.get(topic);
    if (!events) byTopic.set(topic, (events = []));
    events.push(event);
  }
  return byTopic;
}

/** Namespace of the name-based (v5) UUIDs of integration events. */
const INTEGRATION_EVENT_ID_NAMESPACE = 'bce10ce6-e451-470b-b2d5-140745089937';

/**
 * The id of the integration event announcing a domain event: a UUID v5 of the source event id and a
 * discriminator (the integration event type, say), so mapping the same domain event again gives the same id.
 */
export function integrationEventId(sourceEventId: string, discriminator: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(INTEGRATION_EVENT_ID_NAMESPACE.replaceAll('-', ''), 'hex'))
    .update(`${sourceEventId}/${discriminator}`)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface IntegrationEventFields<Data> {
  source: string;
  type: string;
  dataschema: string;
  subject: string;
  data: Data;
}

/**
 * Builds the envelope of an integration event announcing `recorded`: a deterministic id, the time the
 * command was decided, the tenant and correlation carried over, and the domain event as cause.
 */
export function integrationEventFrom<Data>(recorded: RecordedEvent, fields: IntegrationEventFields<Data>): IntegrationEvent<Data> {
  return {
    specversion: '1.0',
    id: integrationEventId(recorded.eventId, fields.type),
    source: fields.source,
    type: fields.type,
    subject: fields.subject,
    time: recorded.metadata.occurredAt,
    datacontenttype: 'application/json',
    dataschema: fields.dataschema,
    tenantid: recorded.metadata.tenantId,
    correlationid: recorded.metadata.correlationId,
    causationid: recorded.eventId,
    data: fields.data,
  };
}

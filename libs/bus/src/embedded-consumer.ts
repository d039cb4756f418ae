import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { backoffDelay, type BackoffOptions, WakeUpSignal } from './backoff';
import { deadLetterReason, settlesWithin } from './consumer-support';
import type { BusLogger } from './logger';
import {
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  type Consumer,
  type DeliveryContext,
  type IntegrationEvent,
  type IntegrationEventHandler,
} from './message-bus.port';
import { type EmbeddedMessageLog, START_OF_LOG, type StoredMessage, type TopicPosition } from './embedded-message-log';

export interface EmbeddedConsumerSettings {
  group: string;
  topics: readonly string[];
  handler: IntegrationEventHandler;
  maxAttempts: number;
  pollIntervalMs: number;
  batchSize: number;
  leaseTtlMs: number;
  retryBackoff: BackoffOptions;
  drainTimeoutMs: number;
  logger: BusLogger;
  /** Wakes the consumers on the same file in this process: after a dead letter, or when leases were released. */
  wakeConsumers: () => void;
}

type HandlerOutcome = { succeeded: true } | { succeeded: false; error: unknown };


/**
 * Consumes some topics for one group: reads after the committed offsets, calls the handler one message
 * at a time in offset order, and commits each offset only after the handler resolved.
 *
 * Per group and topic only the holder of a lease in the shared file reads, across all processes, so two
 * consumers of one group never both process a message; the others stand by and take over when the holder
 * closes or stops renewing (crashed). This is Kafka's "one consumer per partition", with the topic as partition.
 */
export class EmbeddedConsumer implements Consumer {
  /** Identifies this consumer in the lease table; unique across processes and hosts sharing the file. */
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  /** Topics whose lease we hold, with the offset committed on each. */
  private readonly heldTopics = new Map<string, { committedOffset: number }>();
  private readonly newMessages = new WakeUpSignal();
  private readonly retryPause = new WakeUpSignal();
  private heartbeat: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopping = false;
  /** Set when close() stopped waiting for a handler: whatever it returns later must not be committed. */
  private abandoned = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly log: EmbeddedMessageLog,
    private readonly settings: EmbeddedConsumerSettings,
    private readonly onClosed: (consumer: EmbeddedConsumer) => void,
  ) {}

  start(): void {
    // Renews leases while a slow handler runs, so a healthy consumer does not lose its topics.
    this.heartbeat = setInterval(() => this.renewLeases(), Math.max(10, this.settings.leaseTtlMs / 3));
    this.heartbeat.unref();
    this.running = this.run();
  }

  /** Called by the bus when something may be there to read: a publish in this process, or a lease released. */
  wake(): void {
    this.newMessages.wake();
  }

  /** Lets the in-flight handler finish (up to the drain timeout), then releases the leases. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.stopping = true;
    this.newMessages.wake();
    this.retryPause.wake();
    const drained = await settlesWithin(this.running, this.settings.drainTimeoutMs);
    if (!drained) {
      this.abandoned = true;
      this.settings.logger.warn(
        { group: this.settings.group, drainTimeoutMs: this.settings.drainTimeoutMs },
        'Closed a consumer whose handler had not finished; its message will be redelivered',
      );
    }
    clearInterval(this.heartbeat);
    this.releaseLeases();
    this.onClosed(this);
    this.settings.wakeConsumers();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let batch: StoredMessage[];
      try {
        this.claimFreeTopics();
        batch = this.log.readAfter(this.positions(), this.settings.batchSize);
      } catch (error) {
        this.settings.logger.error({ group: this.settings.group, error }, 'Embedded bus read failed; retrying');
        await this.newMessages.sleep(this.settings.pollIntervalMs);
        continue;
      }
      if (batch.length === 0) {
        await this.newMessages.sleep(this.settings.pollIntervalMs);
        continue;
      }
      let delivered = 0;
      for (const message of batch) {
        if (this.stopping) break;
        const held = this.heldTopics.get(message.topic);
        // The lease may have been lost since the read; the new holder delivers the rest.
        if (!held || message.offset <= held.committedOffset) continue;
        delivered++;
        try {
          await this.deliver(message, held);
        } catch (error) {
          // The commit itself failed (for instance the file stayed locked past the busy timeout):
          // forget what we think is committed and read again from what the file says.
          this.settings.logger.error({ group: this.settings.group, error }, 'Embedded bus commit failed; retrying');
          this.heldTopics.clear();
          await this.newMessages.sleep(this.settings.pollIntervalMs);
          break;
        }
      }
      // SQLite calls are synchronous and quick handlers resolve in microtasks: without a real pause here a
      // long backlog would hold the event loop (HTTP, timers, lease heartbeats) until it is worked off.
      if (delivered === 0) await this.newMessages.sleep(this.settings.pollIntervalMs);
      else await nextMacrotask();
    }
  }

  private async deliver(message: StoredMessage, held: { committedOffset: number }): Promise<void> {
    const { maxAttempts, retryBackoff } = this.settings;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.invokeHandler(message, attempt);
      if (this.abandoned) return;
      if (outcome.succeeded) {
        this.commit(message, held);
        return;
      }
      // Shutting down: leave the message uncommitted so that the next consumer of the group gets it.
      if (this.stopping) return;
      if (attempt >= maxAttempts) {
        this.deadLetter(message, held, outcome.error, attempt);
        return;
      }
      await this.retryPause.sleep(backoffDelay(attempt, retryBackoff));
      if (this.stopping) return;
    }
  }

  private async invokeHandler(message: StoredMessage, attempt: number): Promise<HandlerOutcome> {
    const context: DeliveryContext = { topic: message.topic, attempt, headers: message.headers };
    try {
      const event = JSON.parse(message.eventJson) as IntegrationEvent;
      await this.settings.handler(event, context);
      return { succeeded: true };
    } catch (error) {
      return { succeeded: false, error };
    }
  }

  private commit(message: StoredMessage, held: { committedOffset: number }): void {
    const { group, leaseTtlMs } = this.settings;
    if (this.log.commit(group, message.topic, message.offset, this.owner, leaseTtlMs)) {
      held.committedOffset = message.offset;
    } else {
      this.heldTopics.delete(message.topic);
    }
  }

  private deadLetter(message: StoredMessage, held: { committedOffset: number }, error: unknown, attempts: number): void {
    const { group, leaseTtlMs, logger } = this.settings;
    const reason = deadLetterReason(error);
    const topic = deadLetterTopic(message.topic);
    const headers = {
      [DEAD_LETTER_HEADERS.reason]: reason,
      [DEAD_LETTER_HEADERS.originalTopic]: message.topic,
      [DEAD_LETTER_HEADERS.consumerGroup]: group,
      [DEAD_LETTER_HEADERS.attempts]: String(attempts),
    };
    if (this.log.deadLetterAndCommit({ group, message, topic, headers }, this.owner, leaseTtlMs)) {
      held.committedOffset = message.offset;
      this.settings.wakeConsumers();
      logger.warn({ group, topic: message.topic, eventId: message.eventId, attempts, reason }, 'Event dead-lettered');
    } else {
      this.heldTopics.delete(message.topic);
    }
  }

  private claimFreeTopics(): void {
    const { group, topics, leaseTtlMs } = this.settings;
    for (const topic of topics) {
      if (this.heldTopics.has(topic)) continue;
      if (!this.log.tryClaimLease(group, topic, this.owner, leaseTtlMs)) continue;
      // Read the offset on every claim: the previous holder may have committed since we last held it.
      this.heldTopics.set(topic, { committedOffset: this.log.committedOffset(group, topic) ?? START_OF_LOG });
    }
  }

  private positions(): TopicPosition[] {
    return [...this.heldTopics].map(([topic, { committedOffset }]) => ({ topic, afterOffset: committedOffset }));
  }

  private renewLeases(): void {
    const { group, leaseTtlMs, logger } = this.settings;
    for (const topic of [...this.heldTopics.keys()]) {
      try {
        if (!this.log.tryExtendLease(group, topic, this.owner, leaseTtlMs)) this.heldTopics.delete(topic);
      } catch (error) {
        // The next renewal or commit tries again; the lease only lapses after a whole TTL of failures.
        logger.warn({ group, topic, error }, 'Could not renew a consumer lease');
      }
    }
  }

  private releaseLeases(): void {
    for (const topic of this.settings.topics) {
      try {
        this.log.releaseLease(this.settings.group, topic, this.owner);
      } catch (error) {
        // Not fatal: the lease expires after its TTL and a standby consumer takes over then.
        this.settings.logger.warn({ group: this.settings.group, topic, error }, 'Could not release a consumer lease');
      }
    }
    this.heldTopics.clear();
  }
}

import { resolve } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { BackoffOptions } from './backoff';
import { EmbeddedConsumer } from './embedded-consumer';
import { EmbeddedMessageLog } from './embedded-message-log';
import { consoleBusLogger, type BusLogger } from './logger';
import type { Consumer, ConsumerOptions, IntegrationEvent, MessageBus } from './message-bus.port';
import { type Durability, IN_MEMORY, openSqliteDatabase } from './sqlite';

export interface EmbeddedBusOptions {
  /** The SQLite file every service process shares, or ':memory:' for a bus private to this instance. */
  path: string;
  /** How often an idle consumer looks for messages published by other processes; defaults to 150 ms. */
  pollIntervalMs?: number;
  /** Messages read per query; defaults to 256. */
  batchSize?: number;
  /** How long a crashed consumer keeps its topics before a standby of its group takes over; defaults to 10 s. */
  leaseTtlMs?: number;
  /** Pause between handler attempts; defaults to 200 ms doubling up to 10 s. */
  retryBackoff?: BackoffOptions;
  /** How long `close()` waits for an in-flight handler; defaults to 30 s. */
  drainTimeoutMs?: number;
  /** How long a write waits for another process's lock; defaults to 5 s. */
  busyTimeoutMs?: number;
  /**
   * FULL (default) fsyncs every publish. NORMAL suits a bus whose messages are all derived from event logs
   * kept with FULL: when each relay keeps its checkpoint in this same file (see `SqliteCheckpointStore`),
   * WAL ordering guarantees a checkpoint never survives a power loss that its publish did not, so the relay
   * simply publishes again; nothing is lost and the publish stops blocking the event loop on an fsync.
   */
  durability?: Durability;
  logger?: BusLogger;
}

/**
 * Wake-up callbacks of the open buses in this process, by file: a publish wakes every consumer on the same
 * file at once, while consumers in other processes notice on their next poll.
 */
const busesByFile = new Map<string, Set<() => void>>();

/**
 * The message bus for running without Kafka: a log of messages in a SQLite file shared by all service
 * processes, with per-group committed offsets. It keeps the Kafka semantics the services rely on:
 * at-least-once delivery, order per key, one delivery per group, bounded retries then `<topic>.dlq`.
 */
export class EmbeddedMessageBus implements MessageBus {
  private readonly database: DatabaseSync;
  private readonly log: EmbeddedMessageLog;
  private readonly consumers = new Set<EmbeddedConsumer>();
  private readonly fileKey: string;
  private readonly wakeConsumers = (): void => {
    for (const consumer of this.consumers) consumer.wake();
  };
  private closing: Promise<void> | undefined;

  constructor(private readonly options: EmbeddedBusOptions) {
    this.database = openSqliteDatabase(options.path, { busyTimeoutMs: options.busyTimeoutMs, durability: options.durability });
    this.log = new EmbeddedMessageLog(this.database);
    // Each ':memory:' database is private to its connection, so it gets a key of its own.
    this.fileKey = options.path === IN_MEMORY ? `${IN_MEMORY}${Math.random()}` : resolve(options.path);
    let buses = busesByFile.get(this.fileKey);
    if (!buses) busesByFile.set(this.fileKey, (buses = new Set()));
    buses.add(this.wakeConsumers);
  }

  async publish(topic: string, events: IntegrationEvent[]): Promise<void> {
    this.assertOpen();
    for (const event of events) {
      if (!event.id || !event.subject) throw new TypeError(`Integration events need an id and a subject (topic ${topic})`);
    }
    if (events.length === 0) return;
    this.log.append(topic, events);
    this.wakeConsumersOnThisFile();
  }

  /**
   * Starts consuming. Per group and topic one consumer is active across all processes; another consumer
   * of the same group (in this process or another) stands by and takes over when the active one closes,
   * or when it stops renewing its lease for `leaseTtlMs` (crashed).
   */
  async consume(options: ConsumerOptions): Promise<Consumer> {
    this.assertOpen();
    const { group, topics, handler, maxAttempts = 5, fromBeginning = true } = options;
    if (topics.length === 0) throw new TypeError('consume() needs at least one topic');
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be an integer ≥ 1');
    if (!fromBeginning) {
      const endOffset = this.log.endOffset();
      for (const topic of topics) this.log.startGroupAt(group, topic, endOffset);
    }
    const consumer = new EmbeddedConsumer(
      this.log,
      {
        group,
        topics: [...new Set(topics)],
        handler,
        maxAttempts,
        pollIntervalMs: this.options.pollIntervalMs ?? 150,
        batchSize: this.options.batchSize ?? 256,
        leaseTtlMs: this.options.leaseTtlMs ?? 10_000,
        retryBackoff: this.options.retryBackoff ?? { initialDelayMs: 200, maxDelayMs: 10_000 },
        drainTimeoutMs: this.options.drainTimeoutMs ?? 30_000,
        logger: this.options.logger ?? consoleBusLogger,
        wakeConsumers: () => this.wakeConsumersOnThisFile(),
      },
      (closed) => this.consumers.delete(closed),
    );
    this.consumers.add(consumer);
    consumer.start();
    return consumer;
  }

  /** Closes the consumers (each finishes its in-flight handler), then the database. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.close()));
    const buses = busesByFile.get(this.fileKey);
    buses?.delete(this.wakeConsumers);
    if (buses?.size === 0) busesByFile.delete(this.fileKey);
    this.database.close();
  }

  private wakeConsumersOnThisFile(): void {
    for (const wake of busesByFile.get(this.fileKey) ?? []) wake();
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('The embedded message bus is closed');
  }
}

/** A bus private to this instance, for unit tests. */
export function createInMemoryBus(options: Omit<EmbeddedBusOptions, 'path'> = {}): EmbeddedMessageBus {
  return new EmbeddedMessageBus({ ...options, path: IN_MEMORY });
}

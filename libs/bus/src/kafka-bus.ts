import type { ClientKafka } from '@nestjs/microservices';
import { type Admin, Kafka, Partitioners } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { BackoffOptions } from './backoff';
import { type OutgoingKafkaRecord, toKafkaRecord } from './kafka-cloudevents';
import { KafkaConsumer } from './kafka-consumer';
import { KAFKAJS_LOG_LEVEL, kafkaLogCreator } from './kafka-logging';
import { consoleBusLogger, type BusLogger } from './logger';
import { type Consumer, type ConsumerOptions, deadLetterTopic, type IntegrationEvent, type MessageBus } from './message-bus.port';
import { loadNestMicroservices } from './nest/load-nest-microservices';

export interface KafkaBusOptions {
  /** `host:port` of one or more brokers (KAFKA_BROKERS, comma-separated, split). */
  brokers: string[];
  /** Names this process to the brokers (their logs, quotas), e.g. the service name. */
  clientId: string;
  /**
   * Partitions of the topics this bus creates; defaults to 3. Events are keyed by aggregate id, so each
   * aggregate stays on one partition; the partition count caps how many members of a group share the work.
   */
  partitions?: number;
  /** Replicas of the topics this bus creates; defaults to the broker's `default.replication.factor`. */
  replicationFactor?: number;
  /** Pause between handler attempts; defaults to 200 ms doubling up to 10 s. */
  retryBackoff?: BackoffOptions;
  /** How long closing a consumer waits for an in-flight handler; defaults to 30 s. */
  drainTimeoutMs?: number;
  /**
   * How long the group waits for a silent member before giving its partitions to the others; defaults to
   * 30 s. A member only heartbeats between messages, so a single handler must not run longer than this.
   */
  sessionTimeoutMs?: number;
  /** Defaults to 3 s; a new member joins a group within about this long. */
  heartbeatIntervalMs?: number;
  /** How long an idle fetch waits on the broker for new records; defaults to 1 s. Closing waits up to that long. */
  maxWaitTimeMs?: number;
  logger?: BusLogger;
}

/** kafkajs' answer when a topic exists already (another process created it first). */
const TOPIC_ALREADY_EXISTS = 'TOPIC_ALREADY_EXISTS';
/**
 * Most bytes sent in one produce request. The broker refuses a record batch above `message.max.bytes`
 * (1 MiB by default), and kafkajs puts a whole send for one partition in one batch.
 */
const MAX_SEND_BYTES = 900 * 1024;

/**
 * The message bus on Apache Kafka. Publishing goes through Nest's `ClientKafka` in producer-only mode (an
 * idempotent kafkajs producer, `acks=all`); each `consume` is one member of the Kafka consumer group named
 * by `options.group`, on Nest's `ServerKafka` (see `KafkaConsumer`). Events travel in CloudEvents binary
 * mode (see `kafka-cloudevents.ts`), keyed by subject (the aggregate id), which keeps per-aggregate order.
 *
 * Topics, and their `<topic>.dlq`, are created before the first publish or subscription: on KRaft a
 * subscription to a missing topic fails, and the brokers run with automatic topic creation off.
 */
export class KafkaMessageBus implements MessageBus {
  private readonly producer: ClientKafka;
  private readonly admin: Admin;
  private readonly consumers = new Set<KafkaConsumer>();
  private readonly logger: BusLogger;
  /** Topics known to exist, so that only the first use of a topic costs a round trip to the brokers. */
  private readonly existingTopics = new Set<string>();
  /** Topic creation and publishes each run one after another (see `publish`). */
  private topicCreation: Promise<void> = Promise.resolve();
  private publishing: Promise<void> = Promise.resolve();
  private adminConnection: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: KafkaBusOptions) {
    if (options.brokers.length === 0) throw new TypeError('KafkaMessageBus needs at least one broker');
    this.logger = options.logger ?? consoleBusLogger;
    const client = { clientId: options.clientId, brokers: options.brokers, logLevel: KAFKAJS_LOG_LEVEL, logCreator: kafkaLogCreator(this.logger) };
    this.producer = new (loadNestMicroservices().ClientKafka)({
      // Nest's defaults would append `-client` to the id and join a consumer group for replies we never ask for.
      postfixId: '',
      producerOnlyMode: true,
      client,
      producer: {
        // Retries after a lost acknowledgement do not duplicate or reorder records.
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // kafkajs' current partitioner, the Java client's murmur2: the same key lands on the same partition
        // whichever of the two wrote it.
        createPartitioner: Partitioners.DefaultPartitioner,
      },
      send: { acks: -1 },
    });
    this.admin = new Kafka(client).admin();
  }

  /** Resolves once the brokers acknowledged every event (all in-sync replicas have it). */
  async publish(topic: string, events: IntegrationEvent[]): Promise<void> {
    this.assertOpen();
    for (const event of events) {
      if (!event.id || !event.subject) throw new TypeError(`Integration events need an id and a subject (topic ${topic})`);
    }
    if (events.length === 0) return;
    const records = events.map(toKafkaRecord);
    // One send at a time: a later publish must not overtake an earlier one, and kafkajs' idempotent
    // producer is only safe with one request in flight.
    const published = this.publishing.then(async () => {
      await this.ensureTopics([topic]);
      for (const chunk of chunksBySize(records)) await lastValueFrom(this.producer.emitBatch(topic, { messages: chunk }), { defaultValue: undefined });
    });
    this.publishing = published.catch(() => undefined);
    await published;
  }

  /** Resolves once the new member has joined its group, so events published from then on reach it. */
  async consume(options: ConsumerOptions): Promise<Consumer> {
    this.assertOpen();
    const { group, handler, maxAttempts = 5, fromBeginning = true } = options;
    const topics = [...new Set(options.topics)];
    if (topics.length === 0) throw new TypeError('consume() needs at least one topic');
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be an integer ≥ 1');
    await this.ensureTopics(topics);
    const consumer = new KafkaConsumer(
      {
        brokers: this.options.brokers,
        clientId: this.options.clientId,
        group,
        topics,
        handler,
        maxAttempts,
        fromBeginning,
        retryBackoff: this.options.retryBackoff ?? { initialDelayMs: 200, maxDelayMs: 10_000 },
        drainTimeoutMs: this.options.drainTimeoutMs ?? 30_000,
        sessionTimeoutMs: this.options.sessionTimeoutMs ?? 30_000,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 3_000,
        maxWaitTimeMs: this.options.maxWaitTimeMs ?? 1_000,
        logger: this.logger,
        ensureTopic: (topic) => this.ensureTopics([topic]),
      },
      (closed) => this.consumers.delete(closed),
    );
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (error) {
      await consumer.close();
      throw error;
    }
    return consumer;
  }

  /**
   * Closes the consumers (each finishes and commits its in-flight message), then the producer and the admin
   * client. Publishes still waiting for an acknowledgement fail. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.close()));
    await this.producer.close();
    if (this.adminConnection) await this.admin.disconnect();
  }

  /** Creates the missing ones of `topics` and, unless they are dead-letter topics themselves, their `.dlq`. */
  private ensureTopics(topics: readonly string[]): Promise<void> {
    const wanted = [...new Set(topics.flatMap((topic) => (topic.endsWith('.dlq') ? [topic] : [topic, deadLetterTopic(topic)])))];
    if (wanted.every((topic) => this.existingTopics.has(topic))) return Promise.resolve();
    const created = this.topicCreation.then(() => this.createMissingTopics(wanted));
    this.topicCreation = created.catch(() => undefined);
    return created;
  }

  private async createMissingTopics(topics: readonly string[]): Promise<void> {
    const unknown = topics.filter((topic) => !this.existingTopics.has(topic));
    if (unknown.length === 0) return;
    await this.connectAdmin();
    const onBrokers = new Set(await this.admin.listTopics());
    const missing = unknown.filter((topic) => !onBrokers.has(topic));
    if (missing.length > 0) {
      try {
        await this.admin.createTopics({
          // Only resolves once every new partition has a leader: producing or subscribing right after works.
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: this.options.partitions ?? 3,
            replicationFactor: this.options.replicationFactor ?? -1,
          })),
        });
      } catch (error) {
        if (!isOnlyTopicAlreadyExists(error)) throw error;
      }
    }
    for (const topic of unknown) this.existingTopics.add(topic);
  }

  private connectAdmin(): Promise<void> {
    this.adminConnection ??= this.admin.connect().catch((error: unknown) => {
      this.adminConnection = undefined;
      throw error;
    });
    return this.adminConnection;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('The Kafka message bus is closed');
  }
}

/** kafkajs reports a partly failed creation as an aggregate of per-topic errors. */
function isOnlyTopicAlreadyExists(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string }[] }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every(({ type }) => type === TOPIC_ALREADY_EXISTS);
}

/** Consecutive runs of records, each under `MAX_SEND_BYTES` (a lone larger record goes alone; the broker judges it). */
function chunksBySize(records: readonly OutgoingKafkaRecord[]): OutgoingKafkaRecord[][] {
  const chunks: OutgoingKafkaRecord[][] = [];
  let chunk: OutgoingKafkaRecord[] = [];
  let chunkBytes = 0;
  for (const record of records) {
    const bytes = recordSize(record);
    if (chunk.length > 0 && chunkBytes + bytes > MAX_SEND_BYTES) {
      chunks.push(chunk);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(record);
    chunkBytes += bytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

function recordSize({ key, value, headers }: OutgoingKafkaRecord): number {
  let bytes = Buffer.byteLength(key) + (value?.length ?? 0);
  for (const [name, headerValue] of Object.entries(headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(headerValue);
  return bytes;
}

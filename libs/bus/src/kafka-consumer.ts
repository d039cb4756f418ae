import type { KafkaContext, KafkaOptions, MessageHandler, ServerKafka } from '@nestjs/microservices';
import type { Consumer as KafkajsConsumer } from '@nestjs/microservices/external/kafka.interface';
import { Partitioners } from 'kafkajs';
import { backoffDelay, type BackoffOptions, WakeUpSignal } from './backoff';
import { deadLetterReason, settlesWithin } from './consumer-support';
import { fromKafkaRecord, headerStrings, MalformedKafkaRecordError } from './kafka-cloudevents';
import { KAFKAJS_LOG_LEVEL, kafkaLogCreator } from './kafka-logging';
import type { BusLogger } from './logger';
import {
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  type Consumer,
  type DeliveryContext,
  type IntegrationEventHandler,
} from './message-bus.port';
import { loadNestMicroservices } from './nest/load-nest-microservices';

export interface KafkaConsumerSettings {
  brokers: string[];
  clientId: string;
  group: string;
  topics: readonly string[];
  handler: IntegrationEventHandler;
  maxAttempts: number;
  fromBeginning: boolean;
  retryBackoff: BackoffOptions;
  drainTimeoutMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxWaitTimeMs: number;
  logger: BusLogger;
  /** Creates `<topic>.dlq` if need be, before the first dead letter goes there. */
  ensureTopic: (topic: string) => Promise<void>;
}

type HandlerOutcome = { succeeded: true } | { succeeded: false; error: unknown };


type ServerKafkaOptions = Required<KafkaOptions>['options'];

let ServerKafkaKeepingBytes: (new (options: ServerKafkaOptions) => ServerKafka) | undefined;

/** Nest's `ServerKafka`, except that records reach the handler with their bytes untouched. */
function createServerKafka(options: ServerKafkaOptions): ServerKafka {
  if (!ServerKafkaKeepingBytes) {
    const nest = loadNestMicroservices();
    /**
     * Nest's parser turns keys and header values that look like JSON into objects, which would change a
     * CloudEvents attribute or a dead-letter reason that happens to start with `{` or `[`. This one leaves
     * the bytes as the broker sent them; `fromKafkaRecord` decodes them.
     */
    class BytesKafkaParser extends nest.KafkaParser {
      override decode(value: Buffer): Buffer | null {
        return value ?? null;
      }
    }
    ServerKafkaKeepingBytes = class extends nest.ServerKafka {
      constructor(serverOptions: ServerKafkaOptions) {
        super(serverOptions);
        this.parser = new BytesKafkaParser();
      }
    };
  }
  return new ServerKafkaKeepingBytes(options);
}

/**
 * One member of a Kafka consumer group, on Nest's `ServerKafka` (kafkajs underneath): the handler is
 * awaited one message at a time, so each partition is handled in order, and the offset is committed only
 * after the handler resolved. A failing handler is retried with backoff; after `maxAttempts` the record is
 * copied to `<topic>.dlq` with the `DEAD_LETTER_HEADERS`, then committed, so one poison message does not
 * block its partition.
 */
export class KafkaConsumer implements Consumer {
  private readonly server: ServerKafka;
  private readonly retryPause = new WakeUpSignal();
  private inFlight: Promise<void> | undefined;
  private stopping = false;
  /** Set when close() stopped waiting for a handler: whatever it returns later must not be committed. */
  private abandoned = false;
  /** Ends the wait for the in-flight handler (one at a time); set while a handler runs. */
  private abandonInFlight: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly settings: KafkaConsumerSettings,
    private readonly onClosed: (consumer: KafkaConsumer) => void,
  ) {
    const { brokers, clientId, group, sessionTimeoutMs, heartbeatIntervalMs, maxWaitTimeMs, fromBeginning, logger } = settings;
    this.server = createServerKafka({
      // Nest appends `-server` to client and group ids unless told otherwise: the group is the service's name.
      postfixId: '',
      client: { clientId, brokers, logLevel: KAFKAJS_LOG_LEVEL, logCreator: kafkaLogCreator(logger) },
      consumer: {
        groupId: group,
        sessionTimeout: sessionTimeoutMs,
        heartbeatInterval: heartbeatIntervalMs,
        maxWaitTimeInMs: maxWaitTimeMs,
        allowAutoTopicCreation: false,
      },
      subscribe: { fromBeginning },
      // One message at a time across the member's partitions, committed by us once its effect is done.
      run: { autoCommit: false, partitionsConsumedConcurrently: 1 },
      // Used for dead letters only.
      producer: { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
    });
    const onMessage = (_data: unknown, context: KafkaContext): Promise<void> => this.onMessage(context);
    for (const topic of settings.topics) this.server.addHandler(topic, onMessage as MessageHandler, true);
  }

  /** Resolves once this member has joined its group and been assigned partitions. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.listen((error?: unknown) => (error ? reject(error) : resolve()));
    });
    const [, consumer] = this.server.unwrap<[unknown, KafkajsConsumer]>();
    // kafkajs restarts a crashed consumer by itself (broker gone for a while, say); say so, and say when it gives up.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const { group, logger } = this.settings;
      if (payload.restart) logger.warn({ group, error: payload.error }, 'Kafka consumer crashed; kafkajs restarts it');
      else logger.error({ group, error: payload.error }, 'Kafka consumer crashed for good; no more messages for this group member');
    });
  }

  /**
   * Stops fetching, lets the in-flight handler finish (up to the drain timeout) and commit, then leaves the
   * group, so that its partitions move to the other members at once instead of after the session timeout.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.stopping = true;
    this.retryPause.wake();
    const inFlight = this.inFlight;
    if (inFlight && !(await settlesWithin(inFlight, this.settings.drainTimeoutMs))) {
      this.abandoned = true;
      // kafkajs only disconnects once the message callback returned.
      this.abandonInFlight?.();
      this.settings.logger.warn(
        { group: this.settings.group, drainTimeoutMs: this.settings.drainTimeoutMs },
        'Closed a Kafka consumer whose handler had not finished; its message will be redelivered',
      );
    }
    try {
      await this.server.close();
    } catch (error) {
      this.settings.logger.warn({ group: this.settings.group, error }, 'Kafka consumer did not disconnect cleanly');
    }
    this.onClosed(this);
  }

  private onMessage(context: KafkaContext): Promise<void> {
    // Closing: leave the message uncommitted; the next member of the group gets it.
    if (this.stopping) return Promise.resolve();
    const delivery = this.deliver(context).finally(() => {
      if (this.inFlight === delivery) this.inFlight = undefined;
    });
    this.inFlight = delivery;
    return delivery;
  }

  private async deliver(context: KafkaContext): Promise<void> {
    const { maxAttempts } = this.settings;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.invokeHandler(context, attempt);
      if (this.abandoned) return;
      if (outcome.succeeded) return this.commit(context);
      if (this.stopping) return;
      // Retrying cannot repair a record that is not an integration event.
      if (attempt >= maxAttempts || outcome.error instanceof MalformedKafkaRecordError) {
        await this.deadLetter(context, outcome.error, attempt);
        return this.commit(context);
      }
      await this.pauseBeforeRetry(context, attempt);
      if (this.stopping) return;
    }
  }

  private invokeHandler(context: KafkaContext, attempt: number): Promise<HandlerOutcome> {
    const record = context.getMessage();
    const delivery: DeliveryContext = { topic: context.getTopic(), attempt, headers: headerStrings(record.headers) };
    const outcome = (async (): Promise<HandlerOutcome> => {
      try {
        await this.settings.handler(fromKafkaRecord(record), delivery);
        return { succeeded: true };
      } catch (error) {
        return { succeeded: false, error };
      }
    })();
    return new Promise<HandlerOutcome>((resolve) => {
      this.abandonInFlight = () => resolve({ succeeded: false, error: new Error('abandoned at shutdown') });
      void outcome.then(resolve);
    }).finally(() => {
      this.abandonInFlight = undefined;
    });
  }

  private async commit(context: KafkaContext): Promise<void> {
    const topic = context.getTopic();
    const partition = context.getPartition();
    // Kafka commits the offset of the next record to read.
    const offset = (BigInt(context.getMessage().offset) + 1n).toString();
    try {
      await context.getConsumer().commitOffsets([{ topic, partition, offset }]);
    } catch (error) {
      // Typically a rebalance took the partition away meanwhile: its new owner gets the message again,
      // which the idempotent consumer recognises. Throwing makes kafkajs fetch again from the committed offset.
      this.settings.logger.warn({ group: this.settings.group, topic, partition, offset, error }, 'Kafka offset commit failed');
      throw error;
    }
  }

  /** Waits out the backoff in slices, heartbeating so the group does not consider this member dead. */
  private async pauseBeforeRetry(context: KafkaContext, attempt: number): Promise<void> {
    const until = Date.now() + backoffDelay(attempt, this.settings.retryBackoff);
    while (!this.stopping && Date.now() < until) {
      await this.retryPause.sleep(Math.min(until - Date.now(), this.settings.heartbeatIntervalMs));
      await context.getHeartbeat()();
    }
  }

  private async deadLetter(context: KafkaContext, error: unknown, attempts: number): Promise<void> {
    const { group, logger } = this.settings;
    const record = context.getMessage();
    const originalTopic = context.getTopic();
    const topic = deadLetterTopic(originalTopic);
    const reason = deadLetterReason(error);
    await this.settings.ensureTopic(topic);
    // The record as it came, so that a dead-letter reader decodes the same event, plus why it failed.
    await context.getProducer().send({
      topic,
      acks: -1,
      messages: [
        {
          key: record.key,
          value: record.value,
          headers: {
            ...record.headers,
            [DEAD_LETTER_HEADERS.reason]: reason,
            [DEAD_LETTER_HEADERS.originalTopic]: originalTopic,
            [DEAD_LETTER_HEADERS.consumerGroup]: group,
            [DEAD_LETTER_HEADERS.attempts]: String(attempts),
          },
        },
      ],
    });
    logger.warn(
      { group, topic: originalTopic, partition: context.getPartition(), offset: record.offset, attempts, reason },
      'Event dead-lettered',
    );
  }
}

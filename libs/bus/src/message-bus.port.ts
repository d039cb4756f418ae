/**
 * The message-bus port for integration events between services.
 * Envelope fields follow CloudEvents 1.0 (binary-mode headers on Kafka); `subject` is the aggregate id
 * and doubles as the partition key, so events of one aggregate stay in order.
 */

export interface IntegrationEvent<Data = unknown> {
  specversion: '1.0';
  /** Unique per event; consumers deduplicate on it. */
  id: string;
  /** The producing service, e.g. `/crm/contacts`. */
  source: string;
  /** Versioned event type, e.g. `crm.contacts.contact.created.v1`. */
  type: string;
  /** Aggregate id: the partition key. */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  /** Reference to the schema in proto/, e.g. `crm.contacts.v1.ContactEvent`. */
  dataschema: string;
  tenantid: string;
  correlationid: string;
  causationid: string;
  data: Data;
}

export interface DeliveryContext {
  topic: string;
  /** 1 on first delivery, then 2, 3 … on retries. */
  attempt: number;
  /** Transport headers (Kafka headers); dead letters carry the `DEAD_LETTER_HEADERS`. */
  headers?: Readonly<Record<string, string>>;
}

export type IntegrationEventHandler = (event: IntegrationEvent, context: DeliveryContext) => Promise<void>;

export interface ConsumerOptions {
  /** One group per consuming service: each group receives every event once (at least once). */
  group: string;
  topics: string[];
  handler: IntegrationEventHandler;
  /** Attempts before the event is sent to `<topic>.dlq`; defaults to 5. */
  maxAttempts?: number;
  /** Start at the beginning of topics the group has never consumed; defaults to true. */
  fromBeginning?: boolean;
}

export interface Consumer {
  close(): Promise<void>;
}

export interface MessageBus {
  /** Resolves once the bus has durably accepted every event (the broker acknowledged). */
  publish(topic: string, events: IntegrationEvent[]): Promise<void>;
  consume(options: ConsumerOptions): Promise<Consumer>;
  close(): Promise<void>;
}

export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

/** Headers a dead letter carries, so whoever reads `<topic>.dlq` knows what failed, where and why. */
export const DEAD_LETTER_HEADERS = {
  reason: 'dlq-reason',
  originalTopic: 'dlq-original-topic',
  consumerGroup: 'dlq-consumer-group',
  attempts: 'dlq-attempts',
} as const;

export const MESSAGE_BUS = Symbol('MESSAGE_BUS');

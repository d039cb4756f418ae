import { KafkaContainer, type StartedKafkaContainer } from '@testcontainers/kafka';
import { randomUUID } from 'node:crypto';
import { type KafkaMessage, Kafka, logLevel } from 'kafkajs';
import { describeWithDocker, describeWithKafka, eventually } from '@crm/testing';
import { KafkaMessageBus, type KafkaBusOptions } from './kafka-bus';
import { silentBusLogger } from './logger';
import { DEAD_LETTER_HEADERS, deadLetterTopic, type IntegrationEvent } from './message-bus.port';
import { messageBusContract, newTestIntegrationEvent as newEvent } from './testing';

/** Quick retries, heartbeats and idle fetches, so that joins, rebalances and closes take well under a second. */
const fastSettings: Omit<KafkaBusOptions, 'brokers' | 'clientId'> = {
  retryBackoff: { initialDelayMs: 5, maxDelayMs: 20 },
  heartbeatIntervalMs: 300,
  sessionTimeoutMs: 10_000,
  maxWaitTimeMs: 200,
  logger: silentBusLogger,
};

const uniqueName = (prefix: string): string => `kafka-bus-spec.${prefix}.${randomUUID().slice(0, 8)}`;

/** The contract needs no fresh storage per test: it names its topics and groups uniquely, as a shared broker requires. */
function contractOn(brokers: () => string[]): void {
  messageBusContract('kafka', {
    create: async () => new KafkaMessageBus({ brokers: brokers(), clientId: 'bus-contract', ...fastSettings }),
    // Another client on the same brokers is what a restarted process, or a second replica, gets.
    reopen: async () => new KafkaMessageBus({ brokers: brokers(), clientId: 'bus-contract', ...fastSettings }),
  });
}

/** Reads a topic from the beginning with plain kafkajs, as a consumer that knows nothing of this library would. */
async function readRecords(brokers: string[], topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = new Kafka({ clientId: 'raw-reader', brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId: uniqueName('raw-reader'),
    maxWaitTimeInMs: 200,
  });
  const records: KafkaMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void records.push(message) });
    await eventually(() => records.length >= count, { description: `${count} record(s) on ${topic}` });
    return records;
  } finally {
    await consumer.disconnect();
  }
}

describeWithKafka('KafkaMessageBus on the local Apache Kafka broker', (brokerList) => {
  const brokers = brokerList.split(',');
  contractOn(() => brokers);

  describe('on the wire', () => {
    const buses: KafkaMessageBus[] = [];
    const openBus = (options: Partial<KafkaBusOptions> = {}): KafkaMessageBus => {
      const bus = new KafkaMessageBus({ brokers, clientId: 'bus-spec', ...fastSettings, ...options });
      buses.push(bus);
      return bus;
    };
    const kafka = new Kafka({ clientId: 'bus-spec-raw', brokers, logLevel: logLevel.NOTHING });

    afterEach(async () => {
      for (const bus of buses.splice(0)) await bus.close();
    });

    it('creates the topic and its .dlq with the configured partitions before the first publish', async () => {
      const topic = uniqueName('created');
      await openBus({ partitions: 4 }).publish(topic, [newEvent('a')]);

      const admin = kafka.admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic, deadLetterTopic(topic)] });
        const partitionsByTopic = topics.map(({ name, partitions }) => [name, partitions.length]);
        expect(partitionsByTopic.sort()).toEqual([
          [topic, 4],
          [deadLetterTopic(topic), 4],
        ]);
      } finally {
        await admin.disconnect();
      }
    });

    it('writes CloudEvents binary mode: ce_* headers, the subject as key, the JSON data alone as value', async () => {
      const topic = uniqueName('binary-mode');
      const event = newEvent('contact-42', { firstName: 'Zoë', tags: ['vip'] });
      await openBus().publish(topic, [event]);

      const [record] = await readRecords(brokers, topic, 1);
      expect(record.key?.toString()).toBe('contact-42');
      expect(JSON.parse(record.value!.toString())).toEqual({ firstName: 'Zoë', tags: ['vip'] });
      const headers = Object.fromEntries(Object.entries(record.headers ?? {}).map(([name, value]) => [name, String(value)]));
      expect(headers).toEqual({
        'content-type': 'application/json',
        ce_specversion: '1.0',
        ce_id: event.id,
        ce_source: event.source,
        ce_type: event.type,
        ce_subject: 'contact-42',
        ce_time: event.time,
        ce_dataschema: event.dataschema,
        ce_tenantid: event.tenantid,
        ce_correlationid: event.correlationid,
        ce_causationid: event.causationid,
      });
    });

    it('delivers attributes that look like JSON unchanged (Nest’s own parser would turn them into objects)', async () => {
      const topic = uniqueName('json-like');
      const bus = openBus();
      const event = { ...newEvent('[1,2]'), tenantid: '{"tenant":1}' };
      const received: IntegrationEvent[] = [];
      await bus.consume({ group: uniqueName('group'), topics: [topic], handler: async (delivered) => void received.push(delivered) });

      await bus.publish(topic, [event]);

      await eventually(() => received.length === 1, { description: 'the event' });
      expect(received[0]).toEqual(event);
    });

    it('consumes in the group named by the caller, without Nest suffixes', async () => {
      const topic = uniqueName('group-name');
      const group = uniqueName('sales');
      await openBus().consume({ group, topics: [topic], handler: async () => undefined });

      const admin = kafka.admin();
      await admin.connect();
      try {
        const { groups } = await admin.describeGroups([group]);
        expect(groups[0]).toMatchObject({ groupId: group, state: 'Stable' });
        expect(groups[0].members).toHaveLength(1);
      } finally {
        await admin.disconnect();
      }
    });

    it('dead-letters at once a record that is not an integration event, and goes on', async () => {
      const topic = uniqueName('malformed');
      const group = uniqueName('group');
      const bus = openBus();
      const handled: string[] = [];
      await bus.consume({ group, topics: [topic], handler: async (event) => void handled.push(event.id) });

      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k', value: 'not json, no headers' }] });
      await producer.disconnect();
      const after = newEvent('k');
      await bus.publish(topic, [after]);

      await eventually(() => handled.includes(after.id), { description: 'the event after the malformed record' });
      expect(handled).toEqual([after.id]);
      const [deadLetter] = await readRecords(brokers, deadLetterTopic(topic), 1);
      expect(deadLetter.value?.toString()).toBe('not json, no headers');
      expect(String(deadLetter.headers?.[DEAD_LETTER_HEADERS.attempts])).toBe('1');
      expect(String(deadLetter.headers?.[DEAD_LETTER_HEADERS.reason])).toContain('ce_specversion is missing');
    });

    it('lets the in-flight handler finish on close and commits it, so the next member starts after it', async () => {
      const topic = uniqueName('drain');
      const group = uniqueName('group');
      const bus = openBus();
      const [first, second] = [newEvent('k'), newEvent('k')];
      await bus.publish(topic, [first, second]);
      let finishFirst!: () => void;
      const firstHeld = new Promise<void>((resolve) => {
        finishFirst = resolve;
      });
      const started: string[] = [];
      const finished: string[] = [];
      const consumer = await bus.consume({
        group,
        topics: [topic],
        handler: async (event) => {
          started.push(event.id);
          if (event.id === first.id) await firstHeld;
          finished.push(event.id);
        },
      });
      await eventually(() => started.includes(first.id), { description: 'the first event in flight' });

      const closed = consumer.close();
      finishFirst();
      await closed;
      expect(finished).toEqual([first.id]);

      const afterRestart: IntegrationEvent[] = [];
      await bus.consume({ group, topics: [topic], handler: async (event) => void afterRestart.push(event) });
      await eventually(() => afterRestart.length === 1, { description: 'the second event' });
      expect(afterRestart.map(({ id }) => id)).toEqual([second.id]);
    });

    it('keeps publishing order across concurrent publish calls on one bus', async () => {
      const topic = uniqueName('concurrent');
      const bus = openBus({ partitions: 1 });
      const events = Array.from({ length: 30 }, () => newEvent('same-key'));
      await Promise.all(events.map((event) => bus.publish(topic, [event])));

      const records = await readRecords(brokers, topic, events.length);
      expect(records.map((record) => String(record.headers?.ce_id))).toEqual(events.map(({ id }) => id));
    });
  });
});

/** The same contract against Confluent's Kafka image, wherever Docker runs (the local broker above needs none). */
const IMAGE = process.env.CRM_TEST_KAFKA_IMAGE ?? 'confluentinc/cp-kafka:8.0.0';

describeWithDocker(`KafkaMessageBus on a Kafka container (${IMAGE})`, () => {
  let container: StartedKafkaContainer;

  beforeAll(async () => {
    container = await new KafkaContainer(IMAGE).withKraft().start();
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  contractOn(() => [`${container.getHost()}:${container.getMappedPort(9093)}`]);
});

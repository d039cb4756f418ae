import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { InMemoryEventStore, type RecordedEvent } from '@crm/eventstore';
import { newTestEvent } from '@crm/eventstore/testing';
import { describeWithKafka, eventually } from '@crm/testing';
import { InMemoryCheckpointStore } from './checkpoint-store';
import { idempotentHandler, InMemoryProcessedEventLog } from './idempotent-consumer';
import { KafkaMessageBus, type KafkaBusOptions } from './kafka-bus';
import { silentBusLogger } from './logger';
import type { Consumer, IntegrationEvent } from './message-bus.port';
import { integrationEventFrom, IntegrationEventRelay } from './relay';

const ROOT = resolve(__dirname, '../../..');
const KAFKA_SCRIPT = join(ROOT, 'tools/infra/kafka.sh');
const RELAY = 'tests.integration-relay';
const STREAMS = ['contact-a', 'contact-b', 'contact-c', 'contact-d', 'contact-e'];
const EVENTS_PER_PHASE = 60;

const busSettings: Omit<KafkaBusOptions, 'brokers' | 'clientId'> = {
  retryBackoff: { initialDelayMs: 5, maxDelayMs: 20 },
  heartbeatIntervalMs: 300,
  sessionTimeoutMs: 10_000,
  maxWaitTimeMs: 200,
  logger: silentBusLogger,
};

/**
 * A broker of this test's own, from the same script and jars as the shared one (tools/infra/kafka.sh) but
 * with its own ports and state dir, so that restarting it disturbs no other suite using the shared broker.
 */
class PrivateKafkaBroker {
  private constructor(
    readonly address: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly stateDir: string,
  ) {}

  static async start(): Promise<PrivateKafkaBroker> {
    const [port, controllerPort] = await freePorts(2);
    const stateDir = join(ROOT, '.brokers', `kafka-test-${randomUUID().slice(0, 8)}`);
    const env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_STATE_DIR: stateDir };
    const broker = new PrivateKafkaBroker(`127.0.0.1:${port}`, env, stateDir);
    try {
      await broker.run('start');
    } catch (error) {
      await broker.destroy().catch(() => undefined);
      throw error;
    }
    return broker;
  }

  /** A clean stop: SIGTERM, the broker's controlled shutdown. */
  stop(): Promise<void> {
    return this.run('stop');
  }

  /** Starts again on the same data. */
  startAgain(): Promise<void> {
    return this.run('start');
  }

  async destroy(): Promise<void> {
    await this.run('stop');
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  private async run(command: 'start' | 'stop'): Promise<void> {
    await promisify(execFile)(KAFKA_SCRIPT, [command], { env: this.env });
  }
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((ready) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => ready(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((closed) => server.close(closed))));
  return ports;
}

/**
 * A service publishing through the relay (its event store is the outbox) and another service consuming
 * with the idempotent consumer, on a topic of their own.
 */
class Pipeline {
  readonly topic = `relay-e2e.${randomUUID().slice(0, 8)}`;
  readonly group = `consumer-${randomUUID().slice(0, 8)}`;
  readonly eventStore = new InMemoryEventStore();
  readonly checkpoints = new InMemoryCheckpointStore();
  readonly processedEvents = new InMemoryProcessedEventLog();
  /** Ids in the order the handler applied them, once each thanks to the idempotent consumer. */
  readonly effects: IntegrationEvent[] = [];
  /** Every delivery, repeats included. */
  readonly deliveries: string[] = [];
  private readonly appendedIdsBySubject = new Map<string, string[]>();
  private readonly buses: KafkaMessageBus[] = [];
  private relay: IntegrationEventRelay | undefined;
  private consumer: Consumer | undefined;

  /** @param handlerLatency lets the consumer take its time, so that it is in mid-stream when something happens. */
  constructor(
    private readonly brokers: string[],
    private readonly handlerLatency: () => Promise<void> = async () => undefined,
  ) {}

  async startRelay(): Promise<void> {
    this.relay = new IntegrationEventRelay({
      name: RELAY,
      eventStore: this.eventStore,
      bus: this.openBus('relay'),
      checkpoints: this.checkpoints,
      map: (recorded) => [{ topic: this.topic, event: this.integrationEventOf(recorded) }],
      retryBackoff: { initialDelayMs: 50, maxDelayMs: 1_000 },
      logger: silentBusLogger,
    });
    await this.relay.start();
  }

  /** Starts the consuming service: a new bus, as a restarted process would have. */
  async startConsumer(): Promise<void> {
    const applyOnce = idempotentHandler(this.group, this.processedEvents, async (event) => {
      await this.handlerLatency();
      this.effects.push(event);
    });
    this.consumer = await this.openBus('consumer').consume({
      group: this.group,
      topics: [this.topic],
      handler: async (event, context) => {
        this.deliveries.push(event.id);
        await applyOnce(event, context);
      },
    });
  }

  async stopConsumer(): Promise<void> {
    await this.consumer?.close();
    this.consumer = undefined;
  }

  async append(count: number): Promise<void> {
    for (let index = 0; index < count; index++) {
      const stream = STREAMS[index % STREAMS.length]!;
      await this.eventStore.append(stream, [newTestEvent({ type: 'ContactRenamed', data: { index } })], 'any');
    }
  }

  async waitUntilEveryEventIsHandled(timeoutMs: number): Promise<void> {
    const recorded = await this.eventStore.readAll();
    await eventually(() => this.effects.length >= recorded.length, {
      timeoutMs,
      description: `${recorded.length} events handled; ${this.effects.length} so far`,
    });
    await eventually(async () => ((await this.checkpoints.get(RELAY)) ?? -1) >= (await this.eventStore.headPosition()), {
      description: 'the relay checkpoint at the head of the store',
    });
  }

  /** Per subject, the ids in the order the store holds their source events. */
  async expectedIdsBySubject(): Promise<Map<string, string[]>> {
    const bySubject = new Map<string, string[]>();
    for (const recorded of await this.eventStore.readAll()) {
      const ids = bySubject.get(recorded.streamName) ?? [];
      ids.push(this.integrationEventOf(recorded).id);
      bySubject.set(recorded.streamName, ids);
    }
    return bySubject;
  }

  effectIdsBySubject(): Map<string, string[]> {
    const bySubject = new Map<string, string[]>();
    for (const { subject, id } of this.effects) bySubject.set(subject, [...(bySubject.get(subject) ?? []), id]);
    return bySubject;
  }

  async stop(): Promise<void> {
    await this.relay?.stop();
    for (const bus of this.buses.splice(0)) await bus.close();
    await this.eventStore.close();
  }

  private openBus(role: string): KafkaMessageBus {
    const bus = new KafkaMessageBus({ brokers: this.brokers, clientId: `relay-e2e-${role}`, ...busSettings });
    this.buses.push(bus);
    return bus;
  }

  private integrationEventOf(recorded: RecordedEvent): IntegrationEvent {
    return integrationEventFrom(recorded, {
      source: '/crm/tests',
      type: 'crm.tests.contact.renamed.v1',
      dataschema: 'crm.tests.v1.ContactRenamed',
      subject: recorded.streamName,
      data: recorded.data,
    });
  }
}

async function expectEveryEventHandledOnceInOrder(pipeline: Pipeline): Promise<void> {
  const ids = pipeline.effects.map(({ id }) => id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(pipeline.effectIdsBySubject()).toEqual(await pipeline.expectedIdsBySubject());
}

describeWithKafka('relay → Kafka → consumer', (brokerList) => {
  let pipeline: Pipeline | undefined;

  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
  });

  it('loses and duplicates nothing across a consumer restart', async () => {
    pipeline = new Pipeline(brokerList.split(','));
    await pipeline.startRelay();
    await pipeline.startConsumer();
    await pipeline.append(EVENTS_PER_PHASE);
    await eventually(() => pipeline!.effects.length >= EVENTS_PER_PHASE / 3, { description: 'a third of the events handled' });

    await pipeline.stopConsumer();
    await pipeline.append(EVENTS_PER_PHASE);
    await pipeline.startConsumer();
    await pipeline.append(EVENTS_PER_PHASE);

    await pipeline.waitUntilEveryEventIsHandled(30_000);
    await expectEveryEventHandledOnceInOrder(pipeline);
    // A clean close commits what was handled: the restarted consumer gets no repeats at all.
    expect(pipeline.deliveries).toHaveLength(3 * EVENTS_PER_PHASE);
  });

  describe('on a broker of its own, restarted midway', () => {
    let broker: PrivateKafkaBroker | undefined;

    beforeAll(async () => {
      broker = await PrivateKafkaBroker.start();
    }, 180_000);

    afterAll(async () => {
      await broker?.destroy();
    }, 120_000);

    it('loses and duplicates nothing across a broker restart', async () => {
      // About a second of handling per phase: the consumer is still at work when the broker goes down.
      pipeline = new Pipeline([broker!.address], () => new Promise((done) => setTimeout(done, 15)));
      await pipeline.startRelay();
      await pipeline.startConsumer();
      await pipeline.append(EVENTS_PER_PHASE);
      await eventually(() => pipeline!.effects.length >= EVENTS_PER_PHASE / 3, { description: 'a third of the events handled' });

      await broker!.stop();
      const handledWhileBrokerWasUp = pipeline.effects.length;
      // Recorded while the broker is down: the relay can only publish them once it is back.
      await pipeline.append(EVENTS_PER_PHASE);
      await broker!.startAgain();
      await pipeline.append(EVENTS_PER_PHASE);

      await pipeline.waitUntilEveryEventIsHandled(120_000);
      await expectEveryEventHandledOnceInOrder(pipeline);
      // The restart did cut through the stream: the first phase was not all handled before it.
      expect(handledWhileBrokerWasUp).toBeLessThan(EVENTS_PER_PHASE);
    }, 240_000);
  });
});

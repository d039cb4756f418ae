import type { INestMicroservice, Type } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { describeWithKafka, eventually } from '@crm/testing';
import { createInMemoryBus } from '../embedded-bus';
import { InMemoryProcessedEventLog } from '../idempotent-consumer';
import { KafkaMessageBus } from '../kafka-bus';
import { silentBusLogger } from '../logger';
import { DEAD_LETTER_HEADERS, deadLetterTopic, type IntegrationEvent, type MessageBus } from '../message-bus.port';
import { newTestIntegrationEvent as newEvent } from '../testing';
import { canLoadNestMicroservices } from './load-nest-microservices';
import { MessageBusContext } from './message-bus-context';
import { MessageBusTransport, PropagateHandlerErrorsFilter } from './message-bus-transport';

/**
 * Nest 12 is ESM-only: jest loads it only with NODE_OPTIONS=--experimental-vm-modules. Without the flag the
 * suite is skipped with that hint, except in CI (CRM_REQUIRE_REAL_BROKERS=1), where it must run.
 */
function describeWithNest(name: string, suite: () => void): void {
  if (canLoadNestMicroservices()) describe(name, suite);
  else if (process.env.CRM_REQUIRE_REAL_BROKERS === '1') {
    describe(name, () => it('needs NODE_OPTIONS=--experimental-vm-modules to load Nest under jest', () => expect(canLoadNestMicroservices()).toBe(true)));
  } else describe.skip(`${name} [skipped: jest loads Nest 12 (ESM) only with NODE_OPTIONS=--experimental-vm-modules]`, suite);
}

interface Handled {
  handler: string;
  eventId: string;
  topic: string;
  attempt: number;
}

/** What the test's handlers did, and which events they must fail on. */
class Recorder {
  readonly handled: Handled[] = [];
  readonly failingEventIds = new Set<string>();

  async handle(handler: string, event: IntegrationEvent, context: MessageBusContext): Promise<void> {
    this.handled.push({ handler, eventId: event.id, topic: context.getTopic(), attempt: context.getAttempt() });
    if (this.failingEventIds.has(event.id)) throw new Error(`company ${String((event.data as { companyId?: string }).companyId)} unknown`);
  }

  idsHandledBy(handler: string): string[] {
    return this.handled.filter((entry) => entry.handler === handler).map(({ eventId }) => eventId);
  }
}

/**
 * A service's `api/` listeners as it would write them: two controllers on one topic. `<string>` picks Nest's
 * untyped `@EventPattern` overload: the typed one declares the context parameter `unknown`, so `@Ctx()` could
 * not be a `MessageBusContext`.
 */
async function defineListenerModule(topic: string, recorder: Recorder): Promise<Type> {
  const { Controller, Module } = await import('@nestjs/common');
  const { Ctx, EventPattern, Payload } = await import('@nestjs/microservices');

  @Controller()
  class ContactListener {
    @EventPattern<string>(topic)
    async onContactChanged(@Payload() event: IntegrationEvent, @Ctx() context: MessageBusContext): Promise<void> {
      await recorder.handle('contacts', event, context);
    }
  }

  @Controller()
  class AuditListener {
    @EventPattern<string>(topic)
    async onAnyChange(@Payload() event: IntegrationEvent, @Ctx() context: MessageBusContext): Promise<void> {
      await recorder.handle('audit', event, context);
    }
  }

  @Module({ controllers: [ContactListener, AuditListener] })
  class ListenerModule {}

  return ListenerModule;
}

function transportSuite(createBus: () => MessageBus): void {
  let bus: MessageBus;
  let topic: string;
  let group: string;
  let recorder: Recorder;
  let processedEvents: InMemoryProcessedEventLog;
  const microservices: INestMicroservice[] = [];

  const startMicroservice = async (): Promise<INestMicroservice> => {
    const { NestFactory } = await import('@nestjs/core');
    const strategy = new MessageBusTransport({ bus, group, processedEvents, maxAttempts: 3 });
    const microservice = await NestFactory.createMicroservice(await defineListenerModule(topic, recorder), { strategy, logger: false });
    microservice.useGlobalFilters(new PropagateHandlerErrorsFilter());
    await microservice.listen();
    microservices.push(microservice);
    return microservice;
  };

  beforeEach(() => {
    bus = createBus();
    topic = `nest-transport.${randomUUID().slice(0, 8)}`;
    group = `listener-${randomUUID().slice(0, 8)}`;
    recorder = new Recorder();
    processedEvents = new InMemoryProcessedEventLog();
  });

  afterEach(async () => {
    for (const microservice of microservices.splice(0)) await microservice.close();
    await bus.close();
  });

  it('runs every @EventPattern handler of the topic with the event as payload and the delivery as context', async () => {
    await startMicroservice();
    const event = newEvent('contact-1', { firstName: 'Ada' });

    await bus.publish(topic, [event]);

    await eventually(() => recorder.handled.length === 2, { description: 'both handlers' });
    expect(recorder.handled).toEqual(
      expect.arrayContaining([
        { handler: 'contacts', eventId: event.id, topic, attempt: 1 },
        { handler: 'audit', eventId: event.id, topic, attempt: 1 },
      ]),
    );
  });

  it('runs the handlers once for an event delivered twice (deduplicated by event id)', async () => {
    await startMicroservice();
    const [event, next] = [newEvent('contact-1'), newEvent('contact-1')];

    await bus.publish(topic, [event]);
    await bus.publish(topic, [event, next]);

    await eventually(() => recorder.idsHandledBy('contacts').includes(next.id), { description: 'the event after the duplicate' });
    expect(recorder.idsHandledBy('contacts')).toEqual([event.id, next.id]);
  });

  it('retries a failing handler, then dead-letters the event with the handler’s own error, and goes on', async () => {
    await startMicroservice();
    const [poison, next] = [newEvent('contact-1', { companyId: 'c-404' }), newEvent('contact-1')];
    recorder.failingEventIds.add(poison.id);

    await bus.publish(topic, [poison, next]);

    await eventually(() => recorder.idsHandledBy('contacts').includes(next.id), { description: 'the event after the poison one' });
    const attempts = recorder.handled.filter(({ handler, eventId }) => handler === 'contacts' && eventId === poison.id).map(({ attempt }) => attempt);
    expect(attempts).toEqual([1, 2, 3]);
    const deadLetters: { event: IntegrationEvent; reason?: string }[] = [];
    await bus.consume({
      group: `dlq-reader-${randomUUID().slice(0, 8)}`,
      topics: [deadLetterTopic(topic)],
      handler: async (event, context) => void deadLetters.push({ event, reason: context.headers?.[DEAD_LETTER_HEADERS.reason] }),
    });
    await eventually(() => deadLetters.length === 1, { description: 'the dead letter' });
    expect(deadLetters[0].event).toEqual(poison);
    expect(deadLetters[0].reason).toContain('company c-404 unknown');
  });

  it('stops consuming on close and resumes after the last handled event on the next start', async () => {
    const microservice = await startMicroservice();
    const before = newEvent('contact-1');
    await bus.publish(topic, [before]);
    await eventually(() => recorder.idsHandledBy('contacts').includes(before.id), { description: 'the first event' });

    await microservice.close();
    microservices.splice(microservices.indexOf(microservice), 1);
    const whileStopped = newEvent('contact-1');
    await bus.publish(topic, [whileStopped]);
    await startMicroservice();

    await eventually(() => recorder.idsHandledBy('contacts').includes(whileStopped.id), { description: 'the event published while stopped' });
    expect(recorder.idsHandledBy('contacts')).toEqual([before.id, whileStopped.id]);
  });

  it('refuses request/response handlers: the bus carries events only', async () => {
    const { Controller, Module } = await import('@nestjs/common');
    const { MessagePattern } = await import('@nestjs/microservices');
    const { NestFactory } = await import('@nestjs/core');
    @Controller()
    class AskingController {
      @MessagePattern(topic)
      answer(): string {
        return 'no';
      }
    }
    @Module({ controllers: [AskingController] })
    class AskingModule {}
    const strategy = new MessageBusTransport({ bus, group, processedEvents });

    const microservice = await NestFactory.createMicroservice(AskingModule, { strategy, logger: false, abortOnError: false });
    microservices.push(microservice);

    // Nest registers the handlers when the microservice initialises.
    await expect(microservice.listen()).rejects.toThrow(/use @EventPattern/);
  });
}

describeWithNest('MessageBusTransport: @EventPattern handlers over the embedded bus', () => {
  transportSuite(() => createInMemoryBus({ pollIntervalMs: 20, retryBackoff: { initialDelayMs: 5, maxDelayMs: 20 }, logger: silentBusLogger }));
});

describeWithKafka('MessageBusTransport over Kafka', (brokers) => {
  describeWithNest('@EventPattern handlers over the local Apache Kafka broker', () => {
    transportSuite(
      () =>
        new KafkaMessageBus({
          brokers: brokers.split(','),
          clientId: 'nest-transport-spec',
          retryBackoff: { initialDelayMs: 5, maxDelayMs: 20 },
          heartbeatIntervalMs: 300,
          maxWaitTimeMs: 200,
          logger: silentBusLogger,
        }),
    );
  });
});

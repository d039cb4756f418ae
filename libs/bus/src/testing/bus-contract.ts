import { randomUUID } from 'node:crypto';
import { newTestIntegrationEvent as newEvent } from './test-events';
import { eventually } from '@crm/testing';
import { consumeIdempotently, idempotentHandler, InMemoryProcessedEventLog } from '../idempotent-consumer';
import {
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  type DeliveryContext,
  type IntegrationEvent,
  type MessageBus,
} from '../message-bus.port';

export interface MessageBusContractHarness {
  /** A bus on fresh storage. Its retry backoff should be short (tens of ms): the contract exercises retries. */
  create(): Promise<MessageBus>;
  /** Another bus on the storage of the last `create()`, as a restarted or second process would open it. */
  reopen?(): Promise<MessageBus>;
  /** Cleans up after each test, once the contract has closed every bus it was given (which closes their consumers). */
  dispose?(): Promise<void>;
}

interface Delivery {
  event: IntegrationEvent;
  context: DeliveryContext;
}

/** Collects what a consumer receives. */
class Inbox {
  readonly deliveries: Delivery[] = [];

  readonly handler = async (event: IntegrationEvent, context: DeliveryContext): Promise<void> => {
    this.deliveries.push({ event, context });
  };

  ids(): string[] {
    return this.deliveries.map(({ event }) => event.id);
  }

  idsOf(subject: string): string[] {
    return this.deliveries.filter(({ event }) => event.subject === subject).map(({ event }) => event.id);
  }

  async waitFor(events: readonly IntegrationEvent[]): Promise<void> {
    await eventually(() => events.every((event) => this.ids().includes(event.id)), {
      description: `delivery of ${events.length} event(s); got ${this.deliveries.length} so far`,
    });
  }
}

/** Topics and groups are unique per test, because a real broker keeps them between tests. */
function uniqueName(prefix: string): string {
  return `contract.${prefix}.${randomUUID().slice(0, 8)}`;
}


/** A handler that can be held until the test lets it go on, to have a message in flight at a chosen moment. */
function holdable(): { hold: Promise<void>; fail(error: Error): void } {
  let fail!: (error: Error) => void;
  const hold = new Promise<void>((_, reject) => {
    fail = reject;
  });
  return { hold, fail };
}

/** The behaviour every MessageBus adapter must have (embedded now, Kafka later). */
export function messageBusContract(adapterName: string, harness: MessageBusContractHarness): void {
  describe(`MessageBus contract: ${adapterName}`, () => {
    let buses: MessageBus[] = [];
    let bus: MessageBus;

    const reopenOrReuse = async (): Promise<MessageBus> => {
      if (!harness.reopen) return bus;
      const reopened = await harness.reopen();
      buses.push(reopened);
      return reopened;
    };

    beforeEach(async () => {
      bus = await harness.create();
      buses = [bus];
    });

    afterEach(async () => {
      for (const opened of buses.reverse()) await opened.close();
      await harness.dispose?.();
    });

    it('delivers published events with their envelope intact, including those published before the group started', async () => {
      const topic = uniqueName('envelope');
      const earlier = newEvent('contact-1', { name: 'Zoë Ångström', tags: ['vip'], score: 4.5, address: null });
      const later = newEvent('contact-1', { nested: { deep: [1, 2, { x: 'y' }] } });
      await bus.publish(topic, [earlier]);

      const inbox = new Inbox();
      await bus.consume({ group: uniqueName('group'), topics: [topic], handler: inbox.handler });
      await bus.publish(topic, [later]);

      await inbox.waitFor([earlier, later]);
      expect(inbox.deliveries.map(({ event }) => event)).toEqual([earlier, later]);
      expect(inbox.deliveries[0].context).toMatchObject({ topic, attempt: 1 });
    });

    it('keeps the order of the events of each key', async () => {
      const topic = uniqueName('order');
      const keys = ['a', 'b', 'c'].map((key) => `${key}-${randomUUID()}`);
      const publishedByKey = new Map(keys.map((key) => [key, [] as string[]]));
      const all: IntegrationEvent[] = [];
      const inbox = new Inbox();
      await bus.consume({ group: uniqueName('group'), topics: [topic], handler: inbox.handler });

      for (let round = 0; round < 5; round++) {
        const batch = keys.flatMap((key) => [newEvent(key, { round }), newEvent(key, { round })]);
        for (const event of batch) publishedByKey.get(event.subject)?.push(event.id);
        all.push(...batch);
        await bus.publish(topic, batch);
      }

      await inbox.waitFor(all);
      for (const key of keys) expect(inbox.idsOf(key)).toEqual(publishedByKey.get(key));
    });

    it('delivers every event to each group', async () => {
      const topic = uniqueName('fan-out');
      const events = Array.from({ length: 10 }, (_, n) => newEvent(`deal-${n % 3}`));
      const sales = new Inbox();
      const analytics = new Inbox();
      await bus.consume({ group: uniqueName('sales'), topics: [topic], handler: sales.handler });
      await bus.consume({ group: uniqueName('analytics'), topics: [topic], handler: analytics.handler });

      await bus.publish(topic, events);

      await sales.waitFor(events);
      await analytics.waitFor(events);
      expect(sales.ids().sort()).toEqual(events.map(({ id }) => id).sort());
      expect(analytics.ids().sort()).toEqual(events.map(({ id }) => id).sort());
    });

    it('delivers each event once to a group, even with two consumers in it', async () => {
      const topic = uniqueName('one-group');
      const group = uniqueName('group');
      const inbox = new Inbox();
      const otherBus = await reopenOrReuse();
      await bus.consume({ group, topics: [topic], handler: inbox.handler });
      await otherBus.consume({ group, topics: [topic], handler: inbox.handler });

      const events = Array.from({ length: 20 }, (_, n) => newEvent(`ticket-${n % 4}`));
      await bus.publish(topic, events.slice(0, 10));
      await otherBus.publish(topic, events.slice(10));
      await inbox.waitFor(events);
      // A later event arriving shows that no stray copy of the earlier ones was still on its way.
      const marker = newEvent('marker');
      await bus.publish(topic, [marker]);
      await inbox.waitFor([marker]);

      expect(inbox.ids()).toHaveLength(events.length + 1);
      expect(new Set(inbox.ids()).size).toBe(events.length + 1);
    });

    it('resumes after the last committed event when a consumer restarts, redelivering the one in flight', async () => {
      const topic = uniqueName('restart');
      const group = uniqueName('group');
      const [first, second, third] = [newEvent('k'), newEvent('k'), newEvent('k')];
      await bus.publish(topic, [first, second, third]);

      const seenBeforeRestart: string[] = [];
      const inFlight = holdable();
      const consumer = await bus.consume({
        group,
        topics: [topic],
        handler: async (event) => {
          seenBeforeRestart.push(event.id);
          if (event.id === second.id) await inFlight.hold;
        },
      });
      await eventually(() => seenBeforeRestart.includes(second.id), { description: 'the second event in flight' });
      const closed = consumer.close();
      inFlight.fail(new Error('interrupted by shutdown'));
      await closed;
      expect(seenBeforeRestart).toEqual([first.id, second.id]);

      let restartedBus = bus;
      if (harness.reopen) {
        await bus.close();
        buses = buses.filter((opened) => opened !== bus);
        restartedBus = await reopenOrReuse();
      }
      const fourth = newEvent('k');
      await restartedBus.publish(topic, [fourth]);
      const inbox = new Inbox();
      await restartedBus.consume({ group, topics: [topic], handler: inbox.handler });

      await inbox.waitFor([fourth]);
      expect(inbox.ids()).toEqual([second.id, third.id, fourth.id]);
    });

    it('retries a failing handler, then dead-letters the event to <topic>.dlq and goes on', async () => {
      const topic = uniqueName('poison');
      const group = uniqueName('group');
      const [before, poison, after] = [newEvent('a'), newEvent('p'), newEvent('a')];
      const attempts: number[] = [];
      const inbox = new Inbox();
      await bus.consume({
        group,
        topics: [topic],
        maxAttempts: 3,
        handler: async (event, context) => {
          if (event.id === poison.id) {
            attempts.push(context.attempt);
            throw new Error('cannot handle this poison event');
          }
          await inbox.handler(event, context);
        },
      });

      await bus.publish(topic, [before, poison, after]);

      await inbox.waitFor([before, after]);
      expect(inbox.ids()).toEqual([before.id, after.id]);

      const deadLetters = new Inbox();
      await bus.consume({ group: uniqueName('dlq-reader'), topics: [deadLetterTopic(topic)], handler: deadLetters.handler });
      await deadLetters.waitFor([poison]);
      // Checked once the poison event is dead-lettered: with several partitions (Kafka), an event of
      // another key may well arrive before the poison event's last attempt.
      expect(attempts).toEqual([1, 2, 3]);
      expect(deadLetters.deliveries).toHaveLength(1);
      const [deadLetter] = deadLetters.deliveries;
      expect(deadLetter.event).toEqual(poison);
      expect(deadLetter.context.topic).toBe(deadLetterTopic(topic));
      expect(deadLetter.context.headers?.[DEAD_LETTER_HEADERS.reason]).toContain('cannot handle this poison event');
      expect(deadLetter.context.headers?.[DEAD_LETTER_HEADERS.originalTopic]).toBe(topic);
      expect(deadLetter.context.headers?.[DEAD_LETTER_HEADERS.consumerGroup]).toBe(group);
    });

    it('runs the handler once for an event published twice, through the idempotent consumer', async () => {
      const topic = uniqueName('duplicate');
      const [event, other] = [newEvent('d'), newEvent('d')];
      await bus.publish(topic, [event]);
      await bus.publish(topic, [event, other]);

      const effects: string[] = [];
      await consumeIdempotently(bus, {
        group: uniqueName('group'),
        topics: [topic],
        processedEvents: new InMemoryProcessedEventLog(),
        handler: async ({ id }) => {
          effects.push(id);
        },
      });

      await eventually(() => effects.includes(other.id), { description: 'the event after the duplicate' });
      expect(effects).toEqual([event.id, other.id]);
    });

    it('ignores, through the idempotent consumer, an event redelivered after a crash before the commit', async () => {
      const topic = uniqueName('redelivery');
      const group = uniqueName('group');
      const event = newEvent('r');
      const processedEvents = new InMemoryProcessedEventLog();
      const effects: string[] = [];
      const deliveries: string[] = [];
      const applyEffect = idempotentHandler(group, processedEvents, async ({ id }) => {
        effects.push(id);
      });
      await bus.publish(topic, [event]);

      const crashAfterEffect = holdable();
      const consumer = await bus.consume({
        group,
        topics: [topic],
        handler: async (delivered, context) => {
          deliveries.push(delivered.id);
          await applyEffect(delivered, context);
          await crashAfterEffect.hold;
        },
      });
      await eventually(() => effects.length === 1, { description: 'the effect' });
      const closed = consumer.close();
      crashAfterEffect.fail(new Error('process died before the offset was committed'));
      await closed;

      await bus.consume({
        group,
        topics: [topic],
        handler: async (delivered, context) => {
          deliveries.push(delivered.id);
          await applyEffect(delivered, context);
        },
      });
      await eventually(() => deliveries.length === 2, { description: 'the redelivery' });
      expect(effects).toEqual([event.id]);
    });
  });
}

import { newTestIntegrationEvent } from './testing/test-events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { eventually } from '@crm/testing';
import { createInMemoryBus, EmbeddedMessageBus, type EmbeddedBusOptions } from './embedded-bus';
import { silentBusLogger } from './logger';
import { deadLetterTopic, type IntegrationEvent } from './message-bus.port';
import { messageBusContract } from './testing';

/** Quick polling and retries, so that the suite runs in seconds. */
const fastSettings: Omit<EmbeddedBusOptions, 'path'> = {
  pollIntervalMs: 20,
  retryBackoff: { initialDelayMs: 5, maxDelayMs: 20 },
  leaseTtlMs: 2_000,
  logger: silentBusLogger,
};

let directory = '';
const busFile = (): string => join(directory, 'bus.sqlite');

messageBusContract('embedded, SQLite file', {
  async create() {
    directory = mkdtempSync(join(tmpdir(), 'crm-bus-'));
    return new EmbeddedMessageBus({ path: busFile(), ...fastSettings });
  },
  async reopen() {
    return new EmbeddedMessageBus({ path: busFile(), ...fastSettings });
  },
  async dispose() {
    rmSync(directory, { recursive: true, force: true });
  },
});

messageBusContract('embedded, in memory', {
  async create() {
    return createInMemoryBus(fastSettings);
  },
});


const newEvent = (subject: string): IntegrationEvent => newTestIntegrationEvent(subject, {});

describe('EmbeddedMessageBus', () => {
  const buses: EmbeddedMessageBus[] = [];
  const openBus = (options: Partial<EmbeddedBusOptions> = {}): EmbeddedMessageBus => {
    const bus = new EmbeddedMessageBus({ path: busFile(), ...fastSettings, ...options });
    buses.push(bus);
    return bus;
  };
  const countMessages = (topic: string): number => {
    const database = new DatabaseSync(busFile(), { readOnly: true });
    try {
      return (database.prepare('SELECT count(*) AS count FROM messages WHERE topic = ?').get(topic) as { count: number })
        .count;
    } finally {
      database.close();
    }
  };

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'crm-bus-'));
  });

  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('stores an event id once per topic, so re-publishing is a no-op', async () => {
    const bus = openBus();
    const event = newEvent('a');
    await bus.publish('contacts', [event]);
    await bus.publish('contacts', [event, event]);

    expect(countMessages('contacts')).toBe(1);
  });

  it('starts a new group at the end of the log when fromBeginning is false', async () => {
    const bus = openBus();
    const old = newEvent('a');
    const fresh = newEvent('a');
    await bus.publish('contacts', [old]);
    const received: string[] = [];
    await bus.consume({ group: 'late', topics: ['contacts'], fromBeginning: false, handler: async ({ id }) => void received.push(id) });

    await bus.publish('contacts', [fresh]);

    await eventually(() => received.includes(fresh.id));
    expect(received).toEqual([fresh.id]);
  });

  it('keeps a second consumer of a group on standby until the active one closes', async () => {
    const active = openBus();
    const standby = openBus();
    const receivedByActive: string[] = [];
    const receivedByStandby: string[] = [];
    const activeConsumer = await active.consume({ group: 'sales', topics: ['deals'], handler: async ({ id }) => void receivedByActive.push(id) });
    await standby.consume({ group: 'sales', topics: ['deals'], handler: async ({ id }) => void receivedByStandby.push(id) });
    const [first, second] = [newEvent('d'), newEvent('d')];

    await active.publish('deals', [first]);
    await eventually(() => receivedByActive.includes(first.id));
    await activeConsumer.close();
    await standby.publish('deals', [second]);

    await eventually(() => receivedByStandby.includes(second.id));
    expect(receivedByActive).toEqual([first.id]);
    expect(receivedByStandby).toEqual([second.id]);
  });

  it('gives up on a handler that outlasts the drain timeout, and redelivers its message', async () => {
    const bus = openBus({ drainTimeoutMs: 50 });
    const stuck = newEvent('s');
    await bus.publish('tickets', [stuck]);
    let started = false;
    const consumer = await bus.consume({
      group: 'service',
      topics: ['tickets'],
      handler: () => {
        started = true;
        return new Promise<void>(() => undefined);
      },
    });
    await eventually(() => started);

    await consumer.close();

    const received: string[] = [];
    await bus.consume({ group: 'service', topics: ['tickets'], handler: async ({ id }) => void received.push(id) });
    await eventually(() => received.includes(stuck.id));
  });

  it('closes promptly during a retry backoff, without dead-lettering the message', async () => {
    const bus = openBus({ retryBackoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    await bus.publish('tickets', [newEvent('t')]);
    let attempts = 0;
    const consumer = await bus.consume({
      group: 'service',
      topics: ['tickets'],
      maxAttempts: 2,
      handler: async () => {
        attempts++;
        throw new Error('downstream unavailable');
      },
    });
    await eventually(() => attempts === 1);

    await consumer.close();

    expect(attempts).toBe(1);
    expect(countMessages(deadLetterTopic('tickets'))).toBe(0);
  }, 5_000);

  it('keeps one dead letter per failing group', async () => {
    const bus = openBus();
    await bus.publish('deals', [newEvent('d')]);
    const failing = async (): Promise<void> => {
      throw new Error('broken');
    };
    await bus.consume({ group: 'analytics', topics: ['deals'], maxAttempts: 1, handler: failing });
    await bus.consume({ group: 'marketing', topics: ['deals'], maxAttempts: 1, handler: failing });

    await eventually(() => countMessages(deadLetterTopic('deals')) === 2);
  });

  it('rejects events without an id or a subject, and publishing on a closed bus', async () => {
    const bus = openBus();
    await expect(bus.publish('contacts', [{ ...newEvent('a'), id: '' }])).rejects.toThrow(TypeError);
    await expect(bus.publish('contacts', [{ ...newEvent('a'), subject: '' }])).rejects.toThrow(TypeError);

    await bus.close();

    await expect(bus.publish('contacts', [newEvent('a')])).rejects.toThrow(/closed/);
  });
});

import { newTestEvent } from '@crm/eventstore/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore, type RecordedEvent } from '@crm/eventstore';
import { eventually } from '@crm/testing';
import { type CheckpointStore, InMemoryCheckpointStore, SqliteCheckpointStore } from './checkpoint-store';
import { createInMemoryBus, type EmbeddedMessageBus } from './embedded-bus';
import { silentBusLogger } from './logger';
import type { IntegrationEvent, MessageBus } from './message-bus.port';
import { integrationEventFrom, integrationEventId, IntegrationEventRelay, type IntegrationEventMapper } from './relay';

const TOPIC = 'crm.contacts.events';
const RELAY = 'contacts.integration-relay';

/** Announces every contact event except notes, which stay internal to the service. */
const mapContactEvent: IntegrationEventMapper = (recorded) =>
  recorded.type === 'NoteAdded'
    ? []
    : [
        {
          topic: TOPIC,
          event: integrationEventFrom(recorded, {
            source: '/crm/contacts',
            type: `crm.contacts.contact.${recorded.type.toLowerCase()}.v1`,
            dataschema: 'crm.contacts.v1.ContactEvent',
            subject: recorded.streamName,
            data: recorded.data,
          }),
        },
      ];

/** Records what reaches the bus; `failNextPublish` makes the next publish fail once. */
class RecordingBus implements MessageBus {
  readonly publishedIds: string[] = [];
  publishCalls = 0;
  failNextPublish = false;

  constructor(private readonly inner: MessageBus) {}

  async publish(topic: string, events: IntegrationEvent[]): Promise<void> {
    if (this.failNextPublish) {
      this.failNextPublish = false;
      throw new Error('broker unavailable');
    }
    await this.inner.publish(topic, events);
    this.publishCalls++;
    this.publishedIds.push(...events.map(({ id }) => id));
  }

  consume: MessageBus['consume'] = (options) => this.inner.consume(options);
  close = (): Promise<void> => this.inner.close();
}

/** Simulates a crash after the publish and before the checkpoint: the first `set` fails. */
class CrashingOnceCheckpointStore implements CheckpointStore {
  private crashed = false;

  constructor(private readonly inner: CheckpointStore) {}

  get(name: string): Promise<number | undefined> {
    return this.inner.get(name);
  }

  async set(name: string, position: number): Promise<void> {
    if (!this.crashed) {
      this.crashed = true;
      throw new Error('process died before the checkpoint');
    }
    await this.inner.set(name, position);
  }
}

describe('IntegrationEventRelay', () => {
  let eventStore: InMemoryEventStore;
  let embeddedBus: EmbeddedMessageBus;
  let bus: RecordingBus;
  let received: IntegrationEvent[];
  const relays: IntegrationEventRelay[] = [];

  const append = async (streamName: string, type: string, data: unknown = {}): Promise<void> => {
    await eventStore.append(streamName, [newTestEvent({ type, data })], 'any');
  };

  const startRelay = async (checkpoints: CheckpointStore, map = mapContactEvent): Promise<IntegrationEventRelay> => {
    const relay = new IntegrationEventRelay({
      name: RELAY,
      eventStore,
      bus,
      checkpoints,
      map,
      retryBackoff: { initialDelayMs: 5, maxDelayMs: 20 },
      logger: silentBusLogger,
    });
    relays.push(relay);
    await relay.start();
    return relay;
  };

  const checkpointReaches = async (checkpoints: CheckpointStore, position: number): Promise<void> => {
    await eventually(async () => ((await checkpoints.get(RELAY)) ?? -1) >= position, {
      description: `relay checkpoint at ${position}`,
    });
  };

  beforeEach(async () => {
    eventStore = new InMemoryEventStore();
    embeddedBus = createInMemoryBus({ pollIntervalMs: 20, logger: silentBusLogger });
    bus = new RecordingBus(embeddedBus);
    received = [];
    await embeddedBus.consume({ group: 'sales', topics: [TOPIC], handler: async (event) => void received.push(event) });
  });

  afterEach(async () => {
    for (const relay of relays.splice(0)) await relay.stop();
    await embeddedBus.close();
    await eventStore.close();
  });

  it('publishes the mapped events in log order, in one batch when catching up, then checkpoints', async () => {
    await append('contact-1', 'Created', { name: 'Ada' });
    await append('contact-2', 'Created', { name: 'Grace' });
    await append('contact-1', 'NoteAdded');
    await append('contact-1', 'Renamed', { name: 'Ada L.' });
    const recorded = await eventStore.readAll();
    const checkpoints = new InMemoryCheckpointStore();

    await startRelay(checkpoints);

    await checkpointReaches(checkpoints, await eventStore.headPosition());
    await eventually(() => received.length === 3);
    const announced = recorded.filter(({ type }) => type !== 'NoteAdded');
    expect(received.map(({ causationid }) => causationid)).toEqual(announced.map(({ eventId }) => eventId));
    expect(received.map(({ subject, data }) => ({ subject, data }))).toEqual([
      { subject: 'contact-1', data: { name: 'Ada' } },
      { subject: 'contact-2', data: { name: 'Grace' } },
      { subject: 'contact-1', data: { name: 'Ada L.' } },
    ]);
    expect(bus.publishCalls).toBe(1);
  });

  it('publishes live events as they are appended', async () => {
    const checkpoints = new InMemoryCheckpointStore();
    await startRelay(checkpoints);

    await append('contact-1', 'Created');
    await eventually(() => received.length === 1);
    await append('contact-1', 'Renamed');
    await eventually(() => received.length === 2);

    await checkpointReaches(checkpoints, await eventStore.headPosition());
  });

  it('republishes after a crash between publish and checkpoint, and the repeat is not delivered again', async () => {
    await append('contact-1', 'Created');
    await append('contact-1', 'Renamed');
    const checkpoints = new InMemoryCheckpointStore();

    await startRelay(new CrashingOnceCheckpointStore(checkpoints));

    await checkpointReaches(checkpoints, await eventStore.headPosition());
    // Same ids twice on the bus: the relay really did publish again.
    expect(bus.publishedIds).toHaveLength(4);
    expect(new Set(bus.publishedIds).size).toBe(2);
    await append('contact-1', 'Archived');
    await eventually(() => received.length === 3);
    expect(new Set(received.map(({ id }) => id)).size).toBe(3);
  });

  it('resumes from its stored checkpoint after a restart', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'crm-relay-'));
    try {
      await append('contact-1', 'Created');
      await append('contact-2', 'Created');
      const before = new SqliteCheckpointStore(join(directory, 'contacts.sqlite'));
      const relay = await startRelay(before);
      await checkpointReaches(before, await eventStore.headPosition());
      await relay.stop();
      before.close();
      const publishedBeforeRestart = bus.publishedIds.length;

      await append('contact-3', 'Created');
      await append('contact-1', 'Renamed');
      const after = new SqliteCheckpointStore(join(directory, 'contacts.sqlite'));
      await startRelay(after);
      await checkpointReaches(after, await eventStore.headPosition());
      after.close();

      expect(publishedBeforeRestart).toBe(2);
      expect(bus.publishedIds).toHaveLength(4);
      await eventually(() => received.length === 4);
      expect(received.map(({ subject }) => subject)).toEqual(['contact-1', 'contact-2', 'contact-3', 'contact-1']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('resubscribes from its checkpoint after a failure, losing nothing and keeping the order', async () => {
    await append('contact-1', 'Created');
    await append('contact-1', 'Renamed');
    await append('contact-1', 'Archived');
    let mapperFailures = 0;
    const mapperFailingOnRenamed: IntegrationEventMapper = (recorded) => {
      if (recorded.type === 'Renamed' && mapperFailures++ === 0) throw new Error('mapper bug, fixed on retry');
      return mapContactEvent(recorded);
    };
    const checkpoints = new InMemoryCheckpointStore();
    bus.failNextPublish = true;

    await startRelay(checkpoints, mapperFailingOnRenamed);

    await checkpointReaches(checkpoints, await eventStore.headPosition());
    await eventually(() => received.length === 3);
    expect(received.map(({ type }) => type)).toEqual([
      'crm.contacts.contact.created.v1',
      'crm.contacts.contact.renamed.v1',
      'crm.contacts.contact.archived.v1',
    ]);
  });

  it('stores the position the store reports past events it filtered out', async () => {
    await append('contact-1', 'Created');
    await append('contact-1', 'NoteAdded');
    await append('contact-1', 'NoteAdded');
    const checkpoints = new InMemoryCheckpointStore();

    await startRelay(checkpoints);

    await checkpointReaches(checkpoints, await eventStore.headPosition());
    expect(received).toHaveLength(1);
  });
});

describe('integrationEventFrom', () => {
  const recorded: RecordedEvent = {
    eventId: 'e6b3e0a6-0d8a-4f49-9d7e-8f2f3b4c5d6e',
    type: 'Created',
    data: { name: 'Ada' },
    metadata: {
      tenantId: 'tenant-1',
      actorId: 'user-1',
      correlationId: 'correlation-1',
      causationId: 'command-1',
      occurredAt: '2026-01-02T03:04:05.000Z',
      schemaVersion: 1,
    },
    streamName: 'contact-1',
    revision: 0,
    position: 1,
    recordedAt: '2026-01-02T03:04:05.010Z',
  };
  const fields = {
    source: '/crm/contacts',
    type: 'crm.contacts.contact.created.v1',
    dataschema: 'crm.contacts.v1.ContactEvent',
    subject: 'contact-1',
    data: { name: 'Ada' },
  };

  it('derives the id from the source event, so mapping again gives the same envelope', () => {
    const event = integrationEventFrom(recorded, fields);

    expect(integrationEventFrom(recorded, fields)).toEqual(event);
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event).toMatchObject({
      time: recorded.metadata.occurredAt,
      tenantid: 'tenant-1',
      correlationid: 'correlation-1',
      causationid: recorded.eventId,
    });
  });

  it('gives different ids to different integration events announcing the same domain event', () => {
    expect(integrationEventId(recorded.eventId, 'a.v1')).not.toBe(integrationEventId(recorded.eventId, 'b.v1'));
    expect(integrationEventFrom(recorded, { ...fields, type: 'crm.contacts.contact.registered.v1' }).id).not.toBe(
      integrationEventFrom(recorded, fields).id,
    );
  });
});

import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, UnavailableError, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import { eventually } from '@crm/testing';
import {
  DuplicateEventIdError,
  EventStoreClosedError,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from './event-store.port';
import type { KurrentDbClient } from './kurrentdb-client';
import { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb-event-store';
import {
  EVENT_ID_NAMESPACE,
  isConnectionError,
  isTransientError,
  kurrentEventIdOf,
  literalRegex,
  toPortPosition,
  toStreamState,
  uuidV5,
} from './kurrentdb-mapping';
import { SimulatedKurrentDb } from './kurrentdb-simulator';
import { eventStoreContract, newTestEvent as newEvent } from './testing';

const silentLogger = { warn: () => undefined };

function recordingLogger() {
  const warnings: Record<string, unknown>[] = [];
  return { warnings, warn: (details: Record<string, unknown>) => void warnings.push(details) };
}

describe('KurrentDbEventStore', () => {
  describe('on a simulated KurrentDB that reports little (older server, first position of an append)', () => {
    let server: SimulatedKurrentDb;
    eventStoreContract('KurrentDbEventStore (simulated server)', {
      create: async () => {
        server = new SimulatedKurrentDb();
        return new KurrentDbEventStore({ client: server.client(), logger: silentLogger });
      },
      reopen: async () => new KurrentDbEventStore({ client: server.client(), logger: silentLogger }),
    });
  });

  describe('on a simulated KurrentDB that reports the last position of an append and resends subscription starts', () => {
    let server: SimulatedKurrentDb;
    eventStoreContract('KurrentDbEventStore (simulated server, other choices)', {
      create: async () => {
        server = new SimulatedKurrentDb();
        Object.assign(server.options, { inclusiveSubscriptionStart: true, multiEventAppendPosition: 'last' });
        return new KurrentDbEventStore({ client: server.client(), logger: silentLogger });
      },
      reopen: async () => new KurrentDbEventStore({ client: server.client(), logger: silentLogger }),
    });
  });

  describe('specific to KurrentDB', () => {
    let server: SimulatedKurrentDb;
    let stores: KurrentDbEventStore[];
    let subscriptions: Subscription[];
    const openStore = (options: Partial<KurrentDbEventStoreOptions> = {}, client: KurrentDbClient = server.client()) => {
      const store = new KurrentDbEventStore({ client, logger: silentLogger, ...options } as KurrentDbEventStoreOptions);
      stores.push(store);
      return store;
    };
    const subscribe = (store: KurrentDbEventStore, options: SubscribeToAllOptions) => {
      const subscription = store.subscribeToAll(options);
      subscriptions.push(subscription);
      return subscription;
    };

    beforeEach(() => {
      server = new SimulatedKurrentDb();
      stores = [];
      subscriptions = [];
    });

    afterEach(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      for (const store of stores) await store.close();
    });

    describe('event ids', () => {
      it('maps ids to name-based v5 UUIDs, as published for RFC 9562', () => {
        expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
        const id = '01JBQ7ZK2M8Y3V4W5X6Y7Z8A9B';
        expect(kurrentEventIdOf(id)).toBe(uuidV5(EVENT_ID_NAMESPACE, id));
        expect(kurrentEventIdOf(id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(kurrentEventIdOf(id)).toBe(kurrentEventIdOf(id));
        expect(kurrentEventIdOf(id)).not.toBe(kurrentEventIdOf(`${id.slice(0, -1)}C`));
      });

      it('sends the same UUID from every process, and reads back the original id', async () => {
        const event = newEvent();
        await openStore().append('order-1', [event], 'no_stream');
        await expect(openStore().append('order-2', [event], 'no_stream')).resolves.toBeDefined();

        expect(server.appendCalls.map((call) => call.events[0]!.id)).toEqual([kurrentEventIdOf(event.eventId), kurrentEventIdOf(event.eventId)]);
        expect(server.records.find((record) => record.streamId === 'order-1')!.id).toBe(kurrentEventIdOf(event.eventId));
        const [read] = await openStore().readStream('order-1');
        expect(read!.eventId).toBe(event.eventId);
      });

      it('lets KurrentDB recognise a retry from another process at an exact revision, returning the original result', async () => {
        const events = [newEvent(), newEvent()];
        const original = await openStore().append('order-1', events, 'no_stream');
        await openStore().append('order-1', [newEvent()], 1);

        const retried = await openStore().append('order-1', events, 'no_stream');

        expect(retried).toEqual(original);
        expect(server.records.filter((record) => record.streamId === 'order-1')).toHaveLength(3);
      });

      it('refuses, after a conflict, an id of another process that stands where the append wanted to write', async () => {
        const [first, second] = [newEvent(), newEvent()];
        await openStore().append('order-1', [first, second], 'no_stream');

        const error = await openStore().append('order-1', [second, newEvent()], 0).catch((caught: unknown) => caught);

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ eventId: second.eventId });
      });

      it("cannot see ids another process stored in other streams (KurrentDB has no index by event id: the documented gap)", async () => {
        const event = newEvent();
        await openStore().append('order-1', [event], 'no_stream');
        await expect(openStore().append('order-2', [event], 'no_stream')).resolves.toMatchObject({ nextExpectedRevision: 0 });
      });

      it('forgets the oldest ids beyond its capacity', async () => {
        const store = openStore({ recentEventIds: 2 });
        const [oldest, middle, newest] = [newEvent(), newEvent(), newEvent()];
        await store.append('a', [oldest], 'no_stream');
        await store.append('b', [middle], 'no_stream');
        await store.append('c', [newest], 'no_stream');

        await expect(store.append('d', [middle], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventIdError);
        await expect(store.append('e', [oldest], 'no_stream')).resolves.toBeDefined();
      });
    });

    describe('expected revisions', () => {
      it('maps to KurrentDB stream states, -1 meaning no stream', () => {
        expect(toStreamState('no_stream')).toBe('no_stream');
        expect(toStreamState('stream_exists')).toBe('stream_exists');
        expect(toStreamState('any')).toBe('any');
        expect(toStreamState(-1)).toBe('no_stream');
        expect(toStreamState(0)).toBe(0n);
        expect(toStreamState(41)).toBe(41n);
      });

      it('sends the stream state with each append', async () => {
        const store = openStore();
        await store.append('order-1', [newEvent()], 'no_stream');
        await store.append('order-1', [newEvent()], 0);
        await store.append('order-1', [newEvent()], 'stream_exists');
        await store.append('order-1', [newEvent()], 'any');
        await store.append('order-2', [newEvent()], -1);

        expect(server.appendCalls.map((call) => call.streamState)).toEqual(['no_stream', 0n, 'stream_exists', 'any', 'no_stream']);
      });

      it('maps WrongExpectedVersionError to WrongExpectedRevisionError, with -1 for a missing stream', async () => {
        const refusing = (current: 'no_stream' | bigint): KurrentDbClient => ({
          ...server.client(),
          appendToStream: async () => {
            throw new WrongExpectedVersionError(undefined, { streamName: 'order-1', expected: 3n, current });
          },
        });

        const missing = await openStore({}, refusing('no_stream'))
          .append('order-1', [newEvent()], 3)
          .catch((error: unknown) => error);
        expect(missing).toBeInstanceOf(WrongExpectedRevisionError);
        expect(missing).toMatchObject({ streamName: 'order-1', expected: 3, actual: -1 });
        const behind = await openStore({}, refusing(7n))
          .append('order-1', [newEvent()], 3)
          .catch((error: unknown) => error);
        expect(behind).toMatchObject({ name: 'WrongExpectedRevisionError', expected: 3, actual: 7 });
      });

      it('passes other client errors on unchanged', async () => {
        const unavailable = new UnavailableError(undefined, 'connection refused');
        const store = openStore({}, { ...server.client(), appendToStream: () => Promise.reject(unavailable) });
        await expect(store.append('order-1', [newEvent()], 'any')).rejects.toBe(unavailable);
      });
    });

    describe('metadata', () => {
      it("stores our metadata, KurrentDB's correlation keys and our event id as metadata JSON, and reads back exactly ours", async () => {
        const store = openStore();
        const event = newEvent();
        await store.append('contact-1', [event], 'no_stream');

        const stored = JSON.parse(server.records.find((record) => record.streamId === 'contact-1')!.metadataJson!);
        expect(stored).toEqual({
          ...event.metadata,
          $correlationId: event.metadata.correlationId,
          $causationId: event.metadata.causationId,
          crmEventId: event.eventId,
        });
        const [read] = await store.readStream('contact-1');
        expect(read!.metadata).toEqual(event.metadata);
      });

      it('refuses metadata keys it writes itself, so that metadata always reads back unchanged', async () => {
        const store = openStore();
        for (const key of ['crmEventId', '$correlationId', '$causationId']) {
          const event = newEvent();
          event.metadata[key] = 'mine';
          await expect(store.append('contact-1', [event], 'any')).rejects.toThrow(`metadata key ${key} is reserved`);
        }
        expect(server.appendCalls).toHaveLength(0);
      });

      it("reads events other writers stored with KurrentDB's id and their metadata as stored", async () => {
        const client = server.client();
        const id = randomUUID();
        await client.appendToStream('imported-1', [{ id, contentType: 'application/json', type: 'Imported', data: { a: 1 }, metadata: { source: 'legacy' } }], {
          streamState: 'no_stream',
        });

        const [read] = await openStore().readStream('imported-1');
        expect(read).toMatchObject({ eventId: id, type: 'Imported', data: { a: 1 }, metadata: { source: 'legacy' } });
      });
    });

    describe('positions and system events', () => {
      it('uses commit positions, which grow but are not contiguous, and refuses those beyond 2^53', async () => {
        const store = openStore();
        await store.append('a', [newEvent(), newEvent()], 'no_stream');
        const [first, second] = await store.readStream('a');
        expect(second!.position).toBeGreaterThan(first!.position + 1);
        expect(second!.position).toBe(Number(server.records.find((record) => record.streamId === 'a' && record.revision === 1n)!.commit));

        expect(toPortPosition(2n ** 53n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
        expect(() => toPortPosition(2n ** 53n)).toThrow(RangeError);
      });

      it("leaves KurrentDB's system streams and events out of readAll, headPosition and subscriptions", async () => {
        const store = openStore();
        await store.append('a', [newEvent({ type: 'A' })], 'no_stream');
        server.appendSystemEvent();
        await server.client().appendToStream('$ce-a', [{ id: randomUUID(), contentType: 'application/json', type: '$>', data: '0@a', metadata: undefined }], {});
        await server.client().appendToStream('a-projection', [{ id: randomUUID(), contentType: 'application/json', type: '$>', data: '0@a', metadata: undefined }], {});
        const last = await store.append('b', [newEvent({ type: 'B' })], 'no_stream');
        server.appendSystemEvent();

        expect((await store.readAll()).map((event) => event.type)).toEqual(['A', 'B']);
        expect(await store.headPosition()).toBe(last.position);
        const received: RecordedEvent[] = [];
        const checkpoints: number[] = [];
        subscribe(store, { onEvent: (event) => void received.push(event), onCheckpoint: (position) => void checkpoints.push(position) });
        await eventually(() => checkpoints.some((position) => position >= last.position), { description: 'a checkpoint at the head' });
        expect(received.map((event) => event.type)).toEqual(['A', 'B']);
      });

      it('reads after afterPosition although KurrentDB reads include their start position', async () => {
        const store = openStore();
        await store.append('a', [newEvent({ type: 'A1' }), newEvent({ type: 'A2' }), newEvent({ type: 'A3' })], 'no_stream');
        const [, second] = await store.readAll();

        const fromClient = [];
        for await (const resolved of server.client().readAll({ fromPosition: { commit: BigInt(second!.position), prepare: BigInt(second!.position) } })) {
          fromClient.push(resolved.event!.type);
        }
        expect(fromClient[0]).toBe('A2');
        expect((await store.readAll({ afterPosition: second!.position })).map((event) => event.type)).toEqual(['A3']);
      });

      it('reads and subscribes after a position where no record starts, which KurrentDB itself refuses', async () => {
        const store = openStore();
        await store.append('a', [newEvent({ type: 'A1' }), newEvent({ type: 'A2' }), newEvent({ type: 'A3' })], 'no_stream');
        const [, second] = await store.readAll();
        const between = second!.position + 1;

        expect((await store.readAll({ afterPosition: between })).map((event) => event.type)).toEqual(['A3']);
        expect((await store.readAll({ afterPosition: second!.position - 1 })).map((event) => event.type)).toEqual(['A2', 'A3']);
        const received: RecordedEvent[] = [];
        const errors: unknown[] = [];
        subscribe(store, { afterPosition: between, onEvent: (event) => void received.push(event), onError: (error) => errors.push(error) });
        await eventually(() => received.length === 1, { description: 'the event after the made-up position' });
        await store.append('a', [newEvent({ type: 'A4' })], 2);
        await eventually(() => received.length === 2, { description: 'the live event' });
        expect(received.map((event) => event.type)).toEqual(['A3', 'A4']);
        expect(errors).toEqual([]);
      });

      it('pages readAll so that maxCount counts only the events it returns', async () => {
        const store = openStore();
        for (let index = 0; index < 5; index++) {
          await store.append(`s-${index}`, [newEvent({ type: index % 2 === 0 ? 'Even' : 'Odd' })], 'no_stream');
          server.appendSystemEvent();
        }
        const evens = await store.readAll({ filter: { streamNamePrefixes: ['s-'], eventTypes: ['Even'] }, maxCount: 2 });
        expect(evens.map((event) => event.streamName)).toEqual(['s-0', 's-2']);
        const all = await store.readAll({ maxCount: 4 });
        expect(all.map((event) => event.streamName)).toEqual(['s-0', 's-1', 's-2', 's-3']);
      });

      it('escapes filter literals for the server regex', () => {
        expect(literalRegex('contact-1_A')).toBe('contact-1_A');
        expect(literalRegex('a*b.$(c)')).toBe('a\\u002ab\\u002e\\u0024\\u0028c\\u0029');
        expect(new RegExp(`^${literalRegex('a*b|c')}`).test('a*b|c-1')).toBe(true);
        expect(new RegExp(`^${literalRegex('a*b')}`).test('aab')).toBe(false);
      });
    });

    describe('subscription supervisor', () => {
      it('resubscribes after the last delivered event when the subscription drops, without duplicates or onError', async () => {
        server.options.inclusiveSubscriptionStart = true;
        const logger = recordingLogger();
        const store = openStore({ logger, resubscribeBackoff: { initialDelayMs: 20, maxDelayMs: 20 } });
        await store.append('a', [newEvent({ type: 'E1' }), newEvent({ type: 'E2' }), newEvent({ type: 'E3' })], 'no_stream');
        const received: RecordedEvent[] = [];
        const errors: unknown[] = [];
        subscribe(store, { filter: { streamNamePrefixes: ['a'] }, onEvent: (event) => void received.push(event), onError: (error) => errors.push(error) });
        await eventually(() => received.length === 3 && server.liveSubscriptionCount === 1, { description: 'the first three events' });

        server.dropSubscriptions(new UnavailableError(undefined, 'connection lost'));
        await store.append('a', [newEvent({ type: 'E4' }), newEvent({ type: 'E5' })], 2);

        await eventually(() => received.length === 5, { description: 'the events appended while the subscription was down' });
        expect(received.map((event) => event.type)).toEqual(['E1', 'E2', 'E3', 'E4', 'E5']);
        expect(errors).toEqual([]);
        expect(logger.warnings).toEqual([expect.objectContaining({ attempt: 1, resumeAfter: received[2]!.position })]);
        expect(server.subscribeCalls[1]!.fromPosition).toEqual({ commit: BigInt(received[2]!.position), prepare: BigInt(received[2]!.position) });
      });

      it('resubscribes from the last server checkpoint when the filter matched nothing since', async () => {
        const store = openStore({ resubscribeBackoff: { initialDelayMs: 5, maxDelayMs: 5 } });
        const checkpoints: number[] = [];
        const received: RecordedEvent[] = [];
        subscribe(store, { filter: { eventTypes: ['Rare'] }, onEvent: (event) => void received.push(event), onCheckpoint: (position) => void checkpoints.push(position) });
        await eventually(() => server.liveSubscriptionCount === 1, { description: 'the subscription to start' });
        for (let index = 0; index < 40; index++) await store.append(`noise-${index}`, [newEvent({ type: 'Noise' })], 'no_stream');
        const lastNoise = Number(server.records.at(-1)!.commit);
        await eventually(() => checkpoints.length > 0, { description: 'a server checkpoint' });
        const lastCheckpoint = checkpoints.at(-1)!;

        server.dropSubscriptions(new UnavailableError(undefined, 'connection lost'));
        await store.append('rare-1', [newEvent({ type: 'Rare' })], 'no_stream');

        await eventually(() => received.length === 1, { description: 'the rare event' });
        const resumedFrom = server.subscribeCalls[1]!.fromPosition as { commit: bigint };
        expect(Number(resumedFrom.commit)).toBe(lastCheckpoint);
        expect(lastCheckpoint).toBeLessThanOrEqual(lastNoise);
      });

      it('waits a jittered, growing backoff between failed attempts, and starts again at the first delay after progress', async () => {
        const logger = recordingLogger();
        const backoff = { initialDelayMs: 10, maxDelayMs: 40 };
        const store = openStore({ logger, resubscribeBackoff: backoff });
        const unavailable = () => new UnavailableError(undefined, 'connection refused');
        server.refuseNextSubscriptions(unavailable(), unavailable(), unavailable(), unavailable());
        await store.append('a', [newEvent()], 'no_stream');
        const received: RecordedEvent[] = [];
        const errors: unknown[] = [];
        subscribe(store, { onEvent: (event) => void received.push(event), onError: (error) => errors.push(error) });

        await eventually(() => received.length === 1, { description: 'the event once subscribed' });
        expect(logger.warnings.map((warning) => warning.attempt)).toEqual([1, 2, 3, 4]);
        for (const [index, warning] of logger.warnings.entries()) {
          const exponential = Math.min(backoff.maxDelayMs, backoff.initialDelayMs * 2 ** index);
          expect(warning.delayMs).toBeGreaterThanOrEqual(Math.floor(exponential / 2));
          expect(warning.delayMs).toBeLessThanOrEqual(exponential);
          const waited = server.subscribeCalls[index + 1]!.at - server.subscribeCalls[index]!.at;
          expect(waited).toBeGreaterThanOrEqual((warning.delayMs as number) - 2);
        }

        server.dropSubscriptions(unavailable());
        await store.append('a', [newEvent()], 0);
        await eventually(() => received.length === 2, { description: 'the event after the next drop' });
        expect(logger.warnings.at(-1)).toMatchObject({ attempt: 1 });
        expect(errors).toEqual([]);
      });

      it('resubscribes when the server ends the subscription without an error', async () => {
        const store = openStore({ resubscribeBackoff: { initialDelayMs: 5, maxDelayMs: 5 } });
        const received: RecordedEvent[] = [];
        subscribe(store, { onEvent: (event) => void received.push(event) });
        await eventually(() => server.liveSubscriptionCount === 1, { description: 'the subscription to start' });

        server.endSubscriptions();
        await store.append('a', [newEvent()], 'no_stream');

        await eventually(() => received.length === 1, { description: 'the event after the server ended the subscription' });
        expect(server.subscribeCalls).toHaveLength(2);
      });

      it('reports a handler error once and does not resubscribe', async () => {
        const logger = recordingLogger();
        const store = openStore({ logger });
        await store.append('a', [newEvent(), newEvent()], 'no_stream');
        const failure = new Error('projection failed');
        const errors: unknown[] = [];
        subscribe(store, {
          onEvent: () => {
            throw failure;
          },
          onError: (error) => errors.push(error),
        });

        await eventually(() => errors.length === 1, { description: 'the handler error' });
        await store.append('a', [newEvent()], 1);
        await eventually(() => server.liveSubscriptionCount === 0, { description: 'the subscription to be cancelled' });
        expect(errors).toEqual([failure]);
        expect(server.subscribeCalls).toHaveLength(1);
        expect(logger.warnings).toEqual([]);
      });

      it('reports an error that waiting cannot cure', async () => {
        const store = openStore();
        const invalid = new InvalidArgumentError('filter regex is invalid');
        server.refuseNextSubscriptions(invalid);
        const errors: unknown[] = [];
        subscribe(store, { onEvent: () => undefined, onError: (error) => errors.push(error) });

        await eventually(() => errors.length === 1, { description: 'the error' });
        expect(errors).toEqual([invalid]);
        expect(isTransientError(invalid)).toBe(false);
        expect(isTransientError(new UnavailableError())).toBe(true);
        expect(isConnectionError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
      });

      it('reports checkpoints only once every event up to them was handled, even while events wait in the stream', async () => {
        const store = openStore();
        for (let index = 0; index < 150; index++) await store.append(`${index % 3 === 0 ? 'kept' : 'other'}-${index}`, [newEvent()], 'no_stream');
        const handled: RecordedEvent[] = [];
        const violations: string[] = [];
        const checkpoints: number[] = [];
        subscribe(store, {
          filter: { streamNamePrefixes: ['kept-'] },
          onEvent: async (event) => {
            await new Promise((resolve) => setImmediate(resolve));
            handled.push(event);
          },
          onCheckpoint: (position) => {
            const expected = server.records.filter((record) => record.streamId.startsWith('kept-') && Number(record.commit) <= position).length;
            if (handled.length !== expected) violations.push(`checkpoint ${position}: ${handled.length} handled, ${expected} expected`);
            checkpoints.push(position);
          },
        });

        await eventually(() => handled.length === 50 && checkpoints.length >= 4, { description: 'all kept events and several checkpoints' });
        expect(violations).toEqual([]);
      });

      it('can be closed while it waits to resubscribe', async () => {
        const store = openStore({ resubscribeBackoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
        server.refuseNextSubscriptions(new UnavailableError());
        const errors: unknown[] = [];
        const subscription = store.subscribeToAll({ onEvent: () => undefined, onError: (error) => errors.push(error) });
        await eventually(() => server.subscribeCalls.length === 1, { description: 'the refused attempt' });
        await new Promise((resolve) => setImmediate(resolve));

        const startedAt = Date.now();
        await subscription.close();
        expect(Date.now() - startedAt).toBeLessThan(1000);
        expect(errors).toEqual([]);
      });
    });

    describe('close', () => {
      it('ends subscriptions with EventStoreClosedError, disposes the client, and refuses later calls', async () => {
        const store = openStore();
        const errors: unknown[] = [];
        subscribe(store, { onEvent: () => undefined, onError: (error) => errors.push(error) });
        await eventually(() => server.liveSubscriptionCount === 1, { description: 'the subscription to start' });

        await store.close();
        await store.close();

        expect(errors).toEqual([expect.any(EventStoreClosedError)]);
        expect(server.disposeCount).toBe(1);
        await eventually(() => server.liveSubscriptionCount === 0, { description: 'the server subscription to be cancelled' });
        await expect(store.append('a', [newEvent()], 'any')).rejects.toBeInstanceOf(EventStoreClosedError);
        await expect(store.readStream('a')).rejects.toBeInstanceOf(EventStoreClosedError);
        await expect(store.readAll()).rejects.toBeInstanceOf(EventStoreClosedError);
        await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreClosedError);
        expect(() => store.subscribeToAll({ onEvent: () => undefined })).toThrow(EventStoreClosedError);
      });
    });
  });

  describe('with the real client and no server', () => {
    it('accepts a kurrentdb:// connection string, reports the connection error, and keeps a subscription retrying', async () => {
      const logger = recordingLogger();
      // Port 1 on the loopback: nothing listens, so every call fails at once with "unavailable".
      const store = new KurrentDbEventStore({ connectionString: 'kurrentdb://127.0.0.1:1?tls=false', logger, resubscribeBackoff: { initialDelayMs: 10, maxDelayMs: 20 } });
      const errors: unknown[] = [];
      try {
        const error = await store.headPosition().catch((caught: unknown) => caught);
        expect(isConnectionError(error)).toBe(true);
        const subscription = store.subscribeToAll({ onEvent: () => undefined, onError: (caught) => errors.push(caught) });
        await eventually(() => logger.warnings.length >= 2, { description: 'two failed attempts' });
        await subscription.close();
        expect(errors).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('refuses a malformed connection string at once', () => {
      expect(() => new KurrentDbEventStore({ connectionString: 'localhost:2113' })).toThrow(/kurrentdb:\/\//);
    });
  });
});

import { randomUUID } from 'node:crypto';
import { newTestEvent as newEvent } from './test-events';
import { eventually } from '@crm/testing';
import {
  DuplicateEventIdError,
  type EventMetadata,
  type EventStore,
  EventStoreClosedError,
  type NewEvent,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';

export interface EventStoreHarness {
  /** A store ready for use. Tests name their streams uniquely and read `$all` relative to the head, so the store may be shared. */
  create(): Promise<EventStore>;
  /** A new store over the same data as the store last created, after that one was closed; enables the restart tests. */
  reopen?(): Promise<EventStore>;
  /** Called once after the whole suite, when every store it opened is closed. */
  dispose?(): Promise<void>;
}

/**
 * The behaviour every EventStore adapter must show. Call it from the adapter's spec file:
 * `eventStoreContract('SqliteEventStore', { create: ... })`.
 */
export function eventStoreContract(adapterName: string, harness: EventStoreHarness): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    /** Stores opened by a test, closed after it whatever happens. */
    let openStores: EventStore[];
    let subscriptions: Subscription[];
    /** Unique per test, so that streams and `$all` filters never see another test's events. */
    let prefix: string;

    const stream = (name: string) => `${prefix}${name}`;
    const open = async (make: () => Promise<EventStore>) => {
      const opened = await make();
      openStores.push(opened);
      return opened;
    };
    const subscribe = (target: EventStore, options: SubscribeToAllOptions) => {
      const subscription = target.subscribeToAll(options);
      subscriptions.push(subscription);
      return subscription;
    };
    const ownEvents = (options: { afterPosition?: number } = {}) =>
      store.readAll({ ...options, filter: { streamNamePrefixes: [prefix] } });

    beforeEach(async () => {
      openStores = [];
      subscriptions = [];
      prefix = `contract${randomUUID().replaceAll('-', '')}-`;
      store = await open(() => harness.create());
    });

    afterEach(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      for (const opened of openStores) await opened.close();
    });

    afterAll(async () => {
      await harness.dispose?.();
    });

    describe('append and expected revisions', () => {
      it('numbers revisions from 0 and returns the last revision and position', async () => {
        const result = await store.append(stream('order-1'), [newEvent(), newEvent(), newEvent()], 'no_stream');

        const events = await store.readStream(stream('order-1'));
        expect(events.map((event) => event.revision)).toEqual([0, 1, 2]);
        expect(result).toEqual({ nextExpectedRevision: 2, position: events[2]!.position });
        expect(events[0]!.position).toBeLessThan(events[1]!.position);
        expect(events[1]!.position).toBeLessThan(events[2]!.position);
        expect(await store.headPosition()).toBe(result.position);
      });

      it('appends at an exact expected revision and refuses a stale one with the actual revision', async () => {
        await store.append(stream('order-1'), [newEvent()], 'no_stream');

        const second = await store.append(stream('order-1'), [newEvent()], 0);
        expect(second.nextExpectedRevision).toBe(1);

        const stale = await store.append(stream('order-1'), [newEvent()], 0).catch((error: unknown) => error);
        expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
        expect(stale).toMatchObject({ streamName: stream('order-1'), expected: 0, actual: 1 });
        const ahead = await store.append(stream('order-1'), [newEvent()], 5).catch((error: unknown) => error);
        expect(ahead).toMatchObject({ name: 'WrongExpectedRevisionError', expected: 5, actual: 1 });
        expect(await store.readStream(stream('order-1'))).toHaveLength(2);
      });

      it('refuses an exact revision for a stream that does not exist, with actual -1', async () => {
        const error = await store.append(stream('missing'), [newEvent()], 0).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ expected: 0, actual: -1 });
      });

      it("refuses 'no_stream' once the stream exists", async () => {
        await store.append(stream('order-1'), [newEvent(), newEvent()], 'no_stream');
        const error = await store.append(stream('order-1'), [newEvent()], 'no_stream').catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ expected: 'no_stream', actual: 1 });
      });

      it("requires an existing stream for 'stream_exists'", async () => {
        const error = await store.append(stream('order-1'), [newEvent()], 'stream_exists').catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ expected: 'stream_exists', actual: -1 });

        await store.append(stream('order-1'), [newEvent()], 'any');
        const result = await store.append(stream('order-1'), [newEvent()], 'stream_exists');
        expect(result.nextExpectedRevision).toBe(1);
      });

      it("appends whatever the stream holds with 'any'", async () => {
        expect((await store.append(stream('order-1'), [newEvent()], 'any')).nextExpectedRevision).toBe(0);
        expect((await store.append(stream('order-1'), [newEvent(), newEvent()], 'any')).nextExpectedRevision).toBe(2);
      });

      it('checks the expected revision without writing when the list of events is empty', async () => {
        const onMissing = await store.append(stream('order-1'), [], 'no_stream');
        expect(onMissing.nextExpectedRevision).toBe(-1);
        expect(await store.readStream(stream('order-1'))).toEqual([]);

        const written = await store.append(stream('order-1'), [newEvent()], 'no_stream');
        expect(await store.append(stream('order-1'), [], 0)).toEqual(written);
        await expect(store.append(stream('order-1'), [], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(store.append(stream('order-1'), [], 3)).rejects.toMatchObject({ actual: 0 });
      });
    });

    describe('idempotency', () => {
      it('treats a retry with the same event ids at the same place as done, returning the original result', async () => {
        await store.append(stream('order-1'), [newEvent()], 'no_stream');
        const events = [newEvent(), newEvent()];
        const original = await store.append(stream('order-1'), events, 0);

        expect(await store.append(stream('order-1'), events, 0)).toEqual(original);
        // Still recognised once the stream has moved on.
        await store.append(stream('order-1'), [newEvent()], 2);
        expect(await store.append(stream('order-1'), events, 0)).toEqual(original);
        expect(await store.append(stream('order-1'), events, 'any')).toEqual(original);

        const stored = await store.readStream(stream('order-1'));
        expect(stored.map((event) => event.eventId)).toEqual([
          expect.any(String),
          events[0]!.eventId,
          events[1]!.eventId,
          expect.any(String),
        ]);
      });

      it("recognises a retried first append made with 'no_stream'", async () => {
        const events = [newEvent()];
        const original = await store.append(stream('order-1'), events, 'no_stream');
        expect(await store.append(stream('order-1'), events, 'no_stream')).toEqual(original);
        expect(await store.readStream(stream('order-1'))).toHaveLength(1);
      });

      it('refuses an event id already used in another stream', async () => {
        const event = newEvent();
        await store.append(stream('order-1'), [event], 'no_stream');

        const error = await store.append(stream('order-2'), [event], 'no_stream').catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ eventId: event.eventId });
        expect(await store.readStream(stream('order-2'))).toEqual([]);
      });

      it('refuses an event id reused at another place of the same stream, or mixed with new ids', async () => {
        const first = newEvent();
        await store.append(stream('order-1'), [first], 'no_stream');

        await expect(store.append(stream('order-1'), [first], 0)).rejects.toBeInstanceOf(DuplicateEventIdError);
        await expect(store.append(stream('order-1'), [newEvent(), first], 0)).rejects.toBeInstanceOf(DuplicateEventIdError);
        await expect(store.append(stream('order-1'), [first, newEvent()], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(stream('order-1'))).toHaveLength(1);
      });

      it('refuses the same event id twice in one append', async () => {
        const event = newEvent();
        await expect(store.append(stream('order-1'), [event, event], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(stream('order-1'))).toEqual([]);
      });
    });

    describe('appendMany (optional: skipped for adapters without it)', () => {
      /** The store's appendMany, or undefined: the adapter then leaves bulk writers to fall back to `append`. */
      const appendManyOf = (target: EventStore) => target.appendMany?.bind(target);

      it('appends to several streams, returning each part\'s result in order', async () => {
        const appendMany = appendManyOf(store);
        if (!appendMany) return;
        const results = await appendMany([
          { streamName: stream('order-1'), events: [newEvent(), newEvent()], expectedRevision: 'no_stream' },
          { streamName: stream('order-2'), events: [newEvent()], expectedRevision: 'any' },
        ]);

        const first = await store.readStream(stream('order-1'));
        const second = await store.readStream(stream('order-2'));
        expect(results).toEqual([
          { nextExpectedRevision: 1, position: first[1]!.position },
          { nextExpectedRevision: 0, position: second[0]!.position },
        ]);
        expect(first[1]!.position).toBeLessThan(second[0]!.position);
        expect((await ownEvents()).map((event) => event.streamName)).toEqual([stream('order-1'), stream('order-1'), stream('order-2')]);
      });

      it('lets a later part see what an earlier part of the same call wrote', async () => {
        const appendMany = appendManyOf(store);
        if (!appendMany) return;
        const results = await appendMany([
          { streamName: stream('order-1'), events: [newEvent()], expectedRevision: 'no_stream' },
          { streamName: stream('order-1'), events: [newEvent()], expectedRevision: 0 },
        ]);
        expect(results.map((result) => result.nextExpectedRevision)).toEqual([0, 1]);
        expect(await store.readStream(stream('order-1'))).toHaveLength(2);
      });

      it('writes nothing when one part conflicts, and rejects with that part\'s error', async () => {
        const appendMany = appendManyOf(store);
        if (!appendMany) return;
        await store.append(stream('taken'), [newEvent()], 'no_stream');
        const reused = newEvent();
        await store.append(stream('other'), [reused], 'no_stream');

        const conflict = await appendMany([
          { streamName: stream('order-1'), events: [newEvent()], expectedRevision: 'no_stream' },
          { streamName: stream('taken'), events: [newEvent()], expectedRevision: 'no_stream' },
          { streamName: stream('order-3'), events: [newEvent()], expectedRevision: 'no_stream' },
        ]).catch((error: unknown) => error);
        expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
        expect(conflict).toMatchObject({ streamName: stream('taken'), expected: 'no_stream', actual: 0 });

        const duplicate = await appendMany([
          { streamName: stream('order-1'), events: [newEvent()], expectedRevision: 'no_stream' },
          { streamName: stream('order-2'), events: [reused], expectedRevision: 'no_stream' },
        ]).catch((error: unknown) => error);
        expect(duplicate).toBeInstanceOf(DuplicateEventIdError);

        expect(await store.readStream(stream('order-1'))).toEqual([]);
        expect(await store.readStream(stream('order-3'))).toEqual([]);
        expect((await ownEvents()).map((event) => event.streamName)).toEqual([stream('taken'), stream('other')]);
        // The store goes on as before after the rollback.
        await store.append(stream('order-1'), [newEvent()], 'no_stream');
        expect(await store.readStream(stream('order-1'))).toHaveLength(1);
      });

      it('treats a replay of the same ids as done (crash resume), also when mixed with new parts', async () => {
        const appendMany = appendManyOf(store);
        if (!appendMany) return;
        const parts = [
          { streamName: stream('row-1'), events: [newEvent()], expectedRevision: 'no_stream' as const },
          { streamName: stream('row-2'), events: [newEvent()], expectedRevision: 'no_stream' as const },
        ];
        const original = await appendMany(parts);

        expect(await appendMany(parts)).toEqual(original);
        const more = { streamName: stream('row-3'), events: [newEvent()], expectedRevision: 'no_stream' as const };
        const mixed = await appendMany([...parts, more]);
        expect(mixed.slice(0, 2)).toEqual(original);
        expect(mixed[2]!.position).toBeGreaterThan(original[1]!.position);
        // Rows written one by one before a crash are recognised too.
        expect(await store.append(parts[0]!.streamName, parts[0]!.events, 'no_stream')).toEqual(original[0]);
        expect(await ownEvents()).toHaveLength(3);
      });

      it('returns an empty list for no parts, and validates every part before writing', async () => {
        const appendMany = appendManyOf(store);
        if (!appendMany) return;
        expect(await appendMany([])).toEqual([]);
        await expect(
          appendMany([
            { streamName: stream('order-1'), events: [newEvent()], expectedRevision: 'no_stream' },
            { streamName: '', events: [newEvent()], expectedRevision: 'no_stream' },
          ]),
        ).rejects.toBeInstanceOf(TypeError);
        expect(await store.readStream(stream('order-1'))).toEqual([]);
      });

      it('delivers the events to live subscriptions in log order', async () => {
        const appendMany = appendManyOf(store);
        if (!appendMany) return;
        const seen: string[] = [];
        subscribe(store, {
          afterPosition: await store.headPosition(),
          filter: { streamNamePrefixes: [prefix] },
          onEvent: (event) => void seen.push(event.streamName),
        });
        await appendMany([
          { streamName: stream('order-1'), events: [newEvent()], expectedRevision: 'no_stream' },
          { streamName: stream('order-2'), events: [newEvent()], expectedRevision: 'no_stream' },
        ]);
        await eventually(() => seen.length === 2, { description: 'the events of the appendMany' });
        expect(seen).toEqual([stream('order-1'), stream('order-2')]);
      });
    });

    describe('readStream', () => {
      it('returns an empty array for a stream that does not exist', async () => {
        expect(await store.readStream(stream('missing'))).toEqual([]);
      });

      it('reads from a revision, and at most maxCount events', async () => {
        await store.append(stream('order-1'), [newEvent(), newEvent(), newEvent(), newEvent()], 'no_stream');
        await store.append(stream('order-2'), [newEvent()], 'no_stream');

        const fromTwo = await store.readStream(stream('order-1'), { fromRevision: 2 });
        expect(fromTwo.map((event) => event.revision)).toEqual([2, 3]);
        const firstTwo = await store.readStream(stream('order-1'), { maxCount: 2 });
        expect(firstTwo.map((event) => event.revision)).toEqual([0, 1]);
        const middle = await store.readStream(stream('order-1'), { fromRevision: 1, maxCount: 2 });
        expect(middle.map((event) => event.revision)).toEqual([1, 2]);
        expect(await store.readStream(stream('order-1'), { fromRevision: 4 })).toEqual([]);
      });

      it('reads up to untilTime inclusive, by metadata.occurredAt', async () => {
        await store.append(
          stream('order-1'),
          [
            newEvent({ occurredAt: '2024-03-01T10:00:00.000Z' }),
            newEvent({ occurredAt: '2024-03-01T11:00:00.000Z' }),
            newEvent({ occurredAt: '2024-03-01T12:00:00.000Z' }),
          ],
          'no_stream',
        );

        const untilEleven = await store.readStream(stream('order-1'), { untilTime: '2024-03-01T11:00:00.000Z' });
        expect(untilEleven.map((event) => event.revision)).toEqual([0, 1]);
        // The same instant written with another precision or offset is still the bound.
        const sameInstant = await store.readStream(stream('order-1'), { untilTime: '2024-03-01T12:00:00+01:00' });
        expect(sameInstant.map((event) => event.revision)).toEqual([0, 1]);
        expect(await store.readStream(stream('order-1'), { untilTime: '2024-03-01T09:59:59.999Z' })).toEqual([]);
      });
    });

    describe('readAll', () => {
      it('returns events of all streams in position order, strictly after afterPosition', async () => {
        const startedAt = await store.headPosition();
        await store.append(stream('a'), [newEvent({ type: 'A1' })], 'no_stream');
        await store.append(stream('b'), [newEvent({ type: 'B1' }), newEvent({ type: 'B2' })], 'no_stream');
        await store.append(stream('a'), [newEvent({ type: 'A2' })], 0);

        const all = await ownEvents({ afterPosition: startedAt });
        expect(all.map((event) => event.type)).toEqual(['A1', 'B1', 'B2', 'A2']);
        expect(isStrictlyIncreasing(all.map((event) => event.position))).toBe(true);

        const afterSecond = await ownEvents({ afterPosition: all[1]!.position });
        expect(afterSecond.map((event) => event.type)).toEqual(['B2', 'A2']);
        expect(await ownEvents({ afterPosition: all[3]!.position })).toEqual([]);

        const everything = await store.readAll();
        expect(everything.slice(-4).map((event) => event.eventId)).toEqual(all.map((event) => event.eventId));
      });

      it('filters by stream name prefixes and by event types, and limits to maxCount', async () => {
        const startedAt = await store.headPosition();
        await store.append(stream('contact-1'), [newEvent({ type: 'ContactCreated' })], 'no_stream');
        await store.append(stream('deal-1'), [newEvent({ type: 'DealOpened' })], 'no_stream');
        await store.append(stream('contact-2'), [newEvent({ type: 'ContactCreated' }), newEvent({ type: 'ContactRenamed' })], 'no_stream');
        await store.append(stream('ticket-1'), [newEvent({ type: 'TicketOpened' })], 'no_stream');

        const read = (filter: { streamNamePrefixes?: string[]; eventTypes?: string[] }, maxCount?: number) =>
          store.readAll({ afterPosition: startedAt, filter, maxCount });
        const contacts = await read({ streamNamePrefixes: [stream('contact-')] });
        expect(contacts.map((event) => event.streamName)).toEqual([stream('contact-1'), stream('contact-2'), stream('contact-2')]);
        const contactsAndTickets = await read({ streamNamePrefixes: [stream('contact-'), stream('ticket-')] });
        expect(contactsAndTickets).toHaveLength(4);
        const created = await read({ streamNamePrefixes: [prefix], eventTypes: ['ContactCreated', 'TicketOpened'] });
        expect(created.map((event) => event.type)).toEqual(['ContactCreated', 'ContactCreated', 'TicketOpened']);
        const renamedContacts = await read({ streamNamePrefixes: [stream('contact-')], eventTypes: ['ContactRenamed'] });
        expect(renamedContacts.map((event) => event.streamName)).toEqual([stream('contact-2')]);
        const firstTwo = await read({ streamNamePrefixes: [prefix] }, 2);
        expect(firstTwo.map((event) => event.streamName)).toEqual([stream('contact-1'), stream('deal-1')]);
      });

      it('matches prefixes literally and case-sensitively', async () => {
        const startedAt = await store.headPosition();
        await store.append(stream('a*b-1'), [newEvent()], 'no_stream');
        await store.append(stream('axb-1'), [newEvent()], 'no_stream');
        await store.append(stream('A*B-1'), [newEvent()], 'no_stream');

        const matched = await store.readAll({ afterPosition: startedAt, filter: { streamNamePrefixes: [stream('a*b')] } });
        expect(matched.map((event) => event.streamName)).toEqual([stream('a*b-1')]);
      });
    });

    describe('stored events', () => {
      it('round-trips data and metadata, and records stream, revision, position and recordedAt', async () => {
        const metadata: EventMetadata = {
          tenantId: 'tenant-7',
          actorId: 'user-42',
          correlationId: randomUUID(),
          causationId: randomUUID(),
          occurredAt: '2024-05-06T07:08:09.123Z',
          schemaVersion: 3,
          source: 'import',
        };
        const data = { name: 'Ada Lovelace', emails: ['ada@example.com'], address: { city: 'London' }, vip: true, score: 1.5, note: null };
        const event: NewEvent = { eventId: randomUUID(), type: 'ContactCreated', data, metadata };
        const before = Date.now();
        const result = await store.append(stream('contact-1'), [event], 'no_stream');

        const [stored] = await store.readStream(stream('contact-1'));
        expect(stored).toEqual({
          ...event,
          streamName: stream('contact-1'),
          revision: 0,
          position: result.position,
          recordedAt: expect.any(String),
        });
        expect(Date.parse(stored!.recordedAt)).toBeGreaterThanOrEqual(before - 1000);
        const [fromAll] = await store.readAll({ afterPosition: result.position - 1, filter: { streamNamePrefixes: [prefix] } });
        expect(fromAll).toEqual(stored);
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of several appends with the same expected revision win', async () => {
        await store.append(stream('order-1'), [newEvent()], 'no_stream');

        const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => store.append(stream('order-1'), [newEvent()], 0)));

        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(9);
        for (const { reason } of lost) expect(reason).toMatchObject({ name: 'WrongExpectedRevisionError', actual: 1 });
        expect(await store.readStream(stream('order-1'))).toHaveLength(2);
      });

      it("lets exactly one of several 'no_stream' appends create a stream, without failing appends to other streams", async () => {
        const creations = Array.from({ length: 5 }, () => store.append(stream('order-1'), [newEvent()], 'no_stream'));
        const others = Array.from({ length: 5 }, (_, index) => store.append(stream(`other-${index}`), [newEvent()], 'no_stream'));

        const created = await Promise.allSettled(creations);
        expect(created.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        await expect(Promise.all(others)).resolves.toHaveLength(5);
      });

      it('accepts many concurrent appends to different streams, each at its own increasing position', async () => {
        const startedAt = await store.headPosition();
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, index) => store.append(stream(`contact-${index}`), [newEvent(), newEvent()], 'no_stream')),
        );

        const positions = results.map((result) => result.position);
        expect(new Set(positions).size).toBe(200);
        for (const result of results) expect(result.nextExpectedRevision).toBe(1);
        const all = await ownEvents({ afterPosition: startedAt });
        expect(all).toHaveLength(400);
        expect(isStrictlyIncreasing(all.map((event) => event.position))).toBe(true);
        // Each append's events are contiguous in the log and end at the position it returned.
        for (const [index, result] of results.entries()) {
          const own = all.filter((event) => event.streamName === stream(`contact-${index}`));
          expect(own.map((event) => event.revision)).toEqual([0, 1]);
          expect(own[1]!.position).toBe(result.position);
          expect(all.indexOf(own[1]!) - all.indexOf(own[0]!)).toBe(1);
        }
      });
    });

    describe('subscribeToAll', () => {
      it('delivers every event after the start position in order, then live events', async () => {
        await store.append(stream('a'), [newEvent({ type: 'Before' })], 'no_stream');
        const from = await store.headPosition();
        await store.append(stream('a'), [newEvent({ type: 'Past1' })], 0);
        await store.append(stream('b'), [newEvent({ type: 'Past2' }), newEvent({ type: 'Past3' })], 'no_stream');

        const received: RecordedEvent[] = [];
        subscribe(store, { afterPosition: from, filter: { streamNamePrefixes: [prefix] }, onEvent: (event) => void received.push(event) });
        await eventually(() => received.length === 3, { description: 'the past events' });

        await store.append(stream('a'), [newEvent({ type: 'Live1' })], 1);
        await store.append(stream('c'), [newEvent({ type: 'Live2' })], 'no_stream');
        await eventually(() => received.length === 5, { description: 'the live events' });

        expect(received.map((event) => event.type)).toEqual(['Past1', 'Past2', 'Past3', 'Live1', 'Live2']);
        expect(isStrictlyIncreasing(received.map((event) => event.position))).toBe(true);
        expect(received[0]!.position).toBeGreaterThan(from);
      });

      it('delivers one event at a time, waiting for each handler to finish', async () => {
        const from = await store.headPosition();
        await store.append(stream('a'), [newEvent(), newEvent(), newEvent()], 'no_stream');
        let running = 0;
        let mostRunningAtOnce = 0;
        const handled: number[] = [];
        subscribe(store, {
          afterPosition: from,
          filter: { streamNamePrefixes: [prefix] },
          onEvent: async (event) => {
            running++;
            mostRunningAtOnce = Math.max(mostRunningAtOnce, running);
            await new Promise((resolve) => setImmediate(resolve));
            handled.push(event.revision);
            running--;
          },
        });
        await store.append(stream('a'), [newEvent(), newEvent()], 2);

        await eventually(() => handled.length === 5, { description: 'all five events handled' });
        expect(handled).toEqual([0, 1, 2, 3, 4]);
        expect(mostRunningAtOnce).toBe(1);
      });

      it('reports checkpoints past events its filter does not match', async () => {
        const from = await store.headPosition();
        await store.append(stream('a'), [newEvent(), newEvent()], 'no_stream');
        const last = await store.append(stream('b'), [newEvent()], 'no_stream');

        const received: RecordedEvent[] = [];
        const checkpoints: number[] = [];
        subscribe(store, {
          afterPosition: from,
          filter: { eventTypes: [`NeverAppended-${prefix}`] },
          onEvent: (event) => void received.push(event),
          onCheckpoint: (position) => void checkpoints.push(position),
        });

        await eventually(() => checkpoints.some((position) => position >= last.position), { description: 'a checkpoint at or past the last event' });
        expect(received).toEqual([]);
        expect(isStrictlyIncreasing(checkpoints)).toBe(true);
      });

      it('stops delivering once closed', async () => {
        const from = await store.headPosition();
        const received: RecordedEvent[] = [];
        const closing = subscribe(store, { afterPosition: from, filter: { streamNamePrefixes: [prefix] }, onEvent: (event) => void received.push(event) });
        await store.append(stream('a'), [newEvent()], 'no_stream');
        await eventually(() => received.length === 1, { description: 'the first event' });

        await closing.close();
        await store.append(stream('a'), [newEvent()], 0);
        // A second subscription seeing the new event shows it was published, so the first had its chance.
        const witness: RecordedEvent[] = [];
        subscribe(store, { afterPosition: from, filter: { streamNamePrefixes: [prefix] }, onEvent: (event) => void witness.push(event) });
        await eventually(() => witness.length === 2, { description: 'the witness to see both events' });
        expect(received).toHaveLength(1);
        await closing.close();
      });

      it('can be closed from inside its own handler', async () => {
        const from = await store.headPosition();
        await store.append(stream('a'), [newEvent(), newEvent(), newEvent()], 'no_stream');
        const received: RecordedEvent[] = [];
        let closed = false;
        const subscription: Subscription = subscribe(store, {
          afterPosition: from,
          filter: { streamNamePrefixes: [prefix] },
          onEvent: async (event) => {
            received.push(event);
            await subscription.close();
            closed = true;
          },
        });

        await eventually(() => closed, { description: 'the handler to close its subscription' });
        await subscription.close();
        expect(received).toHaveLength(1);
      });

      it('stops and reports the error once when a handler throws', async () => {
        const from = await store.headPosition();
        await store.append(stream('a'), [newEvent(), newEvent(), newEvent()], 'no_stream');
        const failure = new Error('projection failed');
        const errors: unknown[] = [];
        const received: RecordedEvent[] = [];
        subscribe(store, {
          afterPosition: from,
          filter: { streamNamePrefixes: [prefix] },
          onEvent: (event) => {
            received.push(event);
            if (event.revision === 1) throw failure;
          },
          onError: (error) => errors.push(error),
        });

        await eventually(() => errors.length === 1, { description: 'the error to be reported' });
        await store.append(stream('a'), [newEvent()], 2);
        const witness: RecordedEvent[] = [];
        subscribe(store, { afterPosition: from, filter: { streamNamePrefixes: [prefix] }, onEvent: (event) => void witness.push(event) });
        await eventually(() => witness.length === 4, { description: 'the witness to see all events' });
        expect(errors).toEqual([failure]);
        expect(received.map((event) => event.revision)).toEqual([0, 1]);
      });

      it('ends live subscriptions with EventStoreClosedError when the store closes', async () => {
        const errors: unknown[] = [];
        const own = await open(() => harness.create());
        subscribe(own, { onEvent: () => undefined, onError: (error) => errors.push(error) });

        await own.close();
        expect(errors).toHaveLength(1);
        expect(errors[0]).toBeInstanceOf(EventStoreClosedError);
        await expect(own.append(stream('a'), [newEvent()], 'any')).rejects.toBeInstanceOf(EventStoreClosedError);
      });

      const itWithRestart = harness.reopen ? it : it.skip;
      itWithRestart('catches up from a saved position after a restart, receiving exactly the rest', async () => {
        const from = await store.headPosition();
        const before = [newEvent({ type: 'E0' }), newEvent({ type: 'E1' }), newEvent({ type: 'E2' })];
        await store.append(stream('a'), before, 'no_stream');
        const received: RecordedEvent[] = [];
        let savedPosition = from;
        subscribe(store, {
          afterPosition: from,
          filter: { streamNamePrefixes: [prefix] },
          onEvent: (event) => {
            received.push(event);
          },
          onCheckpoint: (position) => {
            savedPosition = position;
          },
        });
        await eventually(() => received.length === 3 && savedPosition >= received[2]!.position, { description: 'a checkpoint after E2' });
        await store.close();

        const reopened = await open(() => harness.reopen!());
        await reopened.append(stream('a'), [newEvent({ type: 'E3' })], 2);
        await reopened.append(stream('b'), [newEvent({ type: 'E4' })], 'no_stream');
        const afterRestart: RecordedEvent[] = [];
        subscribe(reopened, { afterPosition: savedPosition, filter: { streamNamePrefixes: [prefix] }, onEvent: (event) => void afterRestart.push(event) });

        await eventually(() => afterRestart.length >= 2, { description: 'the events appended after the restart' });
        await reopened.append(stream('b'), [newEvent({ type: 'E5' })], 0);
        await eventually(() => afterRestart.length >= 3, { description: 'the live event after the restart' });
        expect(afterRestart.map((event) => event.type)).toEqual(['E3', 'E4', 'E5']);
        expect((await reopened.readStream(stream('a'))).map((event) => event.type)).toEqual(['E0', 'E1', 'E2', 'E3']);
      });
    });
  });
}

function isStrictlyIncreasing(values: number[]): boolean {
  return values.every((value, index) => index === 0 || value > values[index - 1]!);
}

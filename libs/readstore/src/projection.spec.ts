import { type EventStore, InMemoryEventStore, type NewEvent, type RecordedEvent } from '@crm/eventstore';
import { eventually } from '@crm/testing';
import { createInMemoryReadStore } from './embedded-read-store';
import {
  applyOnce,
  type CheckpointDocument,
  deleteOnce,
  type Projection,
  type ProjectionLogEntry,
  ProjectionRunner,
  type ProjectionRunnerOptions,
} from './projection';
import type { ReadStore } from './read-store.port';
import { appendBenchmarkEvents, type CounterDocument, counterProjection, measureProjectionRebuild } from './testing/rebuild-benchmark';

const metadata = () => ({
  tenantId: 't1',
  actorId: 'tester',
  correlationId: 'c',
  causationId: 'c',
  occurredAt: '2026-01-01T00:00:00.000Z',
  schemaVersion: 1,
});

let eventIds = 0;
const event = (type: string, data: unknown = {}): NewEvent => ({ eventId: `e-${++eventIds}`, type, data, metadata: metadata() });

async function appendCounts(store: EventStore, stream: string, amounts: number[]): Promise<number> {
  const result = await store.append(stream, amounts.map((by) => event('CounterIncremented', { by })), 'any');
  return result.position;
}

async function counters(readStore: ReadStore): Promise<CounterDocument[]> {
  return readStore.collection<CounterDocument>('counters').find({}, { sort: { _id: 1 } });
}

describe('ProjectionRunner', () => {
  let eventStore: InMemoryEventStore;
  let readStore: ReadStore;
  const runners: ProjectionRunner[] = [];
  const logs: ProjectionLogEntry[] = [];

  const runnerFor = (projection: Projection, options: ProjectionRunnerOptions = {}) => {
    const runner = new ProjectionRunner(eventStore, readStore, projection, {
      logger: (entry) => logs.push(entry),
      retryInitialDelayMs: 5,
      retryMaxDelayMs: 50,
      ...options,
    });
    runners.push(runner);
    return runner;
  };

  beforeEach(() => {
    eventStore = new InMemoryEventStore();
    readStore = createInMemoryReadStore();
    logs.length = 0;
  });

  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    await eventStore.close();
    await readStore.close();
  });

  it('catches up from the start of the log, in batches, then follows new events one by one', async () => {
    const batches: number[] = [];
    const base = counterProjection();
    const projection: Projection = {
      ...base,
      applyBatch: async (events, store) => {
        batches.push(events.length);
        await base.applyBatch!(events, store);
      },
    };
    for (let stream = 0; stream < 30; stream++) await appendCounts(eventStore, `counter-${stream}`, Array(100).fill(1));
    await eventStore.append('other-1', [event('Ignored')], 'any');
    const runner = runnerFor(projection);
    await runner.start();
    expect(await runner.waitForPosition(await eventStore.headPosition(), 5000)).toBe(true);
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(runner.appliedEvents).toBe(3000);
    const documents = await counters(readStore);
    expect(documents).toHaveLength(30);
    expect(documents.every((document) => document.total === 100 && document.events === 100)).toBe(true);

    const position = await appendCounts(eventStore, 'counter-7', [5]);
    expect(await runner.waitForPosition(position, 2000)).toBe(true);
    expect(await readStore.collection<CounterDocument>('counters').findOne({ _id: 'counter-7' })).toMatchObject({ total: 105, _position: position });
  });

  it('resolves waitForPosition as soon as the event is applied, and false on timeout', async () => {
    const runner = runnerFor(counterProjection());
    await runner.start();
    const position = await appendCounts(eventStore, 'counter-1', [1]);
    const startedAt = performance.now();
    expect(await runner.waitForPosition(position, 2000)).toBe(true);
    expect(performance.now() - startedAt).toBeLessThan(500);
    expect(await runner.waitForPosition(position, 0)).toBe(true);
    expect(await runner.waitForPosition(position + 100, 30)).toBe(false);
  });

  it('reaches positions of events its filter leaves out, through checkpoints', async () => {
    const runner = runnerFor(counterProjection());
    await runner.start();
    const { position } = await eventStore.append('other-1', [event('Ignored')], 'any');
    expect(await runner.waitForPosition(position, 2000)).toBe(true);
    expect(runner.appliedEvents).toBe(0);
  });

  it('does not count an event twice when it is delivered again', async () => {
    const projection = counterProjection();
    await appendCounts(eventStore, 'counter-1', [2, 3]);
    const [first, second] = await eventStore.readAll();
    await projection.apply(first!, readStore);
    await projection.apply(second!, readStore);
    await projection.apply(first!, readStore);
    await projection.applyBatch!([first!, second!], readStore);
    expect(await counters(readStore)).toEqual([{ _id: 'counter-1', total: 5, events: 2, lastEventId: second!.eventId, _position: second!.position }]);
    expect(await applyOnce(readStore.collection('counters'), 'counter-1', second!.position, { $inc: { total: 1 } })).toBe(false);
  });

  it('resumes from its checkpoint after a restart, replaying nothing already saved', async () => {
    await appendCounts(eventStore, 'counter-1', [1, 1, 1]);
    const first = runnerFor(counterProjection());
    await first.start();
    expect(await first.waitForPosition(await eventStore.headPosition(), 2000)).toBe(true);
    await first.stop();
    const checkpoint = await readStore.collection<CheckpointDocument>('_checkpoints').findOne({ _id: 'counters.v1' });
    expect(checkpoint?.position).toBe(first.position);

    await appendCounts(eventStore, 'counter-1', [10]);
    const second = runnerFor(counterProjection());
    await second.start();
    expect(second.position).toBe(first.position);
    expect(await second.waitForPosition(await eventStore.headPosition(), 2000)).toBe(true);
    expect(second.appliedEvents).toBe(1);
    expect(await counters(readStore)).toMatchObject([{ total: 13, events: 4 }]);
  });

  it('replays harmlessly from a checkpoint older than the documents', async () => {
    await appendCounts(eventStore, 'counter-1', [1, 2, 3]);
    const first = runnerFor(counterProjection());
    await first.start();
    expect(await first.waitForPosition(await eventStore.headPosition(), 2000)).toBe(true);
    await first.stop();
    // As after a crash between applying events and saving the checkpoint.
    await readStore.collection<CheckpointDocument>('_checkpoints').updateOne({ _id: 'counters.v1' }, { $set: { position: -1 } });
    for (const projection of [counterProjection(), { ...counterProjection(), applyBatch: undefined }]) {
      const again = runnerFor(projection);
      await again.start();
      expect(await again.waitForPosition(await eventStore.headPosition(), 2000)).toBe(true);
      await again.stop();
      expect(await counters(readStore)).toMatchObject([{ total: 6, events: 3 }]);
      await readStore.collection<CheckpointDocument>('_checkpoints').updateOne({ _id: 'counters.v1' }, { $set: { position: -1 } });
    }
  });

  it('rebuilds from position 0 into the same documents, and keeps following the log', async () => {
    for (let stream = 0; stream < 10; stream++) await appendCounts(eventStore, `counter-${stream}`, [stream, 1, 2]);
    const runner = runnerFor({ ...counterProjection(), applyBatch: undefined });
    await runner.start();
    expect(await runner.waitForPosition(await eventStore.headPosition(), 2000)).toBe(true);
    const before = await counters(readStore);
    await readStore.collection('counters').insertOne({ _id: 'stale', total: 0, events: 0, lastEventId: 'x', _position: 0 });

    const result = await runner.rebuild();
    expect(result).toMatchObject({ events: 30, position: await eventStore.headPosition() });
    expect(await counters(readStore)).toEqual(before);
    expect(runner.running).toBe(true);
    const position = await appendCounts(eventStore, 'counter-3', [100]);
    expect(await runner.waitForPosition(position, 2000)).toBe(true);
    expect(await readStore.collection<CounterDocument>('counters').findOne({ _id: 'counter-3' })).toMatchObject({ total: 106 });
  });

  it('gives the same documents whether events are applied one by one or in batches', async () => {
    for (let stream = 0; stream < 20; stream++) await appendCounts(eventStore, `counter-${stream}`, Array.from({ length: 7 }, (_, index) => index));
    const oneByOne = runnerFor({ ...counterProjection('one.v1', 'counters'), applyBatch: undefined });
    await oneByOne.start();
    expect(await oneByOne.waitForPosition(await eventStore.headPosition(), 2000)).toBe(true);
    const batched = runnerFor(counterProjection('batched.v1', 'batched'), { maxBatchSize: 16 });
    await batched.start();
    expect(await batched.waitForPosition(await eventStore.headPosition(), 2000)).toBe(true);
    expect(await readStore.collection('batched').find({}, { sort: { _id: 1 } })).toEqual(await counters(readStore));
  });

  it('retries with backoff after a failing event, from the last applied position, and logs it', async () => {
    let failures = 2;
    const seen: number[] = [];
    const base = counterProjection();
    const projection: Projection = {
      ...base,
      applyBatch: undefined,
      async apply(recorded: RecordedEvent, store: ReadStore) {
        if (recorded.data && (recorded.data as { by: number }).by === 99 && failures-- > 0) throw new Error('read store unavailable');
        seen.push(recorded.position);
        await base.apply(recorded, store);
      },
    };
    await appendCounts(eventStore, 'counter-1', [1, 99, 2]);
    const runner = runnerFor(projection);
    await runner.start();
    expect(await runner.waitForPosition(await eventStore.headPosition(), 5000)).toBe(true);
    expect(await counters(readStore)).toMatchObject([{ total: 102, events: 3 }]);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
    const warnings = logs.filter((entry) => entry.level === 'warn');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ projection: 'counters.v1', attempt: 1, error: expect.objectContaining({ message: 'read store unavailable' }) });
    expect(warnings[1]!.attempt).toBe(2);
  });

  it('resubscribes when the subscription itself fails', async () => {
    const flaky: EventStore = Object.create(eventStore) as EventStore;
    let subscriptions = 0;
    flaky.subscribeToAll = (options) => {
      subscriptions++;
      if (subscriptions === 1) {
        queueMicrotask(() => options.onError?.(new Error('connection lost')));
        return { close: async () => undefined };
      }
      return eventStore.subscribeToAll(options);
    };
    const runner = new ProjectionRunner(flaky, readStore, counterProjection(), { logger: (entry) => logs.push(entry), retryInitialDelayMs: 5 });
    runners.push(runner);
    const position = await appendCounts(eventStore, 'counter-1', [4]);
    await runner.start();
    expect(await runner.waitForPosition(position, 2000)).toBe(true);
    expect(subscriptions).toBe(2);
    await eventually(() => logs.some((entry) => entry.level === 'warn' && String(entry.error).includes('connection lost')));
  });

  it('saves checkpoints in batches while running and on stop', async () => {
    const runner = runnerFor(counterProjection(), { checkpointEveryEvents: 1000, checkpointIntervalMs: 20 });
    await runner.start();
    const checkpoint = () => readStore.collection<CheckpointDocument>('_checkpoints').findOne({ _id: 'counters.v1' });
    const position = await appendCounts(eventStore, 'counter-1', [1]);
    expect(await runner.waitForPosition(position, 2000)).toBe(true);
    await eventually(async () => (await checkpoint())?.position === position, { description: 'the timed checkpoint' });
    const later = await appendCounts(eventStore, 'counter-1', [1]);
    expect(await runner.waitForPosition(later, 2000)).toBe(true);
    await runner.stop();
    expect((await checkpoint())?.position).toBe(later);
    await runner.stop();
  });

  it('refuses to rebuild a projection that declares no collections', async () => {
    const runner = runnerFor({ name: 'nothing.v1', apply: async () => undefined });
    await expect(runner.rebuild()).rejects.toThrow(/declares no collections/);
  });

  it('deletes a document only for an event later than the one it reflects', async () => {
    const collection = readStore.collection<CounterDocument>('counters');
    await applyOnce(collection, 'c', 10, { $set: { total: 1 } });
    expect(await deleteOnce(collection, 'c', 5)).toBe(false);
    expect(await deleteOnce(collection, 'c', 11)).toBe(true);
    expect(await collection.countDocuments()).toBe(0);
  });

  it('replays a log of 20,000 events at a measurable rate', async () => {
    await appendBenchmarkEvents(eventStore, { streams: 2000, eventsPerStream: 10 });
    const batched = await measureProjectionRebuild(eventStore, readStore, counterProjection());
    const oneByOne = await measureProjectionRebuild(eventStore, readStore, { ...counterProjection('single.v1', 'single'), applyBatch: undefined });
    console.log(
      `rebuild of ${batched.events} events (in-memory stores): batched ${Math.round(batched.eventsPerSecond)} events/s, ` +
        `one by one ${Math.round(oneByOne.eventsPerSecond)} events/s`,
    );
    expect(batched.events).toBe(20_000);
    expect(oneByOne.events).toBe(20_000);
    expect(await readStore.collection('single').find({}, { sort: { _id: 1 } })).toEqual(await counters(readStore));
  });
});

import { InMemoryEventStore, type NewEvent } from '@crm/eventstore';
import { describeWithDocker, describeWithMongo } from '@crm/testing';
import { MongoDBContainer, type StartedMongoDBContainer } from '@testcontainers/mongodb';
import { randomBytes } from 'node:crypto';
import { applyOnce, type CheckpointDocument, deleteOnce, ProjectionRunner } from './projection';
import { DuplicateKeyError } from './read-store.port';
import { MongoReadStore } from './mongo-read-store';
import { readStoreContract } from './testing/read-store-contract';
import { appendBenchmarkEvents, type CounterDocument, counterProjection, measureProjectionRebuild } from './testing/rebuild-benchmark';

/**
 * The read-store contract and the projection runner against a MongoDB server: the wire-compatible
 * one `.ci/run` starts without Docker (tools/infra/mongodb.sh: FerretDB on SQLite), and real MongoDB 8
 * through testcontainers where Docker exists. Every test gets a database of its own, dropped afterwards.
 */

const runId = randomBytes(3).toString('hex');
let databases = 0;
const freshDatabaseName = () => `readstore_${runId}_${++databases}`;

function mongoReadStoreSuites(adapterName: string, serverUrl: () => string): void {
  let store: MongoReadStore | undefined;

  readStoreContract(adapterName, {
    create: async () => (store = new MongoReadStore({ url: serverUrl(), database: freshDatabaseName() })),
    reopen: async () => {
      const database = store!.databaseName;
      await store!.close();
      return (store = new MongoReadStore({ url: serverUrl(), database }));
    },
    dispose: async () => {
      await store?.dropDatabase();
      await store?.close();
      store = undefined;
    },
  });

  describe(`ProjectionRunner on ${adapterName}`, () => {
    let eventStore: InMemoryEventStore;
    let readStore: MongoReadStore;
    const runners: ProjectionRunner[] = [];
    let eventIds = 0;

    const runnerFor = (...args: Parameters<typeof counterProjection>) => {
      const runner = new ProjectionRunner(eventStore, readStore, counterProjection(...args), { logger: () => undefined });
      runners.push(runner);
      return runner;
    };
    const appendCounts = async (stream: string, amounts: number[]) => {
      const events: NewEvent[] = amounts.map((by) => ({
        eventId: `e-${runId}-${++eventIds}`,
        type: 'CounterIncremented',
        data: { by },
        metadata: { tenantId: 't1', actorId: 'tester', correlationId: 'c', causationId: 'c', occurredAt: '2026-01-01T00:00:00.000Z', schemaVersion: 1 },
      }));
      return (await eventStore.append(stream, events, 'any')).position;
    };
    const counters = (collection = 'counters') => readStore.collection<CounterDocument>(collection).find({}, { sort: { _id: 1 } });

    beforeEach(async () => {
      eventStore = new InMemoryEventStore();
      readStore = await MongoReadStore.connect({ url: serverUrl(), database: freshDatabaseName() });
    });

    afterEach(async () => {
      for (const runner of runners.splice(0)) await runner.stop();
      await eventStore.close();
      await readStore.dropDatabase();
      await readStore.close();
    });

    it('catches up in batches, rebuilds into the same documents, and keeps following the log', async () => {
      for (let stream = 0; stream < 20; stream++) await appendCounts(`counter-${stream}`, [stream, 1, 2]);
      const runner = runnerFor();
      await runner.start();
      expect(await runner.waitForPosition(await eventStore.headPosition(), 10_000)).toBe(true);
      const before = await counters();
      expect(before).toHaveLength(20);
      expect(before.find((document) => document._id === 'counter-7')).toMatchObject({ total: 10, events: 3 });
      await readStore.collection('counters').insertOne({ _id: 'stale', total: 0, events: 0, lastEventId: 'x', _position: 0 });

      const result = await runner.rebuild();
      expect(result).toMatchObject({ events: 60, position: await eventStore.headPosition() });
      expect(await counters()).toEqual(before);
      const position = await appendCounts('counter-3', [100]);
      expect(await runner.waitForPosition(position, 10_000)).toBe(true);
      expect(await readStore.collection<CounterDocument>('counters').findOne({ _id: 'counter-3' })).toMatchObject({ total: 106, _position: position });
    });

    it('gives the same documents one by one (guarded upserts) as in batches (bulk writes)', async () => {
      for (let stream = 0; stream < 10; stream++) await appendCounts(`counter-${stream}`, [1, 2, 3, 4]);
      const oneByOne = new ProjectionRunner(eventStore, readStore, { ...counterProjection('one.v1', 'counters'), applyBatch: undefined }, { logger: () => undefined });
      runners.push(oneByOne);
      await oneByOne.start();
      const batched = runnerFor('batched.v1', 'batched');
      await batched.start();
      const head = await eventStore.headPosition();
      expect(await oneByOne.waitForPosition(head, 10_000)).toBe(true);
      expect(await batched.waitForPosition(head, 10_000)).toBe(true);
      expect(await counters('batched')).toEqual(await counters());
      expect(await counters()).toHaveLength(10);
    });

    it('replays harmlessly from a checkpoint older than the documents, and resumes from the saved one', async () => {
      await appendCounts('counter-1', [1, 2, 3]);
      const first = runnerFor();
      await first.start();
      expect(await first.waitForPosition(await eventStore.headPosition(), 10_000)).toBe(true);
      await first.stop();
      const checkpoints = readStore.collection<CheckpointDocument>('_checkpoints');
      expect((await checkpoints.findOne({ _id: 'counters.v1' }))?.position).toBe(first.position);

      // As after a crash between applying events and saving the checkpoint.
      await checkpoints.updateOne({ _id: 'counters.v1' }, { $set: { position: -1 } });
      for (const projection of [counterProjection(), { ...counterProjection(), applyBatch: undefined }]) {
        const again = new ProjectionRunner(eventStore, readStore, projection, { logger: () => undefined });
        runners.push(again);
        await again.start();
        expect(await again.waitForPosition(await eventStore.headPosition(), 10_000)).toBe(true);
        await again.stop();
        expect(await counters()).toMatchObject([{ total: 6, events: 3 }]);
        await checkpoints.updateOne({ _id: 'counters.v1' }, { $set: { position: -1 } });
      }

      await checkpoints.updateOne({ _id: 'counters.v1' }, { $set: { position: await eventStore.headPosition() } });
      await appendCounts('counter-1', [10]);
      const resumed = runnerFor();
      await resumed.start();
      expect(await resumed.waitForPosition(await eventStore.headPosition(), 10_000)).toBe(true);
      expect(resumed.appliedEvents).toBe(1);
      expect(await counters()).toMatchObject([{ total: 16, events: 4 }]);
    });

    it('applies an event to a document once, and deletes only for a later event', async () => {
      const collection = readStore.collection<CounterDocument>('counters');
      expect(await applyOnce(collection, 'c', 10, { $inc: { total: 1 }, $setOnInsert: { events: 0 } })).toBe(true);
      expect(await applyOnce(collection, 'c', 10, { $inc: { total: 1 } })).toBe(false);
      expect(await applyOnce(collection, 'c', 9, { $inc: { total: 1 } })).toBe(false);
      expect(await applyOnce(collection, 'c', 11, { $inc: { total: 1 } })).toBe(true);
      expect(await collection.findOne({ _id: 'c' })).toEqual({ _id: 'c', total: 2, events: 0, _position: 11 });
      expect(await deleteOnce(collection, 'c', 5)).toBe(false);
      expect(await deleteOnce(collection, 'c', 12)).toBe(true);
      expect(await collection.countDocuments()).toBe(0);
    });

    it('replays a log of 1,000 events at a measurable rate', async () => {
      await appendBenchmarkEvents(eventStore, { streams: 100, eventsPerStream: 10 });
      const batched = await measureProjectionRebuild(eventStore, readStore, counterProjection());
      const oneByOne = await measureProjectionRebuild(eventStore, readStore, { ...counterProjection('single.v1', 'single'), applyBatch: undefined });
      console.log(
        `rebuild of ${batched.events} events (${adapterName}): batched ${Math.round(batched.eventsPerSecond)} events/s, ` +
          `one by one ${Math.round(oneByOne.eventsPerSecond)} events/s`,
      );
      expect(batched.events).toBe(1000);
      expect(oneByOne.events).toBe(1000);
      expect(await counters('single')).toEqual(await counters());
    });
  });

  describe(`MongoReadStore specifics on ${adapterName}`, () => {
    let readStore: MongoReadStore;

    beforeEach(async () => {
      readStore = await MongoReadStore.connect({ url: serverUrl(), database: freshDatabaseName() });
    });

    afterEach(async () => {
      await readStore.dropDatabase();
      await readStore.close();
    });

    it('leaves undefined fields out, as the embedded adapter does', async () => {
      const items = readStore.collection('items');
      await items.insertOne({ _id: 'a', kept: 1, left: undefined });
      await items.updateOne({ _id: 'a' }, { $set: { also: undefined, more: 2 } });
      expect(await items.findOne({ _id: 'a' })).toEqual({ _id: 'a', kept: 1, more: 2 });
      expect(await items.countDocuments({ left: null })).toBe(1);
    });

    it('refuses an index whose name exists with other keys or uniqueness', async () => {
      const items = readStore.collection('items');
      await items.createIndexes([{ keys: { a: 1 }, name: 'by_a' }]);
      await expect(items.createIndexes([{ keys: { a: 1 }, name: 'by_a', unique: true }])).rejects.toThrow(/already exists with different/);
      await expect(items.createIndexes([{ keys: { b: 1 }, name: 'by_a' }])).rejects.toThrow(/already exists with different/);
    });

    it('turns a non-unique index into a unique one where the server keeps only one per key pattern, and keeps it on duplicates', async () => {
      const items = readStore.collection('items');
      await items.createIndexes([{ keys: { a: 1 } }]);
      await items.insertOne({ _id: 'x', a: 1 });
      await items.createIndexes([{ keys: { a: 1 }, unique: true, name: 'a_unique' }]);
      await expect(items.insertOne({ _id: 'y', a: 1 })).rejects.toThrow(DuplicateKeyError);
      // Declared again at the next start: nothing to do.
      await items.createIndexes([{ keys: { a: 1 } }, { keys: { a: 1 }, unique: true, name: 'a_unique' }]);

      const others = readStore.collection('others');
      await others.createIndexes([{ keys: { b: 1 } }]);
      await others.insertOne({ _id: 'x', b: 1 });
      await others.insertOne({ _id: 'y', b: 1 });
      await expect(others.createIndexes([{ keys: { b: 1 }, unique: true, name: 'b_unique' }])).rejects.toThrow(DuplicateKeyError);
      await others.createIndexes([{ keys: { b: 1 } }]);
    });

    it('bulk-writes hundreds of updates of existing documents (FerretDB wedges on one command of a hundred)', async () => {
      const items = readStore.collection('items');
      const ids = Array.from({ length: 300 }, (_, index) => `i${index}`);
      await items.bulkWrite(ids.map((id) => ({ replaceOne: { filter: { _id: id }, replacement: { _id: id, n: 0 }, upsert: true } })));
      await items.bulkWrite(ids.map((id) => ({ updateOne: { filter: { _id: id }, update: { $inc: { n: 1 } } } })));
      await items.bulkWrite(ids.map((id) => ({ replaceOne: { filter: { _id: id }, replacement: { _id: id, n: 5 }, upsert: true } })));
      expect(await items.countDocuments({ n: 5 })).toBe(300);
    });

    it('fails fast when the server is unreachable', async () => {
      await expect(
        MongoReadStore.connect({ url: 'mongodb://127.0.0.1:1/', database: 'nowhere', clientOptions: { serverSelectionTimeoutMS: 200 } }),
      ).rejects.toThrow();
    });
  });
}

describeWithMongo('MongoReadStore on the local wire-compatible server', (url) => {
  mongoReadStoreSuites('mongodb (wire-compatible server)', () => url);
});

describeWithDocker('MongoReadStore on MongoDB 8 (testcontainers)', () => {
  let container: StartedMongoDBContainer;

  beforeAll(async () => {
    container = await new MongoDBContainer('mongo:8').start();
  }, 120_000);

  afterAll(async () => {
    await container?.stop();
  });

  // The container runs a one-node replica set that advertises its internal host name.
  mongoReadStoreSuites('mongodb 8 (testcontainers)', () => `${container.getConnectionString()}/?directConnection=true`);
});

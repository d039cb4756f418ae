import {
  type Collection,
  type Document,
  DuplicateKeyError,
  type Filter,
  type IndexSpec,
  InvalidCursorError,
  type ReadStore,
  type SortSpec,
} from '../read-store.port';

/**
 * The behaviour every ReadStore adapter must show, as a jest suite. Each filter and sort case runs
 * twice, without and with indexes on the fields involved, because adapters may answer indexed
 * queries another way (SQL pushdown, a server's planner) and must still agree with MongoDB.
 */
export interface ReadStoreHarness {
  /** A store holding no data; called before each test. */
  create(): Promise<ReadStore>;
  /** Closes the store last returned and opens the same data again; omit when the adapter keeps nothing. */
  reopen?(): Promise<ReadStore>;
  /** Called after each test: close stores, remove files or databases. */
  dispose?(): Promise<void>;
}

interface Person extends Document {
  name: string;
  email?: string | null;
  age?: number | null;
  city?: string;
  tags?: string[];
  address?: { city: string; country: string };
  active?: boolean | number;
  joinedAt?: string;
  score?: number;
}

const PEOPLE: Person[] = [
  { _id: 'p01', name: 'Alice', email: 'alice@example.com', age: 31, tags: ['vip', 'lead'], address: { city: 'Paris', country: 'FR' }, active: true, joinedAt: '2024-01-05T10:00:00.000Z', score: 5 },
  { _id: 'p02', name: 'alban', email: 'alban@example.com', age: 25, tags: ['lead'], address: { city: 'Lyon', country: 'FR' }, active: false, joinedAt: '2024-02-10T10:00:00.000Z', score: 3 },
  { _id: 'p03', name: 'Bob', email: 'bob@example.com', age: 42, tags: [], address: { city: 'Berlin', country: 'DE' }, active: true, joinedAt: '2024-03-15T10:00:00.000Z', score: 5 },
  { _id: 'p04', name: 'Chloé', email: null, age: null, tags: ['vip'], address: { city: 'Paris', country: 'FR' }, active: 1, joinedAt: '2024-04-20T10:00:00.000Z', score: 1 },
  { _id: 'p05', name: 'Dan', age: 25, address: { city: 'Madrid', country: 'ES' }, joinedAt: '2024-05-25T10:00:00.000Z', score: 3 },
  { _id: 'p06', name: 'ALINE', email: 'aline@example.com', age: 58, tags: ['partner', 'vip'], active: true, score: 5 },
  { _id: 'p07', name: 'Émile', email: 'emile@example.com', age: 19, tags: ['lead'], address: { city: 'Lyon', country: 'FR' }, active: false, joinedAt: '2024-07-01T10:00:00.000Z' },
  { _id: 'p08', name: 'Zoe', email: 'zoe@example.com', age: 25, tags: ['x'], address: { city: 'Paris', country: 'FR' }, active: true, joinedAt: '2024-08-09T10:00:00.000Z', score: 3 },
];

const INDEXED_FIELDS: IndexSpec[] = [
  { keys: { name: 1 } },
  { keys: { email: 1 } },
  { keys: { age: 1 } },
  { keys: { tags: 1 } },
  { keys: { 'address.city': 1, _id: 1 } },
  { keys: { active: 1 } },
  { keys: { joinedAt: -1 } },
  { keys: { score: -1, age: 1 } },
];

const ids = (documents: Document[]) => documents.map((document) => document._id);

export function readStoreContract(adapterName: string, harness: ReadStoreHarness): void {
  describe(`ReadStore contract: ${adapterName}`, () => {
    let store: ReadStore;

    beforeEach(async () => {
      store = await harness.create();
    });

    afterEach(async () => {
      await harness.dispose?.();
    });

    const people = () => store.collection<Person>('people');
    const seedPeople = async (withIndexes: boolean) => {
      if (withIndexes) await people().createIndexes(INDEXED_FIELDS);
      for (const person of PEOPLE) await people().insertOne(structuredClone(person));
    };

    describe.each([
      ['without indexes', false],
      ['with indexes', true],
    ])('queries %s', (_label, withIndexes) => {
      beforeEach(async () => {
        await seedPeople(withIndexes);
      });

      const expectIds = async (filter: Filter, expected: string[]) => {
        expect(ids(await people().find(filter, { sort: { _id: 1 } }))).toEqual(expected);
        expect(await people().countDocuments(filter)).toBe(expected.length);
      };

      it('matches equality, including null against missing fields', async () => {
        await expectIds({ name: 'Bob' }, ['p03']);
        await expectIds({ age: 25 }, ['p02', 'p05', 'p08']);
        await expectIds({ email: null }, ['p04', 'p05']);
        await expectIds({ _id: 'p07' }, ['p07']);
        await expectIds({ name: 'nobody' }, []);
      });

      it('tells booleans from numbers', async () => {
        await expectIds({ active: true }, ['p01', 'p03', 'p06', 'p08']);
        await expectIds({ active: 1 }, ['p04']);
        await expectIds({ active: false }, ['p02', 'p07']);
      });

      it('matches $in and $nin', async () => {
        await expectIds({ age: { $in: [19, 42] } }, ['p03', 'p07']);
        await expectIds({ _id: { $in: ['p02', 'p05', 'zz'] } }, ['p02', 'p05']);
        await expectIds({ name: { $in: [] } }, []);
        await expectIds({ 'address.country': { $nin: ['FR'] } }, ['p03', 'p05', 'p06']);
      });

      it('matches case-insensitive and case-sensitive prefix regular expressions', async () => {
        await expectIds({ name: { $regex: '^al', $options: 'i' } }, ['p01', 'p02', 'p06']);
        await expectIds({ name: /^AL/i }, ['p01', 'p02', 'p06']);
        await expectIds({ name: /^Al/ }, ['p01']);
        await expectIds({ name: { $regex: '^al' } }, ['p02']);
        await expectIds({ email: { $regex: '^a.*@example\\.com$' } }, ['p01', 'p02', 'p06']);
        await expectIds({ name: /^é/i }, ['p07']);
        await expectIds({ name: /lo/ }, ['p04']);
      });

      it('matches ranges on numbers and ISO-8601 strings', async () => {
        await expectIds({ age: { $gte: 25, $lte: 31 } }, ['p01', 'p02', 'p05', 'p08']);
        await expectIds({ age: { $gt: 40 } }, ['p03', 'p06']);
        await expectIds({ age: { $lt: 20 } }, ['p07']);
        await expectIds(
          { joinedAt: { $gte: '2024-03-01T00:00:00.000Z', $lt: '2024-06-01T00:00:00.000Z' } },
          ['p03', 'p04', 'p05'],
        );
        await expectIds({ name: { $gte: 'a' } }, ['p02', 'p07']);
      });

      it('matches nested fields', async () => {
        await expectIds({ 'address.city': 'Paris' }, ['p01', 'p04', 'p08']);
        await expectIds({ 'address.city': 'Paris', 'address.country': 'FR', age: { $gte: 30 } }, ['p01']);
        await expectIds({ address: { city: 'Berlin', country: 'DE' } }, ['p03']);
      });

      it('matches array fields by element, by whole array and with $all/$size', async () => {
        await expectIds({ tags: 'vip' }, ['p01', 'p04', 'p06']);
        await expectIds({ tags: { $in: ['partner', 'x'] } }, ['p06', 'p08']);
        await expectIds({ tags: ['lead'] }, ['p02', 'p07']);
        await expectIds({ tags: { $all: ['vip', 'lead'] } }, ['p01']);
        await expectIds({ tags: { $size: 0 } }, ['p03']);
      });

      it('matches $exists, $ne, $or and $and', async () => {
        await expectIds({ email: { $exists: false } }, ['p05']);
        await expectIds({ joinedAt: { $exists: true } }, ['p01', 'p02', 'p03', 'p04', 'p05', 'p07', 'p08']);
        await expectIds({ age: { $ne: 25 } }, ['p01', 'p03', 'p04', 'p06', 'p07']);
        await expectIds({ $or: [{ name: 'Bob' }, { age: 19 }] }, ['p03', 'p07']);
        await expectIds({ $and: [{ age: 25 }, { 'address.city': 'Paris' }] }, ['p08']);
      });

      it('matches negations, $exists, and ranges over array elements', async () => {
        await expectIds({ age: { $not: { $gte: 30 } } }, ['p02', 'p04', 'p05', 'p07', 'p08']);
        await expectIds({ active: { $ne: true } }, ['p02', 'p04', 'p05', 'p07']);
        await expectIds({ email: { $ne: null } }, ['p01', 'p02', 'p03', 'p06', 'p07', 'p08']);
        await expectIds({ tags: { $nin: ['vip', 'x'] } }, ['p02', 'p03', 'p05', 'p07']);
        await expectIds({ tags: { $gte: 'w' } }, ['p08']);
        await expectIds({ tags: { $gt: 'l', $lt: 'm' } }, ['p01', 'p02', 'p07']);
        await expectIds({ score: { $exists: false } }, ['p07']);
        await expectIds({ 'address.city': { $exists: false } }, ['p06']);
        await expectIds({ $or: [{ name: /^b/i }, { age: { $lt: 20 } }] }, ['p03', 'p07']);
        await expectIds({ $or: [{ name: 'Bob' }, { 'address.country': 'ES' }] }, ['p03', 'p05']);
        await expectIds({ $nor: [{ name: 'Bob' }, { age: 25 }] }, ['p01', 'p04', 'p06', 'p07']);
      });

      it('sorts ascending and descending on several keys, missing and null values first', async () => {
        expect(ids(await people().find({}, { sort: { age: 1, _id: 1 } }))).toEqual(['p04', 'p07', 'p02', 'p05', 'p08', 'p01', 'p03', 'p06']);
        expect(ids(await people().find({}, { sort: { age: -1, _id: -1 } }))).toEqual(['p06', 'p03', 'p01', 'p08', 'p05', 'p02', 'p07', 'p04']);
        expect(ids(await people().find({}, { sort: { score: -1, age: 1, _id: 1 } }))).toEqual(['p01', 'p03', 'p06', 'p02', 'p05', 'p08', 'p04', 'p07']);
        expect(ids(await people().find({ score: 3 }, { sort: { age: 1, name: -1 } }))).toEqual(['p02', 'p08', 'p05']);
        expect(ids(await people().find({}, { sort: { joinedAt: -1, _id: 1 } })).slice(0, 2)).toEqual(['p08', 'p07']);
        expect(ids(await people().find({}, { sort: { joinedAt: -1, _id: 1 } })).at(-1)).toBe('p06');
      });

      it('skips and limits after sorting', async () => {
        expect(ids(await people().find({}, { sort: { _id: 1 }, skip: 2, limit: 3 }))).toEqual(['p03', 'p04', 'p05']);
        expect(ids(await people().find({ age: 25 }, { sort: { _id: -1 }, skip: 1, limit: 5 }))).toEqual(['p05', 'p02']);
        expect(ids(await people().find({}, { sort: { name: 1 }, skip: 7 }))).toEqual(['p07']);
        expect(await people().find({}, { skip: 100 })).toEqual([]);
        expect(await people().find({}, { limit: 2 })).toHaveLength(2);
      });

      it('projects fields in and out', async () => {
        expect(await people().find({ _id: 'p03' }, { projection: { name: 1, 'address.city': 1 } })).toEqual([
          { _id: 'p03', name: 'Bob', address: { city: 'Berlin' } },
        ]);
        const [withoutTags] = await people().find({ _id: 'p01' }, { projection: { tags: 0, address: 0 } });
        expect(withoutTags).not.toHaveProperty('tags');
        expect(withoutTags).toHaveProperty('email', 'alice@example.com');
      });

      it('returns one document or null from findOne', async () => {
        expect(await people().findOne({ email: 'bob@example.com' })).toMatchObject({ _id: 'p03', name: 'Bob' });
        expect(await people().findOne({ email: 'nobody@example.com' })).toBeNull();
      });

      it('pages through everything in order, without overlap, whatever the ties', async () => {
        const sorts: SortSpec[] = [{ score: -1 }, { age: 1 }, { age: -1 }, { score: -1, age: 1 }, { 'address.city': 1 }, { tags: 1 }, {}];
        for (const sort of sorts) {
          for (const limit of [1, 2, 3, 8, 20]) {
            const expected = ids(await people().find({}, { sort: { ...sort, _id: sortTieBreak(sort) } }));
            expect({ sort, limit, ids: await walkPages(people(), {}, sort, limit) }).toEqual({ sort, limit, ids: expected });
          }
        }
        expect(await walkPages(people(), { age: { $gte: 25 } }, { age: -1 }, 2)).toEqual(['p06', 'p03', 'p01', 'p08', 'p05', 'p02']);
      });
    });

    describe('paging', () => {
      it('returns no cursor on the last page and an empty page for no match', async () => {
        await seedPeople(false);
        const page = await people().findPage({}, { sort: { name: 1 }, limit: 8 });
        expect(page.items).toHaveLength(8);
        expect(page.nextCursor).toBeNull();
        expect(await people().findPage({ name: 'nobody' }, { limit: 5 })).toEqual({ items: [], nextCursor: null });
      });

      it('walks a large set of equal sort values without skipping or repeating', async () => {
        await people().createIndexes([{ keys: { score: 1 } }]);
        const documents = Array.from({ length: 157 }, (_, index) => ({
          _id: `q${String((index * 37) % 157).padStart(3, '0')}`,
          name: `n${index}`,
          score: index % 3,
          ...(index % 10 === 0 ? {} : { age: index % 4 }),
        }));
        await people().bulkWrite(documents.map((document) => ({ replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } })));
        for (const sort of [{ score: 1 }, { score: -1 }, { age: 1, score: -1 }, { age: -1 }] as SortSpec[]) {
          const expected = ids(await people().find({}, { sort: { ...sort, _id: sortTieBreak(sort) } }));
          expect(expected).toHaveLength(157);
          expect(await walkPages(people(), {}, sort, 10)).toEqual(expected);
        }
      });

      it('shows documents inserted after the cursor position and not those before it', async () => {
        await seedPeople(true);
        const first = await people().findPage({}, { sort: { name: 1 }, limit: 4 });
        expect(ids(first.items)).toEqual(['p06', 'p01', 'p03', 'p04']);
        await people().insertOne({ _id: 'p09', name: 'Aaron' });
        await people().insertOne({ _id: 'p10', name: 'Yann' });
        const second = await people().findPage({}, { sort: { name: 1 }, limit: 10, cursor: first.nextCursor! });
        expect(ids(second.items)).toEqual(['p05', 'p10', 'p08', 'p02', 'p07']);
      });

      it('rejects malformed, altered and foreign cursors', async () => {
        await seedPeople(true);
        const page = await people().findPage({ age: { $gte: 20 } }, { sort: { age: 1 }, limit: 2 });
        const cursor = page.nextCursor!;
        const collection = people();
        await expect(collection.findPage({ age: { $gte: 20 } }, { sort: { age: 1 }, limit: 2, cursor: 'garbage' })).rejects.toThrow(InvalidCursorError);
        await expect(collection.findPage({ age: { $gte: 20 } }, { sort: { age: 1 }, limit: 2, cursor: '' })).rejects.toThrow(InvalidCursorError);
        const altered = cursor.slice(0, 5) + (cursor[5] === 'A' ? 'B' : 'A') + cursor.slice(6);
        await expect(collection.findPage({ age: { $gte: 20 } }, { sort: { age: 1 }, limit: 2, cursor: altered })).rejects.toThrow(InvalidCursorError);
        await expect(collection.findPage({ age: { $gte: 20 } }, { sort: { age: -1 }, limit: 2, cursor })).rejects.toThrow(InvalidCursorError);
        await expect(collection.findPage({ age: { $gte: 30 } }, { sort: { age: 1 }, limit: 2, cursor })).rejects.toThrow(InvalidCursorError);
        await expect(store.collection('other').findPage({ age: { $gte: 20 } }, { sort: { age: 1 }, limit: 2, cursor })).rejects.toThrow(
          InvalidCursorError,
        );
        const next = await collection.findPage({ age: { $gte: 20 } }, { sort: { age: 1 }, limit: 2, cursor });
        expect(ids(next.items)).toEqual(['p08', 'p01']);
      });
    });

    describe('writes', () => {
      it('keeps an indexed array that holds a value twice writable and queryable (upserts and replaces)', async () => {
        const names = store.collection<Document & { keys: string[]; version?: number }>('search_keys');
        await names.createIndexes([{ keys: { keys: 1 } }]);
        await names.insertOne({ _id: 'a', keys: ['x', 'z'] });
        // Guarded by a version, as projections write (see applyOnce).
        await names.updateOne({ _id: 'b', version: { $lt: 1 } }, { $set: { keys: ['yann', 'yann'], version: 1 } }, { upsert: true });
        await names.updateOne({ _id: 'b', version: { $lt: 2 } }, { $set: { keys: ['yannick', 'yannick'], version: 2 } }, { upsert: true });
        await names.replaceOne({ _id: 'b' }, { _id: 'b', keys: ['yves', 'yves', 'y'], version: 3 }, { upsert: true });
        await names.bulkWrite([{ replaceOne: { filter: { _id: 'b' }, replacement: { _id: 'b', keys: ['yvon', 'yvon', 'y'], version: 4 }, upsert: true } }]);
        await names.insertOne({ _id: 'c', keys: ['y', 'y'] });
        expect(ids(await names.find({ keys: 'yvon' }))).toEqual(['b']);
        expect(ids(await names.find({ keys: 'y' }, { sort: { _id: 1 } }))).toEqual(['b', 'c']);
        expect(await names.countDocuments({ keys: 'yann' })).toBe(0);
      });

      it('inserts and refuses a second document with the same _id', async () => {
        await people().insertOne({ _id: 'a', name: 'A' });
        await expect(people().insertOne({ _id: 'a', name: 'B' })).rejects.toThrow(DuplicateKeyError);
        expect(await people().findOne({ _id: 'a' })).toEqual({ _id: 'a', name: 'A' });
      });

      it('upserts from the filter equality fields, with $setOnInsert only on insert and $inc from zero', async () => {
        const counters = store.collection<Document & Record<string, unknown>>('counters');
        const first = await counters.updateOne(
          { _id: 'c1', tenant: 't1', 'meta.kind': 'visits', hits: { $gte: 0 } },
          { $inc: { hits: 1 }, $set: { last: 'a' }, $setOnInsert: { createdAt: 'first' } },
          { upsert: true },
        );
        expect(first).toEqual({ matchedCount: 0, modifiedCount: 0, upsertedId: 'c1' });
        expect(await counters.findOne({ _id: 'c1' })).toEqual({ _id: 'c1', tenant: 't1', meta: { kind: 'visits' }, hits: 1, last: 'a', createdAt: 'first' });

        const second = await counters.updateOne(
          { _id: 'c1' },
          { $inc: { hits: 2 }, $set: { last: 'b' }, $setOnInsert: { createdAt: 'second' } },
          { upsert: true },
        );
        expect(second).toEqual({ matchedCount: 1, modifiedCount: 1, upsertedId: null });
        expect(await counters.findOne({ _id: 'c1' })).toEqual({ _id: 'c1', tenant: 't1', meta: { kind: 'visits' }, hits: 3, last: 'b', createdAt: 'first' });

        const generated = await counters.updateOne({ tenant: 't2' }, { $set: { hits: 0 } }, { upsert: true });
        expect(typeof generated.upsertedId).toBe('string');
        expect(await counters.findOne({ _id: generated.upsertedId! })).toEqual({ _id: generated.upsertedId, tenant: 't2', hits: 0 });
      });

      it('reports matched but unmodified, and no match without upsert', async () => {
        await people().insertOne({ _id: 'a', name: 'A', age: 1 });
        expect(await people().updateOne({ _id: 'a' }, { $set: { age: 1 } })).toEqual({ matchedCount: 1, modifiedCount: 0, upsertedId: null });
        expect(await people().updateOne({ _id: 'b' }, { $set: { age: 1 } })).toEqual({ matchedCount: 0, modifiedCount: 0, upsertedId: null });
        expect(await people().countDocuments()).toBe(1);
      });

      it('applies $unset, $addToSet and $pull', async () => {
        await people().insertOne({ _id: 'a', name: 'A', age: 3, tags: ['x', 'y'] });
        await people().updateOne({ _id: 'a' }, { $unset: { age: '' }, $addToSet: { tags: 'z' } });
        await people().updateOne({ _id: 'a' }, { $addToSet: { tags: 'x' } });
        await people().updateOne({ _id: 'a' }, { $pull: { tags: 'y' } });
        expect(await people().findOne({ _id: 'a' })).toEqual({ _id: 'a', name: 'A', tags: ['x', 'z'] });
      });

      it('updates the first match of a non-_id filter and refuses to change _id', async () => {
        await people().insertOne({ _id: 'a', name: 'A', age: 1 });
        await people().insertOne({ _id: 'b', name: 'B', age: 1 });
        await people().updateOne({ age: 1, name: 'B' }, { $inc: { age: 10 } });
        expect(await people().findOne({ _id: 'b' })).toMatchObject({ age: 11 });
        await expect(people().updateOne({ _id: 'a' }, { $set: { _id: 'z' } })).rejects.toThrow();
        expect(await people().findOne({ _id: 'a' })).toMatchObject({ age: 1 });
      });

      it('replaces whole documents, and upserts a replacement', async () => {
        await people().insertOne({ _id: 'a', name: 'A', age: 1, tags: ['x'] });
        expect(await people().replaceOne({ _id: 'a' }, { _id: 'a', name: 'A2' })).toEqual({ matchedCount: 1, modifiedCount: 1, upsertedId: null });
        expect(await people().findOne({ _id: 'a' })).toEqual({ _id: 'a', name: 'A2' });
        expect(await people().replaceOne({ _id: 'b' }, { _id: 'b', name: 'B' })).toEqual({ matchedCount: 0, modifiedCount: 0, upsertedId: null });
        expect(await people().replaceOne({ _id: 'b' }, { _id: 'b', name: 'B' }, { upsert: true })).toEqual({
          matchedCount: 0,
          modifiedCount: 0,
          upsertedId: 'b',
        });
        expect(await people().findOne({ _id: 'b' })).toEqual({ _id: 'b', name: 'B' });
      });

      it('deletes one or many', async () => {
        await seedPeople(true);
        expect(await people().deleteOne({ age: 25 })).toBe(1);
        expect(await people().countDocuments({ age: 25 })).toBe(2);
        expect(await people().deleteMany({ tags: 'vip' })).toBe(3);
        expect(await people().deleteMany({ name: 'nobody' })).toBe(0);
        expect(await people().countDocuments()).toBe(4);
        expect(await people().deleteMany({})).toBe(4);
        expect(await people().countDocuments()).toBe(0);
      });

      it('enforces unique indexes on insert, update and upsert, across types', async () => {
        await people().createIndexes([{ keys: { email: 1 }, unique: true, name: 'email_unique' }]);
        await people().insertOne({ _id: 'a', name: 'A', email: 'a@x' });
        await people().insertOne({ _id: 'b', name: 'B', email: 'b@x' });
        const duplicate = await people().insertOne({ _id: 'c', name: 'C', email: 'a@x' }).catch((error: unknown) => error);
        expect(duplicate).toBeInstanceOf(DuplicateKeyError);
        expect((duplicate as DuplicateKeyError).collection).toBe('people');
        await expect(people().updateOne({ _id: 'b' }, { $set: { email: 'a@x' } })).rejects.toThrow(DuplicateKeyError);
        await expect(people().updateOne({ _id: 'z' }, { $set: { email: 'b@x' } }, { upsert: true })).rejects.toThrow(DuplicateKeyError);
        await people().insertOne({ _id: 'd', name: 'D', email: 'A@X' });
        expect(await people().countDocuments()).toBe(3);
        expect(await people().findOne({ _id: 'b' })).toMatchObject({ email: 'b@x' });
      });

      it('refuses to create a unique index over existing duplicates', async () => {
        await people().insertOne({ _id: 'a', name: 'same' });
        await people().insertOne({ _id: 'b', name: 'same' });
        await expect(people().createIndexes([{ keys: { name: 1 }, unique: true }])).rejects.toThrow(DuplicateKeyError);
      });

      it('treats creating the same index twice as a no-op', async () => {
        await people().createIndexes([{ keys: { name: 1 } }]);
        await people().createIndexes([{ keys: { name: 1 } }]);
        await people().insertOne({ _id: 'a', name: 'A' });
        expect(await people().countDocuments({ name: 'A' })).toBe(1);
      });

      it('fails a guarded upsert whose document is too recent with DuplicateKeyError', async () => {
        await people().insertOne({ _id: 'a', name: 'A', age: 10 });
        await expect(
          people().updateOne({ _id: 'a', age: { $lt: 5 } }, { $set: { name: 'stale' } }, { upsert: true }),
        ).rejects.toThrow(DuplicateKeyError);
        expect(await people().findOne({ _id: 'a' })).toMatchObject({ name: 'A' });
      });

      it('applies bulk writes in order and keeps those before a failing one', async () => {
        await people().bulkWrite([
          { replaceOne: { filter: { _id: 'a' }, replacement: { _id: 'a', name: 'A', age: 1 }, upsert: true } },
          { updateOne: { filter: { _id: 'a' }, update: { $inc: { age: 1 } } } },
          { updateOne: { filter: { _id: 'b' }, update: { $set: { name: 'B' } }, upsert: true } },
          { replaceOne: { filter: { _id: 'c' }, replacement: { _id: 'c', name: 'C' }, upsert: true } },
          { deleteOne: { filter: { _id: 'c' } } },
        ]);
        expect(await people().find({}, { sort: { _id: 1 } })).toEqual([
          { _id: 'a', name: 'A', age: 2 },
          { _id: 'b', name: 'B' },
        ]);
        await expect(
          people().bulkWrite([
            { updateOne: { filter: { _id: 'a' }, update: { $set: { age: 3 } } } },
            { updateOne: { filter: { _id: 'b', age: 99 }, update: { $set: { age: 4 } }, upsert: true } },
            { updateOne: { filter: { _id: 'a' }, update: { $set: { age: 5 } } } },
          ]),
        ).rejects.toThrow(DuplicateKeyError);
        expect(await people().findOne({ _id: 'a' })).toMatchObject({ age: 3 });
      });

      it('drops a collection with its documents and indexes', async () => {
        await people().createIndexes([{ keys: { email: 1 }, unique: true }]);
        await people().insertOne({ _id: 'a', name: 'A', email: 'a@x' });
        await store.collection('others').insertOne({ _id: 'o' });
        await people().drop();
        expect(await people().countDocuments()).toBe(0);
        await people().insertOne({ _id: 'b', name: 'B', email: 'a@x' });
        await people().insertOne({ _id: 'c', name: 'C', email: 'a@x' });
        expect(await people().countDocuments({ email: 'a@x' })).toBe(2);
        expect(await store.collection('others').countDocuments()).toBe(1);
        await store.collection('never-used').drop();
      });

      it('keeps collections apart', async () => {
        await store.collection('one').insertOne({ _id: 'a', v: 1 });
        await store.collection('two').insertOne({ _id: 'a', v: 2 });
        expect(await store.collection('one').findOne({ _id: 'a' })).toEqual({ _id: 'a', v: 1 });
        expect(await store.collection('two').findOne({ _id: 'a' })).toEqual({ _id: 'a', v: 2 });
      });
    });

    const persistence = harness.reopen ? it : it.skip;
    persistence('keeps documents and indexes across a reopen', async () => {
      await seedPeople(true);
      await people().createIndexes([{ keys: { name: 1 }, unique: true, name: 'name_unique' }]);
      store = await harness.reopen!();
      expect(await people().countDocuments()).toBe(PEOPLE.length);
      expect(ids(await people().find({ tags: 'vip' }, { sort: { _id: 1 } }))).toEqual(['p01', 'p04', 'p06']);
      expect(ids(await people().find({ age: { $gte: 40 } }, { sort: { age: -1 } }))).toEqual(['p06', 'p03']);
      await expect(people().insertOne({ _id: 'p99', name: 'Bob' })).rejects.toThrow(DuplicateKeyError);
      expect(await walkPages(people(), {}, { score: -1 }, 3)).toEqual(ids(await people().find({}, { sort: { score: -1, _id: -1 } })));
    });
  });
}

/** `_id` follows the direction of the last sort key, as page queries order ties. */
function sortTieBreak(sort: SortSpec): 1 | -1 {
  return Object.values(sort).at(-1) ?? 1;
}

async function walkPages<T extends Document>(collection: Collection<T>, filter: Filter, sort: SortSpec, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await collection.findPage(filter, { sort, limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    seen.push(...ids(page.items));
    if (page.nextCursor === null) return seen;
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
  throw new Error('findPage never returned a last page');
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInMemoryReadStore, EmbeddedReadStore } from './embedded-read-store';
import type { ReadStore } from './read-store.port';
import { readStoreContract } from './testing/read-store-contract';

describe('EmbeddedReadStore', () => {
  let store: ReadStore | undefined;

  readStoreContract('embedded, in memory', {
    create: async () => (store = createInMemoryReadStore()),
    dispose: async () => store?.close(),
  });

  let directory: string;
  let file: string;
  readStoreContract('embedded, SQLite file', {
    create: async () => {
      directory = mkdtempSync(join(tmpdir(), 'readstore-'));
      file = join(directory, 'read-models.db');
      return (store = new EmbeddedReadStore(file));
    },
    reopen: async () => {
      await store?.close();
      return (store = new EmbeddedReadStore(file));
    },
    dispose: async () => {
      await store?.close();
      rmSync(directory, { recursive: true, force: true });
    },
  });
});

describe('EmbeddedReadStore query planning', () => {
  let store: EmbeddedReadStore;
  beforeEach(() => {
    store = createInMemoryReadStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it('narrows equality on an indexed field with its expression index, exactly', async () => {
    const contacts = store.collection('contacts');
    await contacts.createIndexes([{ keys: { tenantId: 1, createdAt: -1 } }, { keys: { email: 1 }, unique: true }]);
    await contacts.insertOne({ _id: 'a', tenantId: 't1', email: 'a@x', createdAt: '2024-01-01' });
    const byEmail = store.explain('contacts', { email: 'a@x' });
    expect(byEmail.exact).toBe(true);
    expect(byEmail.plan.join(' ')).toMatch(/USING INDEX "?idx_8_contacts_email_1/);
    const listing = store.explain('contacts', { tenantId: 't1', deleted: false }, { createdAt: -1, _id: -1 });
    expect(listing).toMatchObject({ exact: true, orderedBySql: true });
    expect(listing.plan.join(' ')).toMatch(/USING INDEX "?idx_8_contacts_tenantId_1_createdAt_-1/);
    expect(listing.plan.join(' ')).not.toMatch(/TEMP B-TREE/);
  });

  it('answers the guard of idempotent writes and $or of indexed conditions in SQL alone', async () => {
    const items = store.collection('items');
    await items.createIndexes([{ keys: { a: 1 } }, { keys: { b: 1 } }]);
    await items.insertOne({ _id: 'x', a: 1, b: 'y', _position: 3 });
    expect(store.explain('items', { _id: 'x', _position: { $not: { $gte: 4 } } }).exact).toBe(true);
    const either = store.explain('items', { $or: [{ a: 1 }, { b: { $in: ['y', 'z'] } }] });
    expect(either.exact).toBe(true);
    expect(either.plan.join(' ')).toMatch(/INDEX/);
    expect(store.explain('items', { $or: [{ a: 1 }, { c: { $elemMatch: { d: 1 } } }] }).exact).toBe(false);
  });

  it('switches an indexed field to an element index once it holds an array, and keeps finding scalars', async () => {
    const people = store.collection('people');
    await people.createIndexes([{ keys: { tags: 1 } }]);
    await people.insertOne({ _id: 'a', tags: 'solo' });
    expect(store.explain('people', { tags: 'solo' }).sql).toContain('json_extract');
    await people.insertOne({ _id: 'b', tags: ['solo', 'duo'] });
    const plan = store.explain('people', { tags: 'solo' });
    expect(plan.sql).toContain('elements_');
    expect(plan.exact).toBe(true);
    expect((await people.find({ tags: 'solo' }, { sort: { _id: 1 } })).map((document) => document._id)).toEqual(['a', 'b']);
    await people.updateOne({ _id: 'b' }, { $pull: { tags: 'solo' } });
    expect((await people.find({ tags: 'solo' })).map((document) => document._id)).toEqual(['a']);
    await people.deleteOne({ _id: 'a' });
    expect(await people.countDocuments({ tags: { $in: ['solo', 'duo'] } })).toBe(1);
    await people.insertOne({ _id: 'c', tags: true });
    await people.updateOne({ _id: 'c' }, { $set: { tags: 1 } });
    expect((await people.find({ tags: 1 })).map((document) => document._id)).toEqual(['c']);
    expect(await people.find({ tags: true })).toEqual([]);
  });

  it('stops ordering in SQL once a sort field holds booleans, and still sorts like MongoDB', async () => {
    const items = store.collection('items');
    await items.createIndexes([{ keys: { rank: 1 } }]);
    await items.insertOne({ _id: 'a', rank: 2 });
    await items.insertOne({ _id: 'b', rank: 'x' });
    await items.insertOne({ _id: 'c' });
    expect(store.explain('items', {}, { rank: 1 }).orderedBySql).toBe(true);
    expect((await items.find({}, { sort: { rank: 1 } })).map((document) => document._id)).toEqual(['c', 'a', 'b']);
    await items.insertOne({ _id: 'd', rank: true });
    expect(store.explain('items', {}, { rank: 1 }).orderedBySql).toBe(false);
    expect((await items.find({}, { sort: { rank: 1 } })).map((document) => document._id)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('turns anchored prefixes into ranges or LIKE, and leaves other patterns to mingo', async () => {
    const people = store.collection('people');
    await people.createIndexes([{ keys: { name: 1 } }]);
    for (const name of ['a', 'ab', 'abb', 'b', 'xab', 'A%b', 'a_b']) await people.insertOne({ _id: name, name });
    expect(store.explain('people', { name: /^ab/ }).sql).toContain('>= ?');
    expect(store.explain('people', { name: /^ab/i }).sql).toContain('LIKE');
    const names = async (pattern: RegExp) => (await people.find({ name: pattern }, { sort: { name: 1 } })).map((document) => document._id);
    expect(await names(/^ab*/)).toEqual(['a', 'a_b', 'ab', 'abb']);
    expect(await names(/^a|b/)).toEqual(['A%b', 'a', 'a_b', 'ab', 'abb', 'b', 'xab']);
    expect(await names(/^a%/i)).toEqual(['A%b']);
    expect(await names(/^a_/)).toEqual(['a_b']);
    expect(await names(/^ab+$/)).toEqual(['ab', 'abb']);
  });

  it('commits grouped writes together and keeps them when the group fails', async () => {
    const items = store.collection('items');
    await expect(
      store.groupWrites(async () => {
        await items.insertOne({ _id: 'a' });
        await items.insertOne({ _id: 'a' });
      }),
    ).rejects.toThrow('Duplicate key');
    expect(await items.countDocuments()).toBe(1);
  });
});

describe('EmbeddedReadStore file', () => {
  it('holds its file exclusively', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'readstore-'));
    const first = new EmbeddedReadStore(join(directory, 'read-models.db'));
    expect(() => new EmbeddedReadStore(join(directory, 'read-models.db'), { busyTimeoutMs: 10 })).toThrow(/locked/);
    await first.close();
    const second = new EmbeddedReadStore(join(directory, 'read-models.db'));
    await second.close();
    rmSync(directory, { recursive: true, force: true });
  });
});

describe('EmbeddedReadStore write groups', () => {
  it('commits overlapping groups when the last one ends, and keeps every write', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'readstore-'));
    const file = join(directory, 'read-models.db');
    const store = new EmbeddedReadStore(file);
    const items = store.collection('items');
    let releaseFirst!: () => void;
    const first = store.groupWrites(async () => {
      await items.insertOne({ _id: 'a' });
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      await items.insertOne({ _id: 'c' });
    });
    await store.groupWrites(async () => {
      await items.insertOne({ _id: 'b' });
    });
    releaseFirst();
    await first;
    await store.close();
    const reopened = new EmbeddedReadStore(file);
    expect((await reopened.collection('items').find({}, { sort: { _id: 1 } })).map((document) => document._id)).toEqual(['a', 'b', 'c']);
    await reopened.close();
    rmSync(directory, { recursive: true, force: true });
  });
});

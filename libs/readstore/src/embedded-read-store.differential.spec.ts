import { find as mingoFind } from 'mingo';
import { compare, resolve } from 'mingo/util';
import { createInMemoryReadStore, type EmbeddedReadStore } from './embedded-read-store';
import type { Document, Filter, SortSpec } from './read-store.port';

/**
 * Differential check of the SQL pushdown: random documents and filters, answered by the embedded
 * store (with and without indexes) and by mingo over a plain array, must agree.
 */

function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 4294967296;
    return state / 4294967296;
  };
}

const STRINGS = ['a', 'ab', 'abc', 'B', 'b', 'Ab', 'é', 'É', 'z', '', '10', '9', 'a%', 'a_b', '\u{1F600}', '\uE000', 'x y'];
const NUMBERS = [0, 1, -1, 2.5, 10, 9, 100, -0.5];

function valueFor(next: () => number, depth = 0): unknown {
  const pick = <T,>(items: T[]) => items[Math.floor(next() * items.length)]!;
  const kind = next();
  if (kind < 0.3) return pick(STRINGS);
  if (kind < 0.55) return pick(NUMBERS);
  if (kind < 0.62) return next() < 0.5;
  if (kind < 0.68) return null;
  if (kind < 0.85 && depth === 0) return Array.from({ length: Math.floor(next() * 3) }, () => valueFor(next, 1));
  if (kind < 0.9 && depth === 0) return { k: valueFor(next, 1) };
  return pick(STRINGS);
}

function documentsFor(seed: number, count: number): Document[] {
  const next = random(seed);
  return Array.from({ length: count }, (_, index) => {
    const document: Document = { _id: `d${String(index).padStart(3, '0')}` };
    for (const field of ['f', 'g', 'h']) if (next() < 0.85) document[field] = valueFor(next);
    if (next() < 0.7) document.n = { v: valueFor(next, 1) };
    return document;
  });
}

function filterFor(next: () => number, depth = 0): Filter {
  const pick = <T,>(items: T[]) => items[Math.floor(next() * items.length)]!;
  const field = pick(['f', 'g', 'h', 'n.v', '_id']);
  const scalar = () => (field === '_id' ? `d${String(Math.floor(next() * 60)).padStart(3, '0')}` : (valueFor(next, 1) as unknown));
  const kind = Math.floor(next() * (depth === 0 ? 13 : 11));
  switch (kind) {
    case 0:
      return { [field]: scalar() };
    case 1:
      return { [field]: { $in: [scalar(), scalar()] } };
    case 2:
      return { [field]: { $ne: scalar() } };
    case 3:
      return { [field]: { $nin: [scalar(), scalar()] } };
    case 4:
      return { [field]: { [pick(['$gt', '$gte', '$lt', '$lte'])]: pick([...NUMBERS, ...STRINGS]) } };
    case 5:
      return { [field]: { $gte: pick(NUMBERS), $lt: pick(NUMBERS) } };
    case 6:
      return { [field]: { $not: { [pick(['$gt', '$gte', '$lt', '$lte'])]: pick([...NUMBERS, ...STRINGS]) } } };
    case 7:
      return { [field]: { $exists: next() < 0.5 } };
    case 8:
      return { [field]: { $regex: `^${pick(['a', 'A', 'ab', 'a%', 'a_', 'é', '1'])}`, $options: pick(['', 'i']) } };
    case 9:
      return { [field]: new RegExp(`^${pick(['a', 'b', 'a.', 'ab*'])}`, pick(['', 'i'])) };
    case 10:
      return { [field]: pick([true, false]) };
    case 11:
      return { $or: [filterFor(next, 1), filterFor(next, 1)] };
    default:
      return { $and: [filterFor(next, 1), filterFor(next, 1)], ...filterFor(next, 1) };
  }
}

const ids = (documents: Document[]) => documents.map((document) => document._id);

/**
 * The reference order, written out independently: MongoDB's sort key per document (smallest array
 * element ascending, largest descending, empty array first, missing as null), compared with mingo's
 * `compare`. (mingo's own cursor sort groups whole arrays and orders ties between equal keys by group.)
 */
function sortedLikeMongoDb(documents: Document[], sort: SortSpec): Document[] {
  const keyOf = (document: Document, path: string, direction: 1 | -1): unknown => {
    const value = resolve(document, path);
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value) || value.length === 0) return value;
    return [...value].map((element) => element ?? null).sort((a, b) => compare(a, b) * direction)[0];
  };
  return [...documents].sort((left, right) => {
    for (const [path, direction] of Object.entries(sort)) {
      const order = compare(keyOf(left, path, direction), keyOf(right, path, direction)) * direction;
      if (order !== 0) return order;
    }
    return 0;
  });
}

describe.each([
  ['without indexes', false],
  ['with indexes', true],
])('EmbeddedReadStore against a reference (%s)', (_label, withIndexes) => {
  let store: EmbeddedReadStore;
  const documents = documentsFor(withIndexes ? 7 : 11, 120);

  beforeAll(async () => {
    store = createInMemoryReadStore();
    const collection = store.collection('random');
    if (withIndexes) {
      await collection.createIndexes([{ keys: { f: 1 } }, { keys: { g: -1, h: 1 } }, { keys: { 'n.v': 1 } }]);
    }
    await collection.bulkWrite(documents.map((document) => ({ replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } })));
  });

  afterAll(async () => {
    await store.close();
  });

  it('matches the same documents for 400 random filters', async () => {
    const next = random(withIndexes ? 3 : 5);
    for (let round = 0; round < 400; round++) {
      const filter = filterFor(next);
      const expected = ids(mingoFind(documents, filter).all() as Document[]).sort();
      const actual = ids(await store.collection('random').find(filter)).sort();
      expect({ filter, ids: actual }).toEqual({ filter, ids: expected });
      expect({ filter, count: await store.collection('random').countDocuments(filter) }).toEqual({ filter, count: expected.length });
    }
  });

  it('sorts and pages like MongoDB for every field and direction', async () => {
    const sorts: SortSpec[] = [{ f: 1 }, { f: -1 }, { g: -1, h: 1 }, { h: 1 }, { 'n.v': -1 }, { g: 1, f: -1 }];
    for (const sort of sorts) {
      const full = { ...sort, _id: Object.values(sort).at(-1)! };
      const expected = ids(sortedLikeMongoDb(documents, full));
      expect({ sort, ids: ids(await store.collection('random').find({}, { sort: full })) }).toEqual({ sort, ids: expected });
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.collection('random').findPage({}, { sort, limit: 7, cursor });
        paged.push(...ids(page.items));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect({ sort, ids: paged }).toEqual({ sort, ids: expected });
    }
  });
});

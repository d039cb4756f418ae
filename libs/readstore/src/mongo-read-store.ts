import { randomUUID } from 'node:crypto';
import {
  type AnyBulkWriteOperation,
  type Collection as DriverCollection,
  type Db,
  type Filter as DriverFilter,
  MongoBulkWriteError,
  MongoClient,
  type MongoClientOptions,
  MongoServerError,
  type UpdateFilter,
} from 'mongodb';
import { assertUpdateDocument, compareSortValues, documentSeededFromFilter, isOperatorObject, sortValueOf } from './document-semantics';
import { keysetAfter } from './mongo-keyset';
import { decodePageCursor, encodePageCursor, pageFingerprint, pageSortKeys } from './page-cursor';
import {
  type BulkOperation,
  type Collection,
  type Document,
  DuplicateKeyError,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Page,
  type PageOptions,
  type ReadStore,
  type SortSpec,
  type UpdateResult,
  type UpdateSpec,
} from './read-store.port';

/**
 * The read-store port on MongoDB (or a wire-compatible server such as FerretDB) through the official
 * driver. The port already speaks MongoDB's query and update language, so this is mostly a mapping;
 * what it adds is what keeps every adapter alike:
 * - string `_id`s everywhere, including on upserts whose filter names no `_id` (MongoDB would make an ObjectId);
 * - `undefined` fields left out, as the embedded adapter's JSON leaves them out;
 * - duplicate keys reported as DuplicateKeyError, which idempotent projections rely on (see `applyOnce`);
 * - keyset pages with the cursors of page-cursor.ts.
 * It uses no multi-document transaction, change stream, $lookup or $facet, so it runs on FerretDB v1
 * (see docs/read-store-mongodb.md for what projections may rely on).
 */

export interface MongoReadStoreOptions {
  /** A MongoDB connection string, e.g. `mongodb://127.0.0.1:27017/`. */
  url: string;
  /** The database holding this store's collections (one per service: `crm_<service>`). */
  database: string;
  /** Passed to the driver's MongoClient, over the adapter's defaults. */
  clientOptions?: MongoClientOptions;
  /**
   * Most writes sent in one command by `bulkWrite`. Default: no limit on MongoDB (the driver splits
   * at the server's own limit), 16 on FerretDB (see `FERRETDB_MAX_WRITES_PER_COMMAND`).
   */
  maxWritesPerCommand?: number;
}

type AnyDocument = Record<string, unknown>;
type StoredCollection = DriverCollection<Document>;

const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;
const INDEX_OPTIONS_CONFLICT = 85;

/**
 * FerretDB v1 (SQLite backend) holds one pooled SQLite connection for every statement of an `update`
 * command that matched a document until the whole command ends, and its pool has 100 connections per
 * database: a bulk write of 100 updates of existing documents waits forever for a connection, and
 * wedges the database until the server restarts. Small commands keep far below that, even with
 * several projections writing to one database at once.
 */
const FERRETDB_MAX_WRITES_PER_COMMAND = 16;

export class MongoReadStore implements ReadStore {
  private readonly client: MongoClient;
  private readonly database: Db;
  private readonly collections = new Map<string, MongoCollection<Document>>();
  private maxWritesPerCommand: Promise<number> | undefined;

  /** Connects lazily, on the first operation; use `connect` to fail fast when the server is unreachable. */
  constructor(options: MongoReadStoreOptions) {
    this.client = new MongoClient(options.url, {
      ignoreUndefined: true,
      // A read model is worth little if the server is gone: fail operations in seconds, not the default 30 s.
      serverSelectionTimeoutMS: 10_000,
      ...options.clientOptions,
    });
    this.database = this.client.db(options.database);
    if (options.maxWritesPerCommand !== undefined) {
      if (!(options.maxWritesPerCommand >= 1)) throw new Error(`maxWritesPerCommand must be at least 1, got ${options.maxWritesPerCommand}`);
      this.maxWritesPerCommand = Promise.resolve(Math.floor(options.maxWritesPerCommand));
    }
  }

  /** Creates a store and waits until its server answers a ping. */
  static async connect(options: MongoReadStoreOptions): Promise<MongoReadStore> {
    const store = new MongoReadStore(options);
    try {
      await store.ping();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  get databaseName(): string {
    return this.database.databaseName;
  }

  /** Resolves when the server answers; for readiness probes. */
  async ping(): Promise<void> {
    await this.database.command({ ping: 1 });
  }

  collection<T extends Document = Document>(name: string): Collection<T> {
    if (!name || name.startsWith('$')) throw new Error(`Invalid collection name: ${JSON.stringify(name)}`);
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new MongoCollection<Document>(this.database.collection<Document>(name), name, () => this.writesPerCommand());
      this.collections.set(name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  /** Asked once, on the first bulk write: which server this is decides how many writes a command may carry. */
  private writesPerCommand(): Promise<number> {
    this.maxWritesPerCommand ??= this.database
      .admin()
      .command({ buildInfo: 1 })
      .then((info) => ('ferretdbVersion' in info ? FERRETDB_MAX_WRITES_PER_COMMAND : Infinity))
      .catch((error: unknown) => {
        this.maxWritesPerCommand = undefined; // ask again next time
        throw error;
      });
    return this.maxWritesPerCommand;
  }

  /** Removes the whole database: for tests that create one per run. */
  async dropDatabase(): Promise<void> {
    await this.database.dropDatabase();
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

class MongoCollection<T extends Document> implements Collection<T> {
  constructor(
    private readonly stored: StoredCollection,
    readonly name: string,
    private readonly writesPerCommand: () => Promise<number>,
  ) {}

  /**
   * Creates the missing indexes; one that exists with the same name and definition is left alone, and
   * one with the same name but other keys or options is an error, as in the embedded adapter. An
   * index on the same keys under another name already serves queries, so it satisfies the request,
   * unless only the requested one is unique (see `replaceWithUniqueIndex`).
   */
  async createIndexes(indexes: IndexSpec[]): Promise<void> {
    const requested = indexes
      .map((spec) => normalizeIndex(this.name, spec))
      // MongoDB indexes `_id` already (and refuses a second index on it under another name).
      .filter((spec) => !(Object.keys(spec.key).length === 1 && '_id' in spec.key));
    if (requested.length === 0) return;
    const existing = await this.existingIndexes();
    for (const index of requested) {
      const sameName = existing.find((candidate) => candidate.name === index.name);
      if (sameName) {
        // Compared here because FerretDB ignores a change of `unique` under the same name.
        if (!sameIndexKeys(sameName.key, index.key) || Boolean(sameName.unique) !== Boolean(index.unique)) {
          throw new Error(`Index ${index.name} of ${this.name} already exists with different keys or options`);
        }
        continue;
      }
      const sameKeys = existing.find((candidate) => sameIndexKeys(candidate.key, index.key));
      if (sameKeys && (sameKeys.unique || !index.unique)) continue;
      try {
        await this.createIndex(index);
      } catch (error) {
        if (!sameKeys || (error as { code?: unknown }).code !== INDEX_OPTIONS_CONFLICT) throw error;
        await this.replaceWithUniqueIndex(sameKeys, index);
        existing.splice(existing.indexOf(sameKeys), 1);
      }
      existing.push(index);
    }
  }

  /**
   * MongoDB 5+ keeps a unique and a non-unique index on the same keys side by side; FerretDB refuses
   * the second. A unique index serves every query the other one does, so it replaces it there. If it
   * cannot be built (duplicates), the old index is put back.
   */
  private async replaceWithUniqueIndex(previous: DriverIndex, unique: DriverIndex): Promise<void> {
    await this.stored.dropIndex(previous.name);
    try {
      await this.createIndex(unique);
    } catch (error) {
      await this.createIndex(previous);
      throw error;
    }
  }

  private async createIndex(index: DriverIndex): Promise<void> {
    try {
      await this.stored.createIndexes([index]);
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateKeyError(this.name, { index: index.name });
      throw error;
    }
  }

  private async existingIndexes(): Promise<DriverIndex[]> {
    try {
      const indexes = await this.stored.listIndexes().toArray();
      return indexes.map((index) => ({ key: index.key as Record<string, 1 | -1>, name: index.name as string, ...(index.unique ? { unique: true } : {}) }));
    } catch (error) {
      if ((error as { code?: unknown }).code === NAMESPACE_NOT_FOUND) return [];
      throw error;
    }
  }

  async findOne(filter: Filter): Promise<T | null> {
    return (await this.stored.findOne(filter as DriverFilter<Document>)) as T | null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const skip = nonNegativeInteger(options.skip ?? 0, 'skip');
    const limit = nonNegativeInteger(options.limit ?? 0, 'limit');
    const cursor = this.stored.find(filter as DriverFilter<Document>, {
      sort: options.sort ? checkedSort(options.sort) : undefined,
      skip: skip > 0 ? skip : undefined,
      limit: limit > 0 ? limit : undefined,
      projection: options.projection,
    });
    return (await cursor.toArray()) as T[];
  }

  /**
   * Keyset pages: the server sorts by the page keys (with `_id` last) and filters on a condition
   * built from the previous page's last sort values (mongo-keyset.ts). That condition is exact for
   * scalar values and a superset where arrays or mixed types are involved; the documents at or before
   * the cursor that a superset lets through come first in the server's order and are skipped here,
   * compared with the same MongoDB sort semantics the embedded adapter uses.
   */
  async findPage(filter: Filter, options: PageOptions): Promise<Page<T>> {
    const limit = nonNegativeInteger(options.limit, 'limit');
    if (limit === 0) throw new Error('A page needs a limit of at least 1');
    const keys = pageSortKeys(options.sort);
    const fingerprint = pageFingerprint(this.name, filter, keys);
    const after = options.cursor === undefined ? null : decodePageCursor(options.cursor, fingerprint, keys);
    const afterValues = after === null ? null : [...after.values, after.id];
    const query = afterValues === null ? filter : { $and: [filter, keysetAfter(keys, afterValues)] };
    const sort = Object.fromEntries(keys.map((key) => [key.path, key.direction]));

    const documents: AnyDocument[] = [];
    const cursor = this.stored.find(query as DriverFilter<Document>, { sort, batchSize: limit + 1 });
    try {
      for await (const document of cursor) {
        const values = keys.map((key) => sortValueOf(document, key));
        if (afterValues !== null && compareSortValues(values, afterValues, keys) <= 0) continue;
        documents.push(document);
        if (documents.length > limit) break;
      }
    } finally {
      await cursor.close();
    }

    const items = documents.slice(0, limit);
    const last = items.at(-1);
    const nextCursor =
      documents.length > limit && last
        ? encodePageCursor({ values: keys.slice(0, -1).map((key) => sortValueOf(last, key)), id: last._id as string }, fingerprint)
        : null;
    return { items: items as T[], nextCursor };
  }

  async countDocuments(filter: Filter = {}): Promise<number> {
    return this.stored.countDocuments(filter as DriverFilter<Document>);
  }

  async insertOne(document: T): Promise<void> {
    assertDocument(document);
    await this.write(document, () => this.stored.insertOne(document));
  }

  async updateOne(filter: Filter, update: UpdateSpec, options: { upsert?: boolean } = {}): Promise<UpdateResult> {
    assertUpdateDocument(update);
    const upsert = options.upsert ?? false;
    const operators = updateOperators(filter, update, upsert);
    if (operators === null) return this.emptyUpdate(filter, upsert);
    const result = await this.write(filter, () =>
      this.stored.updateOne(filter as DriverFilter<Document>, operators as UpdateFilter<Document>, { upsert }),
    );
    return { matchedCount: result.matchedCount, modifiedCount: result.modifiedCount, upsertedId: idOrNull(result.upsertedId) };
  }

  async replaceOne(filter: Filter, document: T, options: { upsert?: boolean } = {}): Promise<UpdateResult> {
    if (Object.keys(document).some((key) => key.startsWith('$'))) {
      throw new Error('A replacement document may not hold update operators; use updateOne');
    }
    const result = await this.write(document, () =>
      this.stored.replaceOne(filter as DriverFilter<Document>, document, { upsert: options.upsert ?? false }),
    );
    return { matchedCount: result.matchedCount, modifiedCount: result.modifiedCount, upsertedId: idOrNull(result.upsertedId) };
  }

  async deleteOne(filter: Filter): Promise<number> {
    return (await this.stored.deleteOne(filter as DriverFilter<Document>)).deletedCount;
  }

  async deleteMany(filter: Filter): Promise<number> {
    return (await this.stored.deleteMany(filter as DriverFilter<Document>)).deletedCount;
  }

  /**
   * Ordered, as the port requires: the writes before a failing one stay, none after it is tried. Sent
   * in commands of at most `maxWritesPerCommand` writes, one after the other.
   */
  async bulkWrite(operations: BulkOperation<T>[]): Promise<void> {
    if (operations.length === 0) return;
    const writes = operations.map((operation): AnyBulkWriteOperation<Document> => {
      if ('updateOne' in operation) {
        const { filter, update, upsert = false } = operation.updateOne;
        assertUpdateDocument(update);
        const operators = updateOperators(filter, update, upsert);
        if (operators === null) throw new Error('A bulk updateOne needs at least one non-empty update operator');
        return { updateOne: { filter: filter as DriverFilter<Document>, update: operators as UpdateFilter<Document>, upsert } };
      }
      if ('replaceOne' in operation) {
        const { filter, replacement, upsert = false } = operation.replaceOne;
        assertDocument(replacement);
        return { replaceOne: { filter: filter as DriverFilter<Document>, replacement, upsert } };
      }
      return { deleteOne: { filter: operation.deleteOne.filter as DriverFilter<Document> } };
    });
    const size = await this.writesPerCommand();
    for (let start = 0; start < writes.length; start += size) {
      const chunk = writes.slice(start, start + size);
      await this.write({}, () => this.stored.bulkWrite(chunk, { ordered: true }));
    }
  }

  async drop(): Promise<void> {
    // The driver ignores "namespace not found": dropping a collection never created is a no-op.
    await this.stored.drop();
  }

  /** Runs a write, turning a duplicate key into the port's DuplicateKeyError. */
  private async write<R>(subject: AnyDocument, work: () => Promise<R>): Promise<R> {
    try {
      return await work();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const keyValue = (error as { keyValue?: unknown }).keyValue;
      throw new DuplicateKeyError(this.name, keyValue ?? (typeof subject._id === 'string' ? { _id: subject._id } : subject));
    }
  }

  /**
   * An update with nothing to change (every operator empty): MongoDB servers disagree on whether that
   * is an error, so it is answered here, as the embedded adapter answers it.
   */
  private async emptyUpdate(filter: Filter, upsert: boolean): Promise<UpdateResult> {
    const found = await this.stored.findOne(filter as DriverFilter<Document>, { projection: { _id: 1 } });
    if (found) return { matchedCount: 1, modifiedCount: 0, upsertedId: null };
    if (!upsert) return { matchedCount: 0, modifiedCount: 0, upsertedId: null };
    const created = documentSeededFromFilter(filter);
    await this.write(created, () => this.stored.insertOne(created));
    return { matchedCount: 0, modifiedCount: 0, upsertedId: created._id };
  }
}

/**
 * The update sent to the server: empty operators dropped, and for an upsert whose filter names no
 * string `_id`, a generated string `_id` on insert (MongoDB would generate an ObjectId, and the
 * port's documents have string ids). Null when nothing is left to send.
 */
function updateOperators(filter: Filter, update: UpdateSpec, upsert: boolean): AnyDocument | null {
  const operators: AnyDocument = {};
  for (const [name, expression] of Object.entries(update)) {
    if (expression !== undefined && Object.keys(expression as AnyDocument).length > 0) operators[name] = expression;
  }
  if (Object.keys(operators).length === 0) return null;
  if (upsert && filterIdOf(filter) === undefined) {
    const setOnInsert = (operators.$setOnInsert ?? {}) as AnyDocument;
    if (!('_id' in setOnInsert)) operators.$setOnInsert = { ...setOnInsert, _id: randomUUID() };
  }
  return operators;
}

/** The `_id` an upsert takes from its filter (an equality at the top or inside `$and`), as MongoDB seeds it. */
function filterIdOf(filter: Filter): unknown {
  if ('_id' in filter) {
    const condition = filter._id;
    if (isOperatorObject(condition)) return '$eq' in condition ? condition.$eq : undefined;
    if (!(condition instanceof RegExp)) return condition;
  }
  if (Array.isArray(filter.$and)) {
    for (const part of filter.$and as Filter[]) {
      const id = filterIdOf(part);
      if (id !== undefined) return id;
    }
  }
  return undefined;
}

interface DriverIndex {
  key: Record<string, 1 | -1>;
  name: string;
  unique?: boolean;
}

/** Same fields in the same order and directions (numbers compared as numbers: servers may answer 1.0). */
function sameIndexKeys(left: Record<string, unknown>, right: Record<string, unknown>): boolean {
  const leftKeys = Object.entries(left);
  const rightKeys = Object.entries(right);
  return (
    leftKeys.length === rightKeys.length &&
    leftKeys.every(([path, direction], index) => path === rightKeys[index]![0] && Number(direction) === Number(rightKeys[index]![1]))
  );
}

function normalizeIndex(collection: string, spec: IndexSpec): DriverIndex {
  const keys = Object.entries(spec.keys);
  if (keys.length === 0) throw new Error(`An index of ${collection} needs at least one key`);
  for (const [path, direction] of keys) {
    if (direction !== 1 && direction !== -1) throw new Error(`Cannot index ${collection} on ${path}: ${String(direction)}`);
  }
  // The same default name as the embedded adapter (and as MongoDB's own naming).
  const name = spec.name ?? keys.map(([path, direction]) => `${path}_${direction}`).join('_');
  return spec.unique ? { key: spec.keys, name, unique: true } : { key: spec.keys, name };
}

function checkedSort(sort: SortSpec): SortSpec {
  for (const [path, direction] of Object.entries(sort)) {
    if (direction !== 1 && direction !== -1) throw new Error(`Sort direction of ${path} must be 1 or -1`);
  }
  return sort;
}

/**
 * Code 11000, or FerretDB's SQLite backend, which reports some unique-index violations (updates,
 * building a unique index over duplicates) as an internal error carrying SQLite's message.
 */
function isDuplicateKeyError(error: unknown): boolean {
  if (!(error instanceof MongoServerError)) return false;
  if (error.code === DUPLICATE_KEY || /UNIQUE constraint failed/.test(error.message)) return true;
  if (error instanceof MongoBulkWriteError) {
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    return writeErrors.some((writeError) => writeError?.code === DUPLICATE_KEY || /UNIQUE constraint failed/.test(writeError?.errmsg ?? ''));
  }
  return false;
}

function idOrNull(id: unknown): string | null {
  return id === null || id === undefined ? null : String(id);
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

function assertDocument(document: AnyDocument): void {
  if (typeof document._id !== 'string' || document._id === '') throw new Error('A document needs a non-empty string _id');
  if (Object.keys(document).some((key) => key.startsWith('$'))) throw new Error('Field names may not start with $');
}

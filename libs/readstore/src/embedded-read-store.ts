import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import {
  applyUpdate,
  assertUpdateDocument,
  compareSortValues,
  compileFilter,
  type DocumentMatcher,
  firstInOrder,
  documentSeededFromFilter,
  projectDocuments,
  sortDocuments,
  sortKeyOf,
  sortValueOf,
  valueAt,
} from './document-semantics';
import {
  decodePageCursor,
  encodePageCursor,
  pageFingerprint,
  type PagePosition,
  type PageSortKey,
  pageSortKeys,
} from './page-cursor';
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
import { SqliteDatabase } from './sqlite-database';
import {
  jsonExtract,
  jsonPathLiteral,
  jsonType,
  keysetCondition,
  keysetSeekLegs,
  orderByClause,
  type PathProfile,
  type PlanContext,
  planFilter,
  planOrder,
  profileOfValue,
  type SqlOrderTerm,
  type SqlSelection,
} from './sqlite-query-plan';

/**
 * Read store in one SQLite file (or in memory with ':memory:'), queried with MongoDB filters.
 * Each collection is a table of JSON documents (`_id TEXT PRIMARY KEY, doc` as JSONB); declared
 * indexes become SQLite expression indexes that narrow the rows, and mingo evaluates the filter on
 * what remains (see sqlite-query-plan.ts for what SQL decides alone).
 */

export interface EmbeddedReadStoreOptions {
  /** How long opening waits for another connection to let go of the file. Default 5000 ms. */
  busyTimeoutMs?: number;
}

type AnyDocument = Record<string, unknown>;
type StoredRow = { doc: string };

// Documents are stored as SQLite's binary JSON (JSONB): index expressions and SQL filters read
// fields without parsing text (about 3x faster scans); they come back out as JSON text.
const DOCUMENT_TEXT = 'json(doc) AS doc';

const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

export class EmbeddedReadStore implements ReadStore {
  private readonly database: SqliteDatabase;
  private readonly collections = new Map<string, EmbeddedCollection<Document>>();

  /**
   * Opens (or creates) the store at `location`. The connection holds the file exclusively: one store
   * per file at a time, and a second opener fails with "database is locked" after the busy timeout.
   */
  constructor(
    readonly location: string,
    options: EmbeddedReadStoreOptions = {},
  ) {
    this.database = new SqliteDatabase(location, options.busyTimeoutMs ?? 5000);
  }

  collection<T extends Document = Document>(name: string): Collection<T> {
    if (!name || name.startsWith('$')) throw new Error(`Invalid collection name: ${JSON.stringify(name)}`);
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new EmbeddedCollection<Document>(this.database, name);
      this.collections.set(name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  /**
   * Writes made while `work` runs share one SQLite transaction, committed when the outermost group
   * ends. A failure commits what was written (never rolls back): other code sharing the connection may
   * have written inside the same transaction, and its writes must not be lost.
   */
  async groupWrites<R>(work: () => Promise<R>): Promise<R> {
    this.database.enterWriteGroup();
    try {
      return await work();
    } finally {
      this.database.leaveWriteGroup();
    }
  }

  /**
   * How a find with this filter and sort would run: the SQL conditions, whether they are exact,
   * whether SQLite orders the rows, and SQLite's query plan. For tests and performance diagnosis.
   */
  explain(collection: string, filter: Filter, sort?: SortSpec): QueryExplanation {
    return (this.collection(collection) as unknown as EmbeddedCollection<Document>).explain(filter, sort);
  }

  async close(): Promise<void> {
    this.database.close();
  }
}

export interface QueryExplanation {
  sql: string;
  params: SQLInputValue[];
  /** The SQL selects exactly the matching rows: mingo is not consulted, SQLite counts, skips and limits. */
  exact: boolean;
  /** SQLite returns the rows in the requested order, so reading stops at the limit. */
  orderedBySql: boolean;
  /** SQLite's EXPLAIN QUERY PLAN lines. */
  plan: string[];
}

/** A read store that lives and dies with the process: the in-memory adapter for unit tests. */
export function createInMemoryReadStore(): EmbeddedReadStore {
  return new EmbeddedReadStore(':memory:');
}

interface StoredIndex {
  name: string;
  sqlName: string;
  keys: Array<[string, 1 | -1]>;
  unique: boolean;
}

interface CollectionSchema {
  indexes: Map<string, StoredIndex>;
  profiles: Map<string, PathProfile>;
}

class EmbeddedCollection<T extends Document> implements Collection<T> {
  private readonly table: string;
  private loadedSchema: CollectionSchema | undefined;

  constructor(
    private readonly database: SqliteDatabase,
    readonly name: string,
  ) {
    this.table = quoteIdentifier(`col_${name}`);
  }

  async createIndexes(indexes: IndexSpec[]): Promise<void> {
    const schema = this.prepare();
    for (const spec of indexes) {
      const index = this.normalizeIndex(spec);
      const existing = schema.indexes.get(index.name);
      if (existing) {
        if (JSON.stringify(existing) !== JSON.stringify(index)) {
          throw new Error(`Index ${index.name} of ${this.name} already exists with different keys or options`);
        }
        continue;
      }
      if (index.keys.length === 1 && index.keys[0]![0] === '_id') continue; // the primary key already is one
      this.database.transaction(() => {
        const columns = index.keys.flatMap(([path, direction]) => {
          const order = direction === 1 ? 'ASC' : 'DESC';
          if (path === '_id') return [`_id ${order}`];
          // In a unique index json_type tells true from 1 and an object from its JSON text.
          return index.unique ? [`${jsonExtract(path)} ${order}`, jsonType(path)!] : [`${jsonExtract(path)} ${order}`];
        });
        // `_id` last, in the direction of the last key, makes the index serve keyset pages
        // (ORDER BY key, _id with the tie-breaker following the last key) without a sort step.
        if (!index.unique && !index.keys.some(([path]) => path === '_id')) {
          columns.push(`_id ${index.keys.at(-1)![1] === 1 ? 'ASC' : 'DESC'}`);
        }
        try {
          this.database.exec(
            `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdentifier(index.sqlName)} ON ${this.table} (${columns.join(', ')})`,
          );
        } catch (error) {
          if (isConstraintError(error)) throw new DuplicateKeyError(this.name, { index: index.name });
          throw error;
        }
        this.database.run('INSERT INTO _readstore_indexes (collection, name, spec) VALUES (?, ?, ?)', [
          this.name,
          index.name,
          JSON.stringify(index),
        ]);
        for (const [path] of index.keys) {
          if (path !== '_id' && !schema.profiles.has(path)) this.profileExistingDocuments(schema, path);
        }
      });
      schema.indexes.set(index.name, index);
    }
  }

  async findOne(filter: Filter): Promise<T | null> {
    const [first] = await this.find(filter, { limit: 1 });
    return first ?? null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const schema = this.prepare();
    const skip = nonNegativeInteger(options.skip ?? 0, 'skip');
    const limit = options.limit === undefined || options.limit === 0 ? Infinity : nonNegativeInteger(options.limit, 'limit');
    const selection = planFilter(filter, this.planContext(schema));
    const sortKeys = sortKeysOf(options.sort);
    const order = sortKeys.length > 0 ? planOrder(sortKeys, this.planContext(schema)) : [];

    let documents: AnyDocument[];
    if (order !== null) {
      documents = this.readInOrder(selection, compileFilter(filter), order, skip, limit);
    } else {
      documents =
        this.readFirstBySortValues(selection, sortKeys, null, skip + limit)?.slice(skip) ??
        sortDocuments(this.readUnordered(selection, compileFilter(filter)), sortKeys, skip + limit).slice(skip);
    }
    return projectDocuments(documents, options.projection) as T[];
  }

  async findPage(filter: Filter, options: PageOptions): Promise<Page<T>> {
    const schema = this.prepare();
    const limit = nonNegativeInteger(options.limit, 'limit');
    if (limit === 0) throw new Error('A page needs a limit of at least 1');
    const keys = pageSortKeys(options.sort);
    const fingerprint = pageFingerprint(this.name, filter, keys);
    const after = options.cursor === undefined ? null : decodePageCursor(options.cursor, fingerprint, keys);
    const selection = planFilter(filter, this.planContext(schema));
    const matcher = compileFilter(filter);

    const order = planOrder(keys, this.planContext(schema));
    let documents: AnyDocument[];
    if (order !== null && (after === null || after.values.every(isSqlOrderable))) {
      documents = this.readPageInOrder(selection, matcher, order, after, limit + 1);
    } else {
      documents = this.readPageUnordered(selection, matcher, keys, after, limit + 1);
    }

    const items = documents.slice(0, limit);
    const last = items.at(-1);
    const nextCursor =
      documents.length > limit && last
        ? encodePageCursor(
            { values: keys.slice(0, -1).map((key) => sortValueOf(last, key)), id: last._id as string },
            fingerprint,
          )
        : null;
    return { items: items as T[], nextCursor };
  }

  async countDocuments(filter: Filter = {}): Promise<number> {
    const schema = this.prepare();
    const selection = planFilter(filter, this.planContext(schema));
    if (selection.exact) {
      return this.database.get<{ count: number }>(`SELECT count(*) AS count FROM ${this.table} WHERE ${whereClause(selection)}`, selection.params)!
        .count;
    }
    return this.readUnordered(selection, compileFilter(filter)).length;
  }

  async insertOne(document: T): Promise<void> {
    this.prepare();
    assertDocument(document);
    this.insertRow(document);
  }

  async updateOne(filter: Filter, update: UpdateSpec, options: { upsert?: boolean } = {}): Promise<UpdateResult> {
    this.prepare();
    assertUpdateDocument(update);
    return this.updateRow(filter, update, options.upsert ?? false);
  }

  async replaceOne(filter: Filter, document: T, options: { upsert?: boolean } = {}): Promise<UpdateResult> {
    this.prepare();
    return this.replaceRow(filter, document, options.upsert ?? false);
  }

  async deleteOne(filter: Filter): Promise<number> {
    this.prepare();
    return this.deleteRow(filter);
  }

  async deleteMany(filter: Filter): Promise<number> {
    const schema = this.prepare();
    return this.database.transaction(() => {
      const selection = planFilter(filter, this.planContext(schema));
      if (selection.exact) return this.database.run(`DELETE FROM ${this.table} WHERE ${whereClause(selection)}`, selection.params);
      const ids = this.readUnordered(selection, compileFilter(filter)).map((document) => document._id as string);
      for (const id of ids) this.database.run(`DELETE FROM ${this.table} WHERE _id = ?`, [id]);
      return ids.length;
    });
  }

  async bulkWrite(operations: BulkOperation<T>[]): Promise<void> {
    this.prepare();
    // Writes before a failing one stay, as with MongoDB's ordered bulkWrite; one commit for all of them.
    this.database.transaction(
      () => {
        for (const operation of operations) {
          if ('updateOne' in operation) {
            const { filter, update, upsert } = operation.updateOne;
            assertUpdateDocument(update);
            this.updateRow(filter, update, upsert ?? false);
          } else if ('replaceOne' in operation) {
            const { filter, replacement, upsert } = operation.replaceOne;
            if (upsert && isIdOnlyFilter(filter, replacement)) this.upsertById(replacement);
            else this.replaceRow(filter, replacement, upsert ?? false);
          } else if ('deleteOne' in operation) {
            this.deleteRow(operation.deleteOne.filter);
          } else {
            throw new Error(`Unknown bulk operation: ${JSON.stringify(operation)}`);
          }
        }
      },
      { commitOnError: true },
    );
  }

  async drop(): Promise<void> {
    const schema = this.prepare();
    this.database.transaction(() => {
      for (const [path, profile] of schema.profiles) {
        if (hasElementIndex(path, profile)) this.database.exec(`DROP TABLE IF EXISTS ${quoteIdentifier(this.elementTableName(path))}`);
      }
      this.database.exec(`DROP TABLE IF EXISTS ${this.table}`);
      this.database.run('DELETE FROM _readstore_indexes WHERE collection = ?', [this.name]);
      this.database.run('DELETE FROM _readstore_paths WHERE collection = ?', [this.name]);
    });
    this.loadedSchema = undefined;
  }

  explain(filter: Filter, sort?: SortSpec): QueryExplanation {
    const schema = this.prepare();
    const selection = planFilter(filter, this.planContext(schema));
    const sortKeys = sortKeysOf(sort);
    const order = planOrder(sortKeys, this.planContext(schema));
    const orderBy = order === null || order.length === 0 ? '' : ` ORDER BY ${orderByClause(order)}`;
    const sql = `SELECT ${DOCUMENT_TEXT} FROM ${this.table} WHERE ${whereClause(selection)}${orderBy}`;
    const plan = this.database.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, selection.params).map((row) => row.detail);
    return { sql, params: selection.params, exact: selection.exact, orderedBySql: order !== null, plan };
  }

  // ---- reads ----

  /**
   * Rows in SQL order (equal to the sort keys' order, see planOrder), matched by mingo unless the SQL
   * is exact (then SQLite skips and limits); stops reading once `limit` documents are found.
   */
  private readInOrder(
    selection: SqlSelection,
    matcher: DocumentMatcher,
    order: SqlOrderTerm[],
    skip: number,
    limit: number,
  ): AnyDocument[] {
    // Without a sort, rows come in the order of the plan SQLite picks (table or index order), stable
    // for a given query: MongoDB's natural order promises no more, and ORDER BY rowid would cost a sort.
    const orderBy = order.length > 0 ? ` ORDER BY ${orderByClause(order)}` : '';
    const base = `SELECT ${DOCUMENT_TEXT} FROM ${this.table} WHERE ${whereClause(selection)}${orderBy}`;
    if (selection.exact) {
      // Written into the SQL rather than bound: a bound LIMIT makes even a primary-key lookup several times slower.
      const limitClause = Number.isFinite(limit) ? ` LIMIT ${limit}` : skip > 0 ? ' LIMIT -1' : '';
      const offsetClause = skip > 0 ? ` OFFSET ${skip}` : '';
      const rows = this.database.all<StoredRow>(`${base}${limitClause}${offsetClause}`, selection.params);
      return rows.map((row) => JSON.parse(row.doc) as AnyDocument);
    }
    const documents: AnyDocument[] = [];
    let toSkip = skip;
    for (const row of this.database.iterate<StoredRow>(base, selection.params)) {
      const document = JSON.parse(row.doc) as AnyDocument;
      if (!matcher(document)) continue;
      if (toSkip > 0) {
        toSkip--;
        continue;
      }
      documents.push(document);
      if (documents.length >= limit) break;
    }
    return documents;
  }

  private readUnordered(selection: SqlSelection, matcher: DocumentMatcher): AnyDocument[] {
    const documents: AnyDocument[] = [];
    const sql = `SELECT ${DOCUMENT_TEXT} FROM ${this.table} WHERE ${whereClause(selection)}`;
    for (const row of this.database.iterate<StoredRow>(sql, selection.params)) {
      const document = JSON.parse(row.doc) as AnyDocument;
      if (selection.exact || matcher(document)) documents.push(document);
    }
    return documents;
  }

  private readPageInOrder(
    selection: SqlSelection,
    matcher: DocumentMatcher,
    order: SqlOrderTerm[],
    after: PagePosition | null,
    limit: number,
  ): AnyDocument[] {
    if (after === null) return this.readInOrder(selection, matcher, order, 0, limit);
    const values = [...after.values, after.id] as SQLInputValue[];
    const keyset = keysetCondition(order, values);
    const documents: AnyDocument[] = [];
    for (const leg of keysetSeekLegs(order, values[0]!)) {
      const legSelection: SqlSelection = {
        where: [...selection.where, leg.sql, keyset.sql],
        params: [...selection.params, ...leg.params, ...keyset.params],
        exact: selection.exact,
      };
      documents.push(...this.readInOrder(legSelection, matcher, order, 0, limit - documents.length));
      if (documents.length >= limit) break;
    }
    return documents;
  }

  private readPageUnordered(
    selection: SqlSelection,
    matcher: DocumentMatcher,
    keys: PageSortKey[],
    after: PagePosition | null,
    limit: number,
  ): AnyDocument[] {
    const fromSortValues = this.readFirstBySortValues(selection, keys, after, limit);
    if (fromSortValues) return fromSortValues;
    const valuesOf = (document: AnyDocument) => keys.map((key) => sortValueOf(document, key));
    let documents = this.readUnordered(selection, matcher);
    if (after) {
      const cursorValues = [...after.values, after.id];
      documents = documents.filter((document) => compareSortValues(valuesOf(document), cursorValues, keys) > 0);
    }
    return sortDocuments(documents, keys, limit);
  }

  /**
   * For an exact selection sorted on top-level fields that SQLite cannot order by: reads only the
   * sort values of the matching rows, ranks them with mingo's comparison, then reads the documents
   * kept. Null when the selection or the sort does not allow it.
   */
  private readFirstBySortValues(
    selection: SqlSelection,
    keys: PageSortKey[],
    after: PagePosition | null,
    limit: number,
  ): AnyDocument[] | null {
    if (!selection.exact) return null;
    const paths = keys.map((key) => (key.path === '_id' || key.path.includes('.') ? null : jsonPathLiteral(key.path)));
    if (keys.some((key, index) => key.path !== '_id' && paths[index] === null)) return null;
    // Per key: the value and its JSON type (json_extract alone reads true as 1 and an array as text).
    const columns = keys.map((key, index) => (key.path === '_id' ? '_id, NULL' : `json_extract(doc, ${paths[index]}), json_type(doc, ${paths[index]})`));
    const sql = `SELECT rowid, ${columns.join(', ')} FROM ${this.table} WHERE ${whereClause(selection)}`;
    let entries = this.database.allArrays(sql, selection.params).map((row) => ({
      row: row[0] as number,
      values: keys.map((key, index) =>
        key.path === '_id' ? row[1 + 2 * index] : sortKeyOf(jsonValue(row[1 + 2 * index], row[2 + 2 * index]), key.direction),
      ),
    }));
    if (after) {
      const cursorValues = [...after.values, after.id];
      entries = entries.filter((entry) => compareSortValues(entry.values, cursorValues, keys) > 0);
    }
    const kept = firstInOrder(entries, keys, limit);
    if (kept.length === 0) return [];
    const documents = new Map<number, AnyDocument>();
    const rows = this.database.all<{ row: number; doc: string }>(
      `SELECT rowid AS row, ${DOCUMENT_TEXT} FROM ${this.table} WHERE rowid IN (SELECT value FROM json_each(?))`,
      [JSON.stringify(kept.map((entry) => entry.row))],
    );
    for (const row of rows) documents.set(row.row, JSON.parse(row.doc) as AnyDocument);
    return kept.map((entry) => documents.get(entry.row)!);
  }

  /** The first matching row in natural order, the one MongoDB's updateOne/deleteOne pick. */
  private findFirst(filter: Filter): AnyDocument | null {
    const selection = planFilter(filter, this.planContext(this.prepare()));
    const [first] = this.readInOrder(selection, compileFilter(filter), [], 0, 1);
    return first ?? null;
  }

  // ---- writes: each statement commits on its own unless a bulk write or a write group holds a transaction ----

  private insertRow(document: AnyDocument): void {
    this.observeIndexedPaths(document);
    this.writeRow(`INSERT INTO ${this.table} (_id, doc) VALUES (?, jsonb(?))`, [document._id as string, JSON.stringify(document)], document);
  }

  private updateRow(filter: Filter, update: UpdateSpec, upsert: boolean): UpdateResult {
    const current = this.findFirst(filter);
    if (!current) {
      if (!upsert) return { matchedCount: 0, modifiedCount: 0, upsertedId: null };
      const created = documentSeededFromFilter(filter) as AnyDocument;
      applyUpdate(created, update, true);
      this.insertRow(created);
      return { matchedCount: 0, modifiedCount: 0, upsertedId: created._id as string };
    }
    const before = JSON.stringify(current);
    applyUpdate(current, update, false);
    const after = JSON.stringify(current);
    if (after === before) return { matchedCount: 1, modifiedCount: 0, upsertedId: null };
    this.observeIndexedPaths(current);
    this.writeRow(`UPDATE ${this.table} SET doc = jsonb(?) WHERE _id = ?`, [after, current._id as string], current);
    return { matchedCount: 1, modifiedCount: 1, upsertedId: null };
  }

  private replaceRow(filter: Filter, replacement: AnyDocument, upsert: boolean): UpdateResult {
    if (Object.keys(replacement).some((key) => key.startsWith('$'))) {
      throw new Error('A replacement document may not hold update operators; use updateOne');
    }
    const current = this.findFirst(filter);
    if (!current) {
      if (!upsert) return { matchedCount: 0, modifiedCount: 0, upsertedId: null };
      const id = typeof replacement._id === 'string' ? replacement._id : documentSeededFromFilter(filter)._id;
      const created = { ...replacement, _id: id };
      this.insertRow(created);
      return { matchedCount: 0, modifiedCount: 0, upsertedId: id };
    }
    if (replacement._id !== undefined && replacement._id !== current._id) {
      throw new Error(`A replacement may not change _id (${String(current._id)})`);
    }
    const next = { _id: current._id, ...replacement };
    const after = JSON.stringify(next);
    if (after === JSON.stringify(current)) return { matchedCount: 1, modifiedCount: 0, upsertedId: null };
    this.observeIndexedPaths(next);
    this.writeRow(`UPDATE ${this.table} SET doc = jsonb(?) WHERE _id = ?`, [after, current._id as string], next);
    return { matchedCount: 1, modifiedCount: 1, upsertedId: null };
  }

  /** replaceOne({ _id }, replacement, { upsert: true }) in one statement, for bulk writes, which report no counts. */
  private upsertById(replacement: AnyDocument): void {
    assertDocument(replacement);
    this.observeIndexedPaths(replacement);
    this.writeRow(
      `INSERT INTO ${this.table} (_id, doc) VALUES (?, jsonb(?)) ON CONFLICT (_id) DO UPDATE SET doc = excluded.doc`,
      [replacement._id as string, JSON.stringify(replacement)],
      replacement,
    );
  }

  private deleteRow(filter: Filter): number {
    const current = this.findFirst(filter);
    if (!current) return 0;
    return this.database.run(`DELETE FROM ${this.table} WHERE _id = ?`, [current._id as string]);
  }

  private writeRow(sql: string, params: SQLInputValue[], document: AnyDocument): void {
    try {
      this.database.run(sql, params);
    } catch (error) {
      throw this.duplicateKeyErrorFor(error, document) ?? error;
    }
    this.database.noteWrites(1);
  }

  private duplicateKeyErrorFor(error: unknown, document: AnyDocument): DuplicateKeyError | null {
    if (!isConstraintError(error)) return null;
    const indexName = /index '([^']+)'/.exec((error as Error).message)?.[1];
    const index = [...this.prepare().indexes.values()].find((candidate) => candidate.sqlName === indexName);
    const key = index ? Object.fromEntries(index.keys.map(([path]) => [path, valueAt(document, path)])) : { _id: document._id };
    return new DuplicateKeyError(this.name, key);
  }

  // ---- schema: table, indexes, and what has been seen at indexed paths ----

  private prepare(): CollectionSchema {
    this.database.checkOpen();
    if (this.loadedSchema) return this.loadedSchema;
    this.database.exec(`CREATE TABLE IF NOT EXISTS ${this.table} (_id TEXT PRIMARY KEY NOT NULL, doc BLOB NOT NULL)`);
    const indexes = new Map<string, StoredIndex>();
    for (const row of this.database.all<{ spec: string }>('SELECT spec FROM _readstore_indexes WHERE collection = ?', [this.name])) {
      const index = JSON.parse(row.spec) as StoredIndex;
      indexes.set(index.name, index);
    }
    const profiles = new Map<string, PathProfile>();
    const rows = this.database.all<{ path: string; multikey: number; unorderable: number }>(
      'SELECT path, multikey, unorderable FROM _readstore_paths WHERE collection = ?',
      [this.name],
    );
    for (const row of rows) profiles.set(row.path, { multikey: row.multikey === 1, unorderable: row.unorderable === 1 });
    this.loadedSchema = { indexes, profiles };
    for (const [path, profile] of profiles) if (hasElementIndex(path, profile)) this.ensureElementIndex(path);
    return this.loadedSchema;
  }

  private planContext(schema: CollectionSchema): PlanContext {
    return {
      profileOf: (path) => schema.profiles.get(path),
      elementIndexOf: (path) => (hasElementIndex(path, schema.profiles.get(path)) ? quoteIdentifier(this.elementTableName(path)) : undefined),
    };
  }

  private elementTableName(path: string): string {
    // The length keeps ('a_b', 'c') and ('a', 'b_c') apart.
    return `elements_${this.name.length}_${this.name}_${path}`;
  }

  /**
   * Creates, once a top-level indexed path holds arrays, the table of its elements kept by triggers,
   * and fills it from the documents already stored. Triggers keep it right whatever writes the row.
   */
  private ensureElementIndex(path: string): void {
    const name = this.elementTableName(path);
    if (this.database.get('SELECT 1 AS found FROM sqlite_schema WHERE type = ? AND name = ?', ['table', name])) return;
    const table = quoteIdentifier(name);
    const jsonPath = jsonPathLiteral(path)!;
    // The elements of an array, or a scalar itself (MongoDB indexes both; an object's members are not
    // values of the field). Null and containers are never looked up, and null cannot be a key.
    // UNION, not UNION ALL: an array may hold a value twice, and the triggers' OR IGNORE does not help,
    // because SQLite applies the firing statement's conflict policy (an upsert's) to trigger bodies.
    const elementsOf = (row: string) => `
      SELECT value, type, ${row}._id FROM json_each(${row}.doc, ${jsonPath})
        WHERE json_type(${row}.doc, ${jsonPath}) = 'array' AND type NOT IN ('null', 'array', 'object')
      UNION
      SELECT json_extract(${row}.doc, ${jsonPath}), json_type(${row}.doc, ${jsonPath}), ${row}._id
        WHERE json_type(${row}.doc, ${jsonPath}) NOT IN ('null', 'array', 'object')`;
    this.database.transaction(() => {
      // `value` has no declared type, hence no affinity: '12' stays text and 12 an integer.
      this.database.exec(`
        CREATE TABLE ${table} (value NOT NULL, type TEXT NOT NULL, _id TEXT NOT NULL, PRIMARY KEY (value, type, _id)) WITHOUT ROWID;
        CREATE INDEX ${quoteIdentifier(`${name}_by_id`)} ON ${table} (_id);
        CREATE TRIGGER ${quoteIdentifier(`${name}_insert`)} AFTER INSERT ON ${this.table} BEGIN
          INSERT OR IGNORE INTO ${table} (value, type, _id) ${elementsOf('NEW')};
        END;
        CREATE TRIGGER ${quoteIdentifier(`${name}_update`)} AFTER UPDATE OF doc ON ${this.table}
        WHEN json_extract(OLD.doc, ${jsonPath}) IS NOT json_extract(NEW.doc, ${jsonPath})
          OR json_type(OLD.doc, ${jsonPath}) IS NOT json_type(NEW.doc, ${jsonPath}) BEGIN
          DELETE FROM ${table} WHERE _id = OLD._id;
          INSERT OR IGNORE INTO ${table} (value, type, _id) ${elementsOf('NEW')};
        END;
        CREATE TRIGGER ${quoteIdentifier(`${name}_delete`)} AFTER DELETE ON ${this.table} BEGIN
          DELETE FROM ${table} WHERE _id = OLD._id;
        END;
        INSERT OR IGNORE INTO ${table} (value, type, _id) SELECT element.value, element.type, stored._id
          FROM ${this.table} AS stored, json_each(stored.doc, ${jsonPath}) AS element
          WHERE json_type(stored.doc, ${jsonPath}) = 'array' AND element.type NOT IN ('null', 'array', 'object');
        INSERT OR IGNORE INTO ${table} (value, type, _id) SELECT json_extract(doc, ${jsonPath}), json_type(doc, ${jsonPath}), _id
          FROM ${this.table} WHERE json_type(doc, ${jsonPath}) NOT IN ('null', 'array', 'object');
      `);
    });
  }

  private normalizeIndex(spec: IndexSpec): StoredIndex {
    const keys = Object.entries(spec.keys);
    if (keys.length === 0) throw new Error(`An index of ${this.name} needs at least one key`);
    for (const [path, direction] of keys) {
      if ((direction !== 1 && direction !== -1) || jsonExtract(path) === null) {
        throw new Error(`Cannot index ${this.name} on ${path}: ${direction}`);
      }
    }
    const name = spec.name ?? keys.map(([path, direction]) => `${path}_${direction}`).join('_');
    // The length keeps ('a_b', 'c') and ('a', 'b_c') apart.
    return { name, sqlName: `idx_${this.name.length}_${this.name}_${name}`, keys, unique: spec.unique ?? false };
  }

  private profileExistingDocuments(schema: CollectionSchema, path: string): void {
    const profile: PathProfile = { multikey: false, unorderable: false };
    for (const row of this.database.iterate<StoredRow>(`SELECT ${DOCUMENT_TEXT} FROM ${this.table}`)) {
      const seen = profileOfValue(JSON.parse(row.doc) as AnyDocument, path);
      profile.multikey ||= seen.multikey;
      profile.unorderable ||= seen.unorderable;
      if (profile.multikey && profile.unorderable) break;
    }
    schema.profiles.set(path, profile);
    this.saveProfile(path, profile);
    if (hasElementIndex(path, profile)) this.ensureElementIndex(path);
  }

  private observeIndexedPaths(document: AnyDocument): void {
    for (const [path, profile] of this.prepare().profiles) {
      if (profile.multikey && profile.unorderable) continue;
      const seen = profileOfValue(document, path);
      if ((seen.multikey && !profile.multikey) || (seen.unorderable && !profile.unorderable)) {
        profile.multikey ||= seen.multikey;
        profile.unorderable ||= seen.unorderable;
        this.saveProfile(path, profile);
        if (hasElementIndex(path, profile)) this.ensureElementIndex(path);
      }
    }
  }

  private saveProfile(path: string, profile: PathProfile): void {
    this.database.run('INSERT OR REPLACE INTO _readstore_paths (collection, path, multikey, unorderable) VALUES (?, ?, ?, ?)', [
      this.name,
      path,
      Number(profile.multikey),
      Number(profile.unorderable),
    ]);
  }
}

/** The JavaScript value of a json_extract result, given its json_type (null when the path is missing). */
function jsonValue(value: SQLOutputValue | undefined, type: SQLOutputValue | undefined): unknown {
  switch (type) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'array':
    case 'object':
      return JSON.parse(value as string);
    case 'integer':
    case 'real':
    case 'text':
      return value;
    default:
      return null;
  }
}

function hasElementIndex(path: string, profile: PathProfile | undefined): boolean {
  return profile !== undefined && profile.multikey && !path.includes('.');
}

function whereClause(selection: SqlSelection): string {
  return selection.where.length > 0 ? selection.where.join(' AND ') : '1';
}

function sortKeysOf(sort: SortSpec | undefined): PageSortKey[] {
  return Object.entries(sort ?? {}).map(([path, direction]) => {
    if (direction !== 1 && direction !== -1) throw new Error(`Sort direction of ${path} must be 1 or -1`);
    return { path, direction };
  });
}

function isIdOnlyFilter(filter: Filter, replacement: AnyDocument): boolean {
  const keys = Object.keys(filter);
  return keys.length === 1 && keys[0] === '_id' && typeof filter._id === 'string' && replacement._id === filter._id;
}

function isSqlOrderable(value: unknown): boolean {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

function assertDocument(document: AnyDocument): void {
  if (typeof document._id !== 'string' || document._id === '') throw new Error('A document needs a non-empty string _id');
  if (Object.keys(document).some((key) => key.startsWith('$'))) throw new Error('Field names may not start with $');
}

function isConstraintError(error: unknown): boolean {
  const code = (error as { errcode?: number } | null)?.errcode;
  return code === SQLITE_CONSTRAINT_UNIQUE || code === SQLITE_CONSTRAINT_PRIMARYKEY;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

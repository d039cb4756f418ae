/**
 * The read-store port, in MongoDB's own vocabulary so that the MongoDB adapter is a thin mapping.
 * Filters and updates are MongoDB query/update documents; the embedded adapter evaluates them with mingo.
 */

export type Document = { _id: string } & Record<string, unknown>;
export type Filter = Record<string, unknown>;
export type SortSpec = Record<string, 1 | -1>;

export interface UpdateSpec {
  $set?: Record<string, unknown>;
  $unset?: Record<string, '' | 1 | true>;
  $inc?: Record<string, number>;
  $setOnInsert?: Record<string, unknown>;
  $addToSet?: Record<string, unknown>;
  $pull?: Record<string, unknown>;
}

export interface FindOptions {
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  projection?: Record<string, 0 | 1>;
}

export interface PageOptions {
  /** Sort keys; `_id` is appended as the final tie-breaker so that pages never overlap or skip. */
  sort?: SortSpec;
  limit: number;
  /** Opaque cursor returned as `nextCursor` by the previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export interface IndexSpec {
  keys: Record<string, 1 | -1>;
  unique?: boolean;
  name?: string;
}

export interface UpdateResult {
  matchedCount: number;
  modifiedCount: number;
  upsertedId: string | null;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor is malformed or belongs to another query');
    this.name = 'InvalidCursorError';
  }
}

export class DuplicateKeyError extends Error {
  constructor(readonly collection: string, readonly key: unknown) {
    super(`Duplicate key in ${collection}: ${JSON.stringify(key)}`);
    this.name = 'DuplicateKeyError';
  }
}

export interface Collection<T extends Document = Document> {
  readonly name: string;
  createIndexes(indexes: IndexSpec[]): Promise<void>;
  findOne(filter: Filter): Promise<T | null>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  findPage(filter: Filter, options: PageOptions): Promise<Page<T>>;
  countDocuments(filter?: Filter): Promise<number>;
  insertOne(document: T): Promise<void>;
  /** With `upsert`, a missing document is created from the filter's equality fields, `$set` and `$setOnInsert`. */
  updateOne(filter: Filter, update: UpdateSpec, options?: { upsert?: boolean }): Promise<UpdateResult>;
  replaceOne(filter: Filter, document: T, options?: { upsert?: boolean }): Promise<UpdateResult>;
  deleteOne(filter: Filter): Promise<number>;
  deleteMany(filter: Filter): Promise<number>;
  /** Applies many single-document writes in one round trip (used by rebuilds); not atomic as a whole. */
  bulkWrite(operations: BulkOperation<T>[]): Promise<void>;
  drop(): Promise<void>;
}

export type BulkOperation<T extends Document> =
  | { updateOne: { filter: Filter; update: UpdateSpec; upsert?: boolean } }
  | { replaceOne: { filter: Filter; replacement: T; upsert?: boolean } }
  | { deleteOne: { filter: Filter } };

export interface ReadStore {
  collection<T extends Document = Document>(name: string): Collection<T>;
  /**
   * Optional: lets the adapter commit the writes made while `work` runs in one go (the embedded
   * adapter: one SQLite transaction instead of one per write), for batches such as a projection's
   * catch-up. It is not a transaction: the writes are not isolated from others made meanwhile, and a
   * failure leaves the earlier ones in place. Callers do without it where an adapter lacks it.
   */
  groupWrites?<R>(work: () => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

export const READ_STORE = Symbol('READ_STORE');

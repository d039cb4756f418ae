import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';

const WRITES_BETWEEN_STATISTICS_CHECKS = 25_000;
const MAX_WRITE_GROUP_MS = 1000;

/**
 * The embedded read store's SQLite connection: pragmas, bookkeeping tables, prepared statements,
 * transactions and write groups.
 */
export class SqliteDatabase {
  private readonly connection: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private openWriteGroups = 0;
  private writeGroupStartedAt = 0;
  private writesSinceStatisticsCheck = 0;
  private closed = false;

  constructor(location: string, busyTimeoutMs: number) {
    this.connection = new DatabaseSync(location, { timeout: busyTimeoutMs });
    // Exclusive locking: the store is the only user of its file, so SQLite skips the shared-memory
    // locking of each transaction (halves the cost of a small read), no other connection can change
    // the schema and index profiles this process caches, and a read-modify-write, being synchronous,
    // cannot interleave with another writer.
    // synchronous=NORMAL may lose the last commits on power loss (never corrupts in WAL mode): acceptable
    // because every read model is rebuilt from the event log, and checkpoints are committed with the data they cover.
    // WAL checkpoints, which still fsync, run every 8192 pages (32 MiB) rather than 1000, as in the event store.
    this.connection.exec(`
      PRAGMA locking_mode = EXCLUSIVE;
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA wal_autocheckpoint = 8192;
      PRAGMA temp_store = MEMORY;
      PRAGMA cache_size = -65536;
      CREATE TABLE IF NOT EXISTS _readstore_indexes (
        collection TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (collection, name)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS _readstore_paths (
        collection TEXT NOT NULL, path TEXT NOT NULL, multikey INTEGER NOT NULL, unorderable INTEGER NOT NULL,
        PRIMARY KEY (collection, path)
      ) WITHOUT ROWID;
    `);
  }

  /**
   * Keeps SQLite's table statistics current, so that its planner can tell an index that matches every
   * row (a tenant id while there is one tenant) from a selective one (an element index). `PRAGMA
   * optimize` analyses only tables that grew tenfold since their last analysis (~60 ms per 100,000
   * rows), so checking every so many writes costs next to nothing. (`analysis_limit` sampling is not
   * used: it estimated 1,000 rows per tenant id on a single-tenant collection.)
   */
  noteWrites(count: number): void {
    this.writesSinceStatisticsCheck += count;
    if (this.writesSinceStatisticsCheck < WRITES_BETWEEN_STATISTICS_CHECKS) return;
    this.writesSinceStatisticsCheck = 0;
    this.connection.exec('PRAGMA optimize = 0x10002');
  }

  checkOpen(): void {
    if (this.closed) throw new Error('The read store is closed');
  }

  statement(sql: string, rowsAsArrays = false): StatementSync {
    const key = rowsAsArrays ? `arrays:${sql}` : sql;
    let statement = this.statements.get(key);
    if (!statement) {
      // Queries with $in lists of many lengths would otherwise grow the cache without bound.
      if (this.statements.size >= 500) this.statements.clear();
      statement = this.connection.prepare(sql);
      statement.setReturnArrays(rowsAsArrays);
      this.statements.set(key, statement);
    }
    return statement;
  }

  run(sql: string, params: SQLInputValue[] = []): number {
    return Number(this.statement(sql).run(...params).changes);
  }

  get<R>(sql: string, params: SQLInputValue[] = []): R | undefined {
    return this.statement(sql).get(...params) as R | undefined;
  }

  all<R>(sql: string, params: SQLInputValue[] = []): R[] {
    return this.statement(sql).all(...params) as R[];
  }

  /** Rows as arrays of column values: less than half the cost of row objects over many rows. */
  allArrays(sql: string, params: SQLInputValue[] = []): SQLOutputValue[][] {
    return this.statement(sql, true).all(...params) as unknown as SQLOutputValue[][];
  }

  /** Rows one at a time; the caller must finish or break out of the loop before running the same SQL again. */
  iterate<R>(sql: string, params: SQLInputValue[] = []): Iterable<R> {
    return this.statement(sql).iterate(...params) as Iterable<R>;
  }

  exec(sql: string): void {
    this.connection.exec(sql);
  }

  /**
   * Write groups share one transaction, committed when the last open group ends. Groups that keep
   * overlapping (two busy projections) would keep it open for ever, so a group entering a transaction
   * older than a second commits it and starts another: groups never roll back, so any point between
   * two statements is a safe place to commit.
   */
  enterWriteGroup(): void {
    this.checkOpen();
    if (this.openWriteGroups === 0 && !this.connection.isTransaction) {
      this.connection.exec('BEGIN');
      this.writeGroupStartedAt = performance.now();
    } else if (this.openWriteGroups > 0 && performance.now() - this.writeGroupStartedAt > MAX_WRITE_GROUP_MS) {
      this.connection.exec('COMMIT; BEGIN');
      this.writeGroupStartedAt = performance.now();
    }
    this.openWriteGroups++;
  }

  leaveWriteGroup(): void {
    this.openWriteGroups--;
    if (this.openWriteGroups === 0 && !this.closed && this.connection.isTransaction) this.connection.exec('COMMIT');
  }

  /** Runs `work` in one transaction (or inside the current one): one commit for many writes. */
  transaction<R>(work: () => R, { commitOnError = false } = {}): R {
    if (this.connection.isTransaction) return work();
    this.connection.exec('BEGIN');
    let result: R;
    try {
      result = work();
    } catch (error) {
      this.connection.exec(commitOnError ? 'COMMIT' : 'ROLLBACK');
      throw error;
    }
    this.connection.exec('COMMIT');
    return result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.statements.clear();
    // A write group still open when the store closes keeps what it wrote: groups never roll back.
    if (this.connection.isTransaction) this.connection.exec('COMMIT');
    this.connection.close();
  }
}

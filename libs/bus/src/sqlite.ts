import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export const IN_MEMORY = ':memory:';

export type Durability = 'FULL' | 'NORMAL';

/**
 * Opens a SQLite file that several processes read and write.
 * WAL lets readers run while one process writes; the busy timeout makes a writer wait for the lock another
 * process holds instead of failing at once. synchronous=FULL makes each commit survive power loss;
 * NORMAL survives kill -9 and, on power loss, loses only a suffix of the latest commits (WAL keeps their order).
 */
export function openSqliteDatabase(path: string, { busyTimeoutMs = 5_000, durability = 'FULL' as Durability } = {}): DatabaseSync {
  if (path !== IN_MEMORY) mkdirSync(dirname(path), { recursive: true });
  const database = new DatabaseSync(path, { timeout: busyTimeoutMs });
  database.exec('PRAGMA journal_mode = WAL');
  database.exec(`PRAGMA synchronous = ${durability}`);
  return database;
}

/**
 * Runs `work` in a write transaction. BEGIN IMMEDIATE takes the write lock up front: a deferred
 * transaction that later upgrades from read to write fails with SQLITE_BUSY without honouring the busy timeout.
 */
export function inWriteTransaction<T>(database: DatabaseSync, work: () => T): T {
  database.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    database.exec('COMMIT');
    return result;
  } catch (error) {
    if (database.isTransaction) database.exec('ROLLBACK');
    throw error;
  }
}

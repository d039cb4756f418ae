import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Collection, Document, ReadStore } from '@crm/readstore';
import { type Durability, openSqliteDatabase } from './sqlite';

/** Where a relay (or any subscriber) keeps the event-store position it has fully handled. */
export interface CheckpointStore {
  get(name: string): Promise<number | undefined>;
  set(name: string, position: number): Promise<void>;
  /** Releases the underlying file, if any. */
  close?(): void;
}

export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly positions = new Map<string, number>();

  async get(name: string): Promise<number | undefined> {
    return this.positions.get(name);
  }

  async set(name: string, position: number): Promise<void> {
    this.positions.set(name, position);
  }
}

/**
 * Keeps checkpoints in a SQLite file, typically the service's own event-store file
 * (the table name is prefixed so that it does not collide with the service's tables).
 */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly database: DatabaseSync;
  private readonly selectPosition: StatementSync;
  private readonly upsertPosition: StatementSync;

  constructor(path: string, { busyTimeoutMs, durability }: { busyTimeoutMs?: number; durability?: Durability } = {}) {
    this.database = openSqliteDatabase(path, { busyTimeoutMs, durability });
    this.database.exec(`
      CREATE TABLE IF NOT EXISTS bus_checkpoints (
        name TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID`);
    this.selectPosition = this.database.prepare('SELECT position FROM bus_checkpoints WHERE name = ?');
    this.upsertPosition = this.database.prepare(`
      INSERT INTO bus_checkpoints (name, position, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`);
  }

  async get(name: string): Promise<number | undefined> {
    const row = this.selectPosition.get(name) as { position: number } | undefined;
    return row?.position;
  }

  async set(name: string, position: number): Promise<void> {
    this.upsertPosition.run(name, position, new Date().toISOString());
  }

  close(): void {
    this.database.close();
  }
}

interface CheckpointDocument extends Document {
  position: number;
  updatedAt: string;
}

/**
 * Keeps checkpoints as documents of a read-store collection: where a service has no local disk (Kafka,
 * KurrentDB and MongoDB on Kubernetes), its read store is the durable place it owns. One document per
 * checkpoint, written with a single-document upsert, so it needs no transaction on any adapter.
 */
export class ReadStoreCheckpointStore implements CheckpointStore {
  private readonly checkpoints: Collection<CheckpointDocument>;

  constructor(readStore: ReadStore, collectionName = 'checkpoints') {
    this.checkpoints = readStore.collection<CheckpointDocument>(collectionName);
  }

  async get(name: string): Promise<number | undefined> {
    const document = await this.checkpoints.findOne({ _id: name });
    return document?.position;
  }

  async set(name: string, position: number): Promise<void> {
    await this.checkpoints.updateOne({ _id: name }, { $set: { position, updatedAt: new Date().toISOString() } }, { upsert: true });
  }
}

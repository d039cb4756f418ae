import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { inWriteTransaction } from './sqlite';
import type { IntegrationEvent } from './message-bus.port';

/** A message as the embedded bus stores it; `offset` is global across topics and only grows. */
export interface StoredMessage {
  offset: number;
  topic: string;
  key: string;
  eventId: string;
  /** The CloudEvent as JSON; parsed anew for each delivery so a handler cannot alter what a retry sees. */
  eventJson: string;
  headers: Record<string, string>;
}

export interface TopicPosition {
  topic: string;
  /** Messages with a greater offset are still to be read. */
  afterOffset: number;
}

export interface DeadLetter {
  group: string;
  message: StoredMessage;
  topic: string;
  headers: Record<string, string>;
}

/** Offset of a topic nobody has committed on: everything in it is still to be read. */
export const START_OF_LOG = 0;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS messages (
    offset INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    key TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    headers TEXT NOT NULL DEFAULT '{}',
    published_at TEXT NOT NULL,
    -- '' for published events; the failing group for dead letters, so that two groups
    -- that both give up on an event each leave their own dead letter.
    dead_lettered_by TEXT NOT NULL DEFAULT '',
    UNIQUE (topic, event_id, dead_lettered_by)
  );
  CREATE INDEX IF NOT EXISTS messages_by_topic ON messages (topic, offset);

  CREATE TABLE IF NOT EXISTS group_offsets (
    group_name TEXT NOT NULL,
    topic TEXT NOT NULL,
    committed_offset INTEGER NOT NULL,
    committed_at TEXT NOT NULL,
    PRIMARY KEY (group_name, topic)
  ) WITHOUT ROWID;

  -- Who consumes a topic for a group: the embedded counterpart of a Kafka partition assignment.
  CREATE TABLE IF NOT EXISTS consumer_leases (
    group_name TEXT NOT NULL,
    topic TEXT NOT NULL,
    owner TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (group_name, topic)
  ) WITHOUT ROWID;
`;

interface MessageRow {
  offset: number;
  topic: string;
  key: string;
  event_id: string;
  event: string;
  headers: string;
}

/** The SQL side of the embedded bus: the message log, committed offsets and consumer leases. */
export class EmbeddedMessageLog {
  private readonly insertMessage: StatementSync;
  private readonly selectEndOffset: StatementSync;
  private readonly selectCommittedOffset: StatementSync;
  private readonly upsertCommittedOffset: StatementSync;
  private readonly insertOffsetIfAbsent: StatementSync;
  private readonly selectLease: StatementSync;
  private readonly claimLease: StatementSync;
  private readonly extendLease: StatementSync;
  private readonly deleteLease: StatementSync;
  /** Reads over n topics, by n: the WHERE clause has one term per topic. */
  private readonly readStatements = new Map<number, StatementSync>();

  constructor(private readonly database: DatabaseSync) {
    inWriteTransaction(database, () => database.exec(SCHEMA));
    this.insertMessage = database.prepare(`
      INSERT INTO messages (topic, key, event_id, event, headers, published_at, dead_lettered_by)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (topic, event_id, dead_lettered_by) DO NOTHING`);
    this.selectEndOffset = database.prepare('SELECT coalesce(max(offset), 0) AS end_offset FROM messages');
    this.selectCommittedOffset = database.prepare(
      'SELECT committed_offset FROM group_offsets WHERE group_name = ? AND topic = ?',
    );
    this.upsertCommittedOffset = database.prepare(`
      INSERT INTO group_offsets (group_name, topic, committed_offset, committed_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (group_name, topic) DO UPDATE
      SET committed_offset = excluded.committed_offset, committed_at = excluded.committed_at`);
    this.insertOffsetIfAbsent = database.prepare(`
      INSERT INTO group_offsets (group_name, topic, committed_offset, committed_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (group_name, topic) DO NOTHING`);
    this.selectLease = database.prepare(
      'SELECT owner, expires_at FROM consumer_leases WHERE group_name = ? AND topic = ?',
    );
    this.claimLease = database.prepare(`
      INSERT INTO consumer_leases (group_name, topic, owner, expires_at) VALUES (:group, :topic, :owner, :expiresAt)
      ON CONFLICT (group_name, topic) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE consumer_leases.owner = excluded.owner OR consumer_leases.expires_at <= :now`);
    this.extendLease = database.prepare(
      'UPDATE consumer_leases SET expires_at = ? WHERE group_name = ? AND topic = ? AND owner = ?',
    );
    this.deleteLease = database.prepare(
      'DELETE FROM consumer_leases WHERE group_name = ? AND topic = ? AND owner = ?',
    );
  }

  /** Appends in one transaction; an event id already in the topic is skipped, so re-publishing is harmless. */
  append(topic: string, events: readonly IntegrationEvent[]): void {
    const publishedAt = new Date().toISOString();
    inWriteTransaction(this.database, () => {
      for (const event of events) {
        this.insertMessage.run(topic, event.subject, event.id, JSON.stringify(event), '{}', publishedAt, '');
      }
    });
  }

  /** The next messages of these topics in offset order, which keeps the order of each key. */
  readAfter(positions: readonly TopicPosition[], limit: number): StoredMessage[] {
    if (positions.length === 0) return [];
    const parameters: SQLInputValue[] = positions.flatMap(({ topic, afterOffset }) => [topic, afterOffset]);
    const rows = this.readStatement(positions.length).all(...parameters, limit) as unknown as MessageRow[];
    return rows.map((row) => ({
      offset: row.offset,
      topic: row.topic,
      key: row.key,
      eventId: row.event_id,
      eventJson: row.event,
      headers: JSON.parse(row.headers) as Record<string, string>,
    }));
  }

  /** Offset of the last message in the log (0 when empty). */
  endOffset(): number {
    return (this.selectEndOffset.get() as { end_offset: number }).end_offset;
  }

  committedOffset(group: string, topic: string): number | undefined {
    const row = this.selectCommittedOffset.get(group, topic) as { committed_offset: number } | undefined;
    return row?.committed_offset;
  }

  /** Starts a group that never consumed the topic at `offset` (Kafka's auto.offset.reset=latest). */
  startGroupAt(group: string, topic: string, offset: number): void {
    this.insertOffsetIfAbsent.run(group, topic, offset, new Date().toISOString());
  }

  /** Takes the lease when it is free, expired or already ours; false when another consumer holds it. */
  tryClaimLease(group: string, topic: string, owner: string, ttlMs: number): boolean {
    const now = Date.now();
    // Read first: a standby consumer asks every poll, and a refused write would still cost a write lock.
    const lease = this.selectLease.get(group, topic) as { owner: string; expires_at: number } | undefined;
    if (lease && lease.owner !== owner && lease.expires_at > now) return false;
    const result = this.claimLease.run({ group, topic, owner, expiresAt: now + ttlMs, now });
    return Number(result.changes) > 0;
  }

  /** False when the lease has passed to another consumer. */
  tryExtendLease(group: string, topic: string, owner: string, ttlMs: number): boolean {
    return Number(this.extendLease.run(Date.now() + ttlMs, group, topic, owner).changes) > 0;
  }

  releaseLease(group: string, topic: string, owner: string): void {
    this.deleteLease.run(group, topic, owner);
  }

  /**
   * Commits the group's offset if `owner` still holds the lease (and extends it);
   * false when another consumer took over, whose own reads will then redeliver the message.
   */
  commit(group: string, topic: string, offset: number, owner: string, leaseTtlMs: number): boolean {
    return inWriteTransaction(this.database, () => {
      if (!this.tryExtendLease(group, topic, owner, leaseTtlMs)) return false;
      this.upsertCommittedOffset.run(group, topic, offset, new Date().toISOString());
      return true;
    });
  }

  /** Writes the dead letter and commits past the failed message in one transaction: neither happens without the other. */
  deadLetterAndCommit(deadLetter: DeadLetter, owner: string, leaseTtlMs: number): boolean {
    const { group, message, topic, headers } = deadLetter;
    return inWriteTransaction(this.database, () => {
      if (!this.tryExtendLease(group, message.topic, owner, leaseTtlMs)) return false;
      const publishedAt = new Date().toISOString();
      this.insertMessage.run(topic, message.key, message.eventId, message.eventJson, JSON.stringify(headers), publishedAt, group);
      this.upsertCommittedOffset.run(group, message.topic, message.offset, publishedAt);
      return true;
    });
  }

  private readStatement(topicCount: number): StatementSync {
    let statement = this.readStatements.get(topicCount);
    if (!statement) {
      const perTopic = Array.from({ length: topicCount }, () => '(topic = ? AND offset > ?)').join(' OR ');
      statement = this.database.prepare(
        `SELECT offset, topic, key, event_id, event, headers FROM messages WHERE ${perTopic} ORDER BY offset LIMIT ?`,
      );
      this.readStatements.set(topicCount, statement);
    }
    return statement;
  }
}

import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  assertExpectedRevision,
  assertValidAppend,
  occurredAtMillis,
  recogniseRetry,
  type StoredEventPlace,
  untilTimeMillis,
} from './append-validation';
import { CatchUpSubscription } from './catch-up-subscription';
import {
  type AppendResult,
  DuplicateEventIdError,
  type EventFilter,
  type EventStore,
  EventStoreClosedError,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeToAllOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from './event-store.port';

export interface SqliteEventStoreOptions {
  /** How long a write waits for another process holding the database lock. Default 5000. */
  busyTimeoutMs?: number;
  /** How often live subscriptions look for events written by other processes. Default 250. */
  pollIntervalMs?: number;
  /** Width, in positions, of one subscription catch-up read. Default 1000. */
  catchUpPageSize?: number;
  /** Upper bound on events written in one group commit; the rest wait for the next one. Default 10,000. */
  maxEventsPerCommit?: number;
}

const SCHEMA_VERSION = 1;
/** Past this many cached stream tails the cache starts over, which bounds memory; tails reload on demand. */
const MAX_CACHED_STREAM_TAILS = 100_000;

// Positions are SQLite rowids: assigned max + 1 under the write lock, so they grow in commit
// order and a reader never sees a later position before an earlier one. Rows are never deleted,
// which keeps positions from being reused.
const SCHEMA_V1 = `
  CREATE TABLE events (
    position    INTEGER PRIMARY KEY,
    stream_name TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    event_id    TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    occurred_at INTEGER NOT NULL,
    recorded_at TEXT    NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX events_by_stream_revision ON events (stream_name, revision);
`;

const EVENT_COLUMNS = 'position, stream_name, revision, event_id, type, data, metadata, recorded_at';

/** One stream's events, already serialised so that they cannot fail the batch. */
interface SerializedAppend {
  streamName: string;
  events: SerializedEvent[];
  expectedRevision: ExpectedRevision;
}

/** An append waiting for the next group commit. */
interface QueuedAppend extends SerializedAppend {
  kind: 'one';
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** An `appendMany` waiting for the next group commit: written inside a savepoint, all or nothing. */
interface QueuedAppendMany {
  kind: 'many';
  parts: SerializedAppend[];
  eventCount: number;
  resolve(results: AppendResult[]): void;
  reject(error: unknown): void;
}

type QueuedWrite = QueuedAppend | QueuedAppendMany;

interface SerializedEvent {
  eventId: string;
  type: string;
  data: string;
  metadata: string;
  occurredAt: number;
}

/** Revision and position of a stream's last event; -1 and -1 when the stream does not exist. */
interface StreamTail {
  revision: number;
  position: number;
}

/** Tails of the streams written in the open transaction. */
interface TailsWrittenSoFar {
  get(streamName: string): StreamTail | undefined;
  set(streamName: string, tail: StreamTail): void;
}

interface EventRow {
  position: number;
  stream_name: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

/**
 * Event store in one SQLite file through `node:sqlite`: the embedded default.
 *
 * Durability: WAL with synchronous=FULL, so an acknowledged append survives kill -9 and power loss.
 * Speed: appends made in the same turn of the event loop are written in one transaction (group
 * commit), which pays one fsync for all of them; each append is still checked on its own.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: DatabaseSync;
  private readonly statements: ReturnType<SqliteEventStore['prepareStatements']>;
  private readonly rangeStatements = new Map<string, StatementSync>();
  private readonly settings: Required<SqliteEventStoreOptions>;

  private readonly queue: QueuedWrite[] = [];
  private flushScheduled = false;
  /** Committed tails, loaded lazily; only trusted while the head is still `tailsValidAtHead`. */
  private readonly tails = new Map<string, StreamTail>();
  private tailsValidAtHead: number | undefined;

  private readonly subscriptions = new Set<CatchUpSubscription>();
  private closed = false;
  private closing: Promise<void> | undefined;

  /** @param path a database file (created if missing), or ':memory:' */
  constructor(
    readonly path: string,
    options: SqliteEventStoreOptions = {},
  ) {
    this.settings = {
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      pollIntervalMs: options.pollIntervalMs ?? 250,
      catchUpPageSize: options.catchUpPageSize ?? 1000,
      maxEventsPerCommit: options.maxEventsPerCommit ?? 10_000,
    };
    this.db = new DatabaseSync(path);
    try {
      this.configureConnection();
      this.migrate();
      this.statements = this.prepareStatements();
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  append(streamName: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    try {
      this.assertOpen();
      assertValidAppend(streamName, events, expectedRevision);
      const serialized = events.map(serialize);
      return new Promise<AppendResult>((resolve, reject) => {
        this.queue.push({ kind: 'one', streamName, events: serialized, expectedRevision, resolve, reject });
        this.scheduleFlush();
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Joins the next group commit like `append`, but as one unit: its parts are written inside a savepoint,
   * and a conflict in any part rolls back all of them. One promise and one queue entry for the whole set,
   * which is what makes bulk writes cheap.
   */
  appendMany(appends: StreamAppend[]): Promise<AppendResult[]> {
    try {
      this.assertOpen();
      const parts: SerializedAppend[] = [];
      let eventCount = 0;
      for (const { streamName, events, expectedRevision } of appends) {
        assertValidAppend(streamName, events, expectedRevision);
        parts.push({ streamName, events: events.map(serialize), expectedRevision });
        eventCount += events.length;
      }
      if (parts.length === 0) return Promise.resolve([]);
      return new Promise<AppendResult[]>((resolve, reject) => {
        this.queue.push({ kind: 'many', parts, eventCount, resolve, reject });
        this.scheduleFlush();
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const rows = this.statements.readStream.all(
      streamName,
      options.fromRevision ?? 0,
      untilTimeMillis(options.untilTime),
      options.maxCount ?? -1,
    );
    return (rows as unknown as EventRow[]).map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.readPositionRange(options.afterPosition ?? -1, Number.MAX_SAFE_INTEGER, options.filter, options.maxCount);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    this.assertOpen();
    const subscription = new CatchUpSubscription(
      {
        headPosition: () => this.selectHead(),
        readPositionRange: (after, upTo, filter) => this.readPositionRange(after, upTo, filter),
      },
      options,
      { pageSize: this.settings.catchUpPageSize, pollIntervalMs: this.settings.pollIntervalMs },
      (finished) => this.subscriptions.delete(finished),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.selectHead();
  }

  /** Writes what is queued, ends subscriptions (they get EventStoreClosedError), then closes the file. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      while (this.queue.length > 0) this.commitBatch(this.takeBatch());
      await Promise.all([...this.subscriptions].map((subscription) => subscription.terminate(new EventStoreClosedError())));
      this.db.close();
    })();
    return this.closing;
  }

  private configureConnection(): void {
    this.db.exec(`PRAGMA busy_timeout = ${Math.trunc(this.settings.busyTimeoutMs)}`);
    const { journal_mode: journalMode } = this.db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string };
    if (journalMode !== 'wal' && journalMode !== 'memory') {
      throw new Error(`SQLite event store ${this.path}: could not switch to WAL (journal mode is ${journalMode})`);
    }
    // FULL syncs the WAL on every commit: NORMAL could lose the last commits on power loss.
    this.db.exec('PRAGMA synchronous = FULL');
    // Checkpoint every 32 MiB of WAL rather than every 4 MiB: each checkpoint costs two more fsyncs,
    // and the index pages every commit touches are copied to the database file once per checkpoint.
    this.db.exec('PRAGMA wal_autocheckpoint = 8192');
  }

  private migrate(): void {
    const schemaVersion = () => (this.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
    if (schemaVersion() === SCHEMA_VERSION) return;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      // Read again under the write lock: another process may have migrated meanwhile.
      const version = schemaVersion();
      if (version > SCHEMA_VERSION) {
        throw new Error(`SQLite event store ${this.path} has schema version ${version}; this code knows up to ${SCHEMA_VERSION}`);
      }
      if (version === 0) this.db.exec(SCHEMA_V1);
      this.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      this.db.exec('COMMIT');
    } catch (error) {
      this.rollbackIfInTransaction();
      throw error;
    }
  }

  private prepareStatements() {
    return {
      insert: this.db.prepare(
        `INSERT INTO events (stream_name, revision, event_id, type, data, metadata, occurred_at, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      head: this.db.prepare('SELECT COALESCE(MAX(position), -1) AS head FROM events'),
      tail: this.db.prepare('SELECT revision, position FROM events WHERE stream_name = ? ORDER BY revision DESC LIMIT 1'),
      placeOfEventId: this.db.prepare('SELECT stream_name, revision, position FROM events WHERE event_id = ?'),
      readStream: this.db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events
         WHERE stream_name = ? AND revision >= ? AND occurred_at <= ?
         ORDER BY revision LIMIT ?`,
      ),
    };
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate rather than a microtask: it runs after every continuation woken in this turn
    // has had the chance to queue its own append, which is what makes the batches large.
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.queue.length === 0) return;
      this.commitBatch(this.takeBatch());
      if (this.queue.length > 0) this.scheduleFlush();
    });
  }

  private takeBatch(): QueuedWrite[] {
    let events = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || events + eventCountOf(this.queue[count]!) <= this.settings.maxEventsPerCommit)) {
      events += eventCountOf(this.queue[count]!);
      count++;
    }
    return this.queue.splice(0, count);
  }

  /**
   * Writes a batch in one transaction. Conflicts reject only their own append. An unexpected
   * database error while writing one append rolls the transaction back, rejects that append and
   * writes the others again without it; an error on BEGIN or COMMIT rejects the whole batch.
   */
  private commitBatch(batch: QueuedWrite[]): void {
    let remaining = batch;
    while (remaining.length > 0) {
      const outcomes: { append: QueuedWrite; result?: AppendResult | AppendResult[]; error?: unknown }[] = [];
      const touchedTails = new Map<string, StreamTail>();
      let failedAppend: QueuedWrite | undefined;
      try {
        this.db.exec('BEGIN IMMEDIATE');
        this.forgetTailsIfAnotherProcessWrote();
        const recordedAt = new Date().toISOString();
        for (const append of remaining) {
          try {
            const result = append.kind === 'one' ? this.writeAppend(append, touchedTails, recordedAt) : this.writeAppendMany(append, touchedTails, recordedAt);
            outcomes.push({ append, result });
          } catch (error) {
            if (!(error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError)) {
              failedAppend = append;
              throw error;
            }
            outcomes.push({ append, error });
          }
        }
        this.db.exec('COMMIT');
      } catch (error) {
        this.rollbackIfInTransaction();
        // The cache may hold tails read in the aborted transaction; start again from the database.
        this.tails.clear();
        this.tailsValidAtHead = undefined;
        if (failedAppend) {
          failedAppend.reject(error);
          remaining = remaining.filter((append) => append !== failedAppend);
          continue;
        }
        for (const append of remaining) append.reject(error);
        return;
      }

      if (this.tails.size + touchedTails.size > MAX_CACHED_STREAM_TAILS) this.tails.clear();
      for (const [streamName, tail] of touchedTails) {
        this.tails.set(streamName, tail);
        this.tailsValidAtHead = Math.max(this.tailsValidAtHead ?? -1, tail.position);
      }
      for (const { append, result, error } of outcomes) {
        if (!result) append.reject(error);
        else if (append.kind === 'one') append.resolve(result as AppendResult);
        else append.resolve(result as AppendResult[]);
      }
      if (touchedTails.size > 0) for (const subscription of this.subscriptions) subscription.wake();
      return;
    }
  }

  /**
   * Writes the parts of an `appendMany` inside a savepoint. On a conflict the savepoint is rolled back,
   * so the rest of the group commit goes on without any of the parts; their tails join `touchedTails`
   * only once all of them are written.
   */
  private writeAppendMany(many: QueuedAppendMany, touchedTails: Map<string, StreamTail>, recordedAt: string): AppendResult[] {
    const ownTails = new Map<string, StreamTail>();
    const tails = {
      get: (streamName: string) => ownTails.get(streamName) ?? touchedTails.get(streamName),
      set: (streamName: string, tail: StreamTail) => {
        ownTails.set(streamName, tail);
      },
    };
    this.db.exec('SAVEPOINT append_many');
    let results: AppendResult[];
    try {
      results = many.parts.map((part) => this.writeAppend(part, tails, recordedAt));
    } catch (error) {
      this.db.exec('ROLLBACK TO append_many');
      this.db.exec('RELEASE append_many');
      throw error;
    }
    this.db.exec('RELEASE append_many');
    for (const [streamName, tail] of ownTails) touchedTails.set(streamName, tail);
    return results;
  }

  /** Checks one append against the log as it stands inside the open transaction, then inserts it. */
  private writeAppend(
    append: SerializedAppend,
    touchedTails: TailsWrittenSoFar,
    recordedAt: string,
  ): AppendResult {
    const { streamName, events, expectedRevision } = append;
    const retried = recogniseRetry(
      streamName,
      expectedRevision,
      events.map((event) => event.eventId),
      events.map((event) => this.placeOfEventId(event.eventId)),
    );
    if (retried) {
      const last = retried[retried.length - 1]!;
      return { nextExpectedRevision: last.revision, position: last.position };
    }

    const tail = touchedTails.get(streamName) ?? this.committedTail(streamName);
    assertExpectedRevision(streamName, expectedRevision, tail.revision);
    if (events.length === 0) return { nextExpectedRevision: tail.revision, position: tail.position };

    let { revision, position } = tail;
    for (const event of events) {
      revision++;
      const { lastInsertRowid } = this.statements.insert.run(
        streamName,
        revision,
        event.eventId,
        event.type,
        event.data,
        event.metadata,
        event.occurredAt,
        recordedAt,
      );
      position = Number(lastInsertRowid);
    }
    touchedTails.set(streamName, { revision, position });
    return { nextExpectedRevision: revision, position };
  }

  /**
   * The tails cache is only right if nobody else wrote since it was filled. Under the write lock
   * a changed head means another process appended, so the cache is dropped rather than trusted.
   */
  private forgetTailsIfAnotherProcessWrote(): void {
    const head = this.selectHead();
    if (head !== this.tailsValidAtHead) {
      this.tails.clear();
      this.tailsValidAtHead = head;
    }
  }

  private committedTail(streamName: string): StreamTail {
    let tail = this.tails.get(streamName);
    if (!tail) {
      const row = this.statements.tail.get(streamName) as StreamTail | undefined;
      tail = row ?? { revision: -1, position: -1 };
      this.tails.set(streamName, tail);
    }
    return tail;
  }

  private placeOfEventId(eventId: string): StoredEventPlace | undefined {
    const row = this.statements.placeOfEventId.get(eventId) as
      | { stream_name: string; revision: number; position: number }
      | undefined;
    return row && { eventId, streamName: row.stream_name, revision: row.revision, position: row.position };
  }

  private selectHead(): number {
    return (this.statements.head.get() as { head: number }).head;
  }

  private readPositionRange(
    afterPosition: number,
    upToPosition: number,
    filter: EventFilter | undefined,
    maxCount = -1,
  ): RecordedEvent[] {
    const prefixes = filter?.streamNamePrefixes;
    const types = filter?.eventTypes;
    const parameters: SQLInputValue[] = [afterPosition, upToPosition];
    if (prefixes) parameters.push(...prefixes.map((prefix) => `${escapeGlob(prefix)}*`));
    if (types) parameters.push(...types);
    parameters.push(maxCount);
    const rows = this.rangeStatement(prefixes?.length, types?.length).all(...parameters);
    return (rows as unknown as EventRow[]).map(toRecordedEvent);
  }

  /** One prepared statement per filter shape (how many prefixes, how many types). */
  private rangeStatement(prefixCount: number | undefined, typeCount: number | undefined): StatementSync {
    const key = `${prefixCount ?? '-'}/${typeCount ?? '-'}`;
    let statement = this.rangeStatements.get(key);
    if (!statement) {
      const conditions = ['position > ?', 'position <= ?'];
      // An empty list matches nothing, as "one of these" does.
      if (prefixCount !== undefined) {
        conditions.push(prefixCount === 0 ? '0' : `(${Array(prefixCount).fill('stream_name GLOB ?').join(' OR ')})`);
      }
      if (typeCount !== undefined) {
        conditions.push(typeCount === 0 ? '0' : `type IN (${Array(typeCount).fill('?').join(', ')})`);
      }
      statement = this.db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT ?`,
      );
      this.rangeStatements.set(key, statement);
    }
    return statement;
  }

  private rollbackIfInTransaction(): void {
    if (this.db.isTransaction) this.db.exec('ROLLBACK');
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}

function eventCountOf(write: QueuedWrite): number {
  return write.kind === 'one' ? write.events.length : write.eventCount;
}

function serialize(event: NewEvent): SerializedEvent {
  return {
    eventId: event.eventId,
    type: event.type,
    data: JSON.stringify(event.data ?? null),
    metadata: JSON.stringify(event.metadata),
    occurredAt: occurredAtMillis(event),
  };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    streamName: row.stream_name,
    revision: row.revision,
    position: row.position,
    recordedAt: row.recorded_at,
  };
}

/** GLOB is case-sensitive like startsWith; its wildcards are matched literally inside brackets. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[]/g, (wildcard) => `[${wildcard}]`);
}

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Consumer, ConsumerOptions, IntegrationEventHandler, MessageBus } from './message-bus.port';
import { openSqliteDatabase } from './sqlite';
import type { Collection, Document, ReadStore } from '@crm/readstore';

/** The ids of the events each consumer group has processed; owned by the consuming service. */
export interface ProcessedEventLog {
  contains(group: string, eventId: string): Promise<boolean>;
  add(group: string, eventId: string): Promise<void>;
}

export class InMemoryProcessedEventLog implements ProcessedEventLog {
  private readonly processed = new Set<string>();

  async contains(group: string, eventId: string): Promise<boolean> {
    return this.processed.has(key(group, eventId));
  }

  async add(group: string, eventId: string): Promise<void> {
    this.processed.add(key(group, eventId));
  }
}

/**
 * Keeps processed event ids in a SQLite file, typically the consuming service's own database file
 * (the table name is prefixed so that it does not collide with the service's tables).
 */
export class SqliteProcessedEventLog implements ProcessedEventLog {
  private readonly database: DatabaseSync;
  private readonly selectProcessed: StatementSync;
  private readonly insertProcessed: StatementSync;
  private readonly deleteProcessedBefore: StatementSync;

  constructor(path: string, { busyTimeoutMs }: { busyTimeoutMs?: number } = {}) {
    this.database = openSqliteDatabase(path, { busyTimeoutMs });
    this.database.exec(`
      CREATE TABLE IF NOT EXISTS bus_processed_events (
        group_name TEXT NOT NULL,
        event_id TEXT NOT NULL,
        processed_at TEXT NOT NULL,
        PRIMARY KEY (group_name, event_id)
      ) WITHOUT ROWID`);
    this.selectProcessed = this.database.prepare(
      'SELECT 1 FROM bus_processed_events WHERE group_name = ? AND event_id = ?',
    );
    this.insertProcessed = this.database.prepare(`
      INSERT INTO bus_processed_events (group_name, event_id, processed_at) VALUES (?, ?, ?)
      ON CONFLICT (group_name, event_id) DO NOTHING`);
    this.deleteProcessedBefore = this.database.prepare('DELETE FROM bus_processed_events WHERE processed_at < ?');
  }

  async contains(group: string, eventId: string): Promise<boolean> {
    return this.selectProcessed.get(group, eventId) !== undefined;
  }

  async add(group: string, eventId: string): Promise<void> {
    this.insertProcessed.run(group, eventId, new Date().toISOString());
  }

  /**
   * Forgets ids processed before `instant` (ISO-8601); returns how many. Redeliveries come soon after
   * the first delivery, so ids older than the longest plausible outage can go.
   */
  prune(instant: string): number {
    return Number(this.deleteProcessedBefore.run(instant).changes);
  }

  close(): void {
    this.database.close();
  }
}

interface ProcessedEventDocument extends Document {
  group: string;
  eventId: string;
  processedAt: string;
}

/**
 * Keeps processed event ids as documents of the consuming service's read store: where the service has
 * no local disk (Kafka and MongoDB on Kubernetes), that is the durable place it owns.
 */
export class ReadStoreProcessedEventLog implements ProcessedEventLog {
  private readonly processed: Collection<ProcessedEventDocument>;

  constructor(readStore: ReadStore, collectionName = 'processed_events') {
    this.processed = readStore.collection<ProcessedEventDocument>(collectionName);
  }

  async contains(group: string, eventId: string): Promise<boolean> {
    return (await this.processed.findOne({ _id: key(group, eventId) })) !== null;
  }

  async add(group: string, eventId: string): Promise<void> {
    await this.processed.updateOne(
      { _id: key(group, eventId) },
      { $setOnInsert: { group, eventId, processedAt: new Date().toISOString() } },
      { upsert: true },
    );
  }
}

/**
 * Wraps a handler so that an event the group already processed is acknowledged without running it again:
 * the bus delivers at least once (redelivery after a crash, Kafka duplicates), the handler then runs once.
 *
 * The id is recorded after the handler resolved, so a crash between the two still runs the handler twice;
 * handlers whose effect must happen exactly once should record the id in the same transaction as the effect.
 */
export function idempotentHandler(
  group: string,
  processedEvents: ProcessedEventLog,
  handler: IntegrationEventHandler,
): IntegrationEventHandler {
  return async (event, context) => {
    if (await processedEvents.contains(group, event.id)) return;
    await handler(event, context);
    await processedEvents.add(group, event.id);
  };
}

/** `bus.consume` with the handler deduplicated per group, so the group used for dedupe cannot drift. */
export function consumeIdempotently(
  bus: MessageBus,
  options: ConsumerOptions & { processedEvents: ProcessedEventLog },
): Promise<Consumer> {
  const { processedEvents, ...consumerOptions } = options;
  return bus.consume({
    ...consumerOptions,
    handler: idempotentHandler(options.group, processedEvents, options.handler),
  });
}

function key(group: string, eventId: string): string {
  return `${group}\u0000${eventId}`;
}

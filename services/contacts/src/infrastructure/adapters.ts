import { EmbeddedMessageBus, type MessageBus, SqliteCheckpointStore, type CheckpointStore, InMemoryCheckpointStore } from '@crm/bus';
import { type EventStore, InMemoryEventStore, SqliteEventStore } from '@crm/eventstore';
import type { ServiceConfig } from '@crm/platform';
import { createInMemoryReadStore, EmbeddedReadStore, type ReadStore } from '@crm/readstore';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Adapters are chosen by configuration; the service code above them is the same either way. */
export function createEventStore(config: ServiceConfig): EventStore {
  if (config.eventStore === 'memory') return new InMemoryEventStore();
  mkdirSync(config.serviceDataDir, { recursive: true });
  return new SqliteEventStore(join(config.serviceDataDir, 'events.db'));
}

export function createReadStore(config: ServiceConfig): ReadStore {
  if (config.readStore === 'memory') return createInMemoryReadStore();
  mkdirSync(config.serviceDataDir, { recursive: true });
  return new EmbeddedReadStore(join(config.serviceDataDir, 'read-models.db'));
}

/**
 * The embedded bus is one SQLite file shared by every service under DATA_DIR. It holds only messages
 * derived from the services' event logs (fsynced on every commit), so it runs with synchronous=NORMAL.
 */
export function createMessageBus(config: ServiceConfig): MessageBus {
  mkdirSync(config.dataDir, { recursive: true });
  return new EmbeddedMessageBus({ path: join(config.dataDir, 'bus.db'), durability: 'NORMAL' });
}

/** The relay's checkpoint lives in the bus file itself: WAL order then keeps it behind what was published. */
export function createRelayCheckpointStore(config: ServiceConfig): CheckpointStore {
  if (config.eventStore === 'memory') return new InMemoryCheckpointStore();
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteCheckpointStore(join(config.dataDir, 'bus.db'), { durability: 'NORMAL' });
}

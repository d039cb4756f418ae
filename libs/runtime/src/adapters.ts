import {
  type CheckpointStore,
  EmbeddedMessageBus,
  InMemoryCheckpointStore,
  KafkaMessageBus,
  type MessageBus,
  InMemoryProcessedEventLog,
  type ProcessedEventLog,
  ReadStoreCheckpointStore,
  ReadStoreProcessedEventLog,
  SqliteCheckpointStore,
  SqliteProcessedEventLog,
} from '@crm/bus';
import { type EventStore, InMemoryEventStore, KurrentDbEventStore, SqliteEventStore } from '@crm/eventstore';
import type { ServiceConfig } from '@crm/platform';
import { createInMemoryReadStore, EmbeddedReadStore, MongoReadStore, type ReadStore } from '@crm/readstore';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Adapters are chosen by configuration; the service code above them is the same either way. */
export function createEventStore(config: ServiceConfig): EventStore {
  switch (config.eventStore) {
    case 'memory':
      return new InMemoryEventStore();
    case 'kurrentdb':
      return new KurrentDbEventStore({ connectionString: config.kurrentDbUrl });
    case 'sqlite':
      mkdirSync(config.serviceDataDir, { recursive: true });
      return new SqliteEventStore(join(config.serviceDataDir, 'events.db'));
  }
}

export function createReadStore(config: ServiceConfig): ReadStore {
  switch (config.readStore) {
    case 'memory':
      return createInMemoryReadStore();
    case 'mongodb':
      return new MongoReadStore({ url: config.mongoDbUrl, database: config.mongoDbDatabase });
    case 'embedded':
      mkdirSync(config.serviceDataDir, { recursive: true });
      return new EmbeddedReadStore(join(config.serviceDataDir, 'read-models.db'));
  }
}

/**
 * The embedded bus is one SQLite file shared by every service under DATA_DIR. It holds only messages
 * derived from the services' event logs (fsynced on every commit), so it runs with synchronous=NORMAL.
 */
export function createMessageBus(config: ServiceConfig): MessageBus {
  if (config.bus === 'kafka') return new KafkaMessageBus({ brokers: config.kafkaBrokers, clientId: `crm-${config.serviceName}` });
  mkdirSync(config.dataDir, { recursive: true });
  return new EmbeddedMessageBus({ path: join(config.dataDir, 'bus.db'), durability: 'NORMAL' });
}

/**
 * With the embedded bus the relay's checkpoint lives in the bus file itself: WAL order then keeps it
 * behind what was published. With Kafka it lives in the service's read store, the durable place the
 * service owns even without a local disk.
 */
export function createRelayCheckpointStore(config: ServiceConfig, readStore: ReadStore): CheckpointStore {
  if (config.bus === 'kafka') return new ReadStoreCheckpointStore(readStore);
  if (config.eventStore === 'memory') return new InMemoryCheckpointStore();
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteCheckpointStore(join(config.dataDir, 'bus.db'), { durability: 'NORMAL' });
}

/**
 * The ids of the integration events a service has consumed live next to its read models: in the
 * service's own SQLite file on the embedded setup, in its read-store database otherwise.
 */
export function createProcessedEventLog(config: ServiceConfig, readStore: ReadStore): ProcessedEventLog & { close?(): void } {
  if (config.readStore === 'mongodb') return new ReadStoreProcessedEventLog(readStore);
  if (config.readStore === 'memory') return new InMemoryProcessedEventLog();
  mkdirSync(config.serviceDataDir, { recursive: true });
  return new SqliteProcessedEventLog(join(config.serviceDataDir, 'consumed-events.db'));
}

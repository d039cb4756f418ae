export * from './event-store.port';
export * from './in-memory-event-store';
export * from './sqlite-event-store';
export { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb-event-store';
export type { KurrentDbClient, KurrentDbSubscriptionStream } from './kurrentdb-client';
export type { EventStoreLogger } from './kurrentdb-subscription';
export { kurrentEventIdOf } from './kurrentdb-mapping';
export { backoffDelay, type BackoffOptions } from './backoff';

export * from './message-bus.port';
export * from './embedded-bus';
export * from './idempotent-consumer';
export * from './checkpoint-store';
export * from './relay';
export type { BackoffOptions } from './backoff';
export * from './logger';
export type { Durability } from './sqlite';

import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../event-store.port';

/** A new event with complete metadata, for tests and benchmarks of anything that stores events. */
export function newTestEvent(overrides: { type?: string; data?: unknown; occurredAt?: string } = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type: overrides.type ?? 'SomethingHappened',
    data: overrides.data ?? { value: Math.random() },
    metadata: {
      tenantId: 'tenant-1',
      actorId: 'user-1',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      occurredAt: overrides.occurredAt ?? new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}

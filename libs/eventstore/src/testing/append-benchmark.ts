import { randomUUID } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { EventStore, ExpectedRevision } from '../event-store.port';

export interface ConcurrentAppendsSettings {
  /** How many appenders run at once, each appending one event at a time to its own stream. */
  appenders: number;
  durationMs: number;
  /**
   * `time-ordered` (default): monotonic ULIDs, as the services generate them; the event-id index
   * then grows at one end. `random`: UUIDv4, the worst case, where every id lands on its own index page.
   */
  eventIds?: 'time-ordered' | 'random';
}

/**
 * Appends single events from `appenders` concurrent loops for `durationMs` and returns the
 * acknowledged events per second. Each loop sends the exact expected revision, as a command
 * handler would, so the figure includes the optimistic-concurrency check.
 */
export async function measureConcurrentAppends(store: EventStore, settings: ConcurrentAppendsSettings): Promise<number> {
  const runId = randomUUID();
  const nextEventId = settings.eventIds === 'random' ? randomUUID : monotonicFactory();
  const startedAt = performance.now();
  const deadline = startedAt + settings.durationMs;
  let acknowledged = 0;

  const appendUntilDeadline = async (appender: number) => {
    const streamName = `bench-${runId}-${appender}`;
    let expectedRevision: ExpectedRevision = 'no_stream';
    for (let sequence = 0; performance.now() < deadline; sequence++) {
      const result = await store.append(
        streamName,
        [
          {
            eventId: nextEventId(),
            type: 'BenchmarkEventAppended',
            data: { appender, sequence },
            metadata: {
              tenantId: 'bench',
              actorId: 'bench',
              correlationId: runId,
              causationId: runId,
              occurredAt: new Date().toISOString(),
              schemaVersion: 1,
            },
          },
        ],
        expectedRevision,
      );
      expectedRevision = result.nextExpectedRevision;
      acknowledged++;
    }
  };

  await Promise.all(Array.from({ length: settings.appenders }, (_, appender) => appendUntilDeadline(appender)));
  return acknowledged / ((performance.now() - startedAt) / 1000);
}

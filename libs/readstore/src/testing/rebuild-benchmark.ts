import type { EventStore, NewEvent, RecordedEvent } from '@crm/eventstore';
import { applyOnce, type Projection, ProjectionRunner, type ProjectionRunnerOptions } from '../projection';
import type { Document, ReadStore } from '../read-store.port';

export interface RebuildMeasurement {
  events: number;
  durationMs: number;
  eventsPerSecond: number;
}

/**
 * Rebuilds `projection` from the whole log of `eventStore` into `readStore` (dropping its collections
 * first) and returns the replay rate. The runner is stopped afterwards.
 */
export async function measureProjectionRebuild(
  eventStore: EventStore,
  readStore: ReadStore,
  projection: Projection,
  options: ProjectionRunnerOptions = {},
): Promise<RebuildMeasurement> {
  const runner = new ProjectionRunner(eventStore, readStore, projection, { logger: () => undefined, ...options });
  try {
    const { events, durationMs } = await runner.rebuild();
    return { events, durationMs, eventsPerSecond: events / (durationMs / 1000) };
  } finally {
    await runner.stop();
  }
}

/** Appends `streams × eventsPerStream` small events, `eventsPerStream` per append, for a benchmark log. */
export async function appendBenchmarkEvents(
  eventStore: EventStore,
  { streams, eventsPerStream, streamPrefix = 'counter-' }: { streams: number; eventsPerStream: number; streamPrefix?: string },
): Promise<void> {
  const runId = Math.random().toString(36).slice(2);
  for (let stream = 0; stream < streams; stream++) {
    const events: NewEvent[] = Array.from({ length: eventsPerStream }, (_, sequence) => ({
      eventId: `${runId}-${stream}-${sequence}`,
      type: 'CounterIncremented',
      data: { by: 1 + (sequence % 3) },
      metadata: {
        tenantId: 'bench',
        actorId: 'bench',
        correlationId: runId,
        causationId: runId,
        occurredAt: new Date(Date.UTC(2026, 0, 1) + sequence * 1000).toISOString(),
        schemaVersion: 1,
      },
    }));
    await eventStore.append(`${streamPrefix}${stream}`, events, 'any');
  }
}

export interface CounterDocument extends Document {
  total: number;
  events: number;
  lastEventId: string;
  _position: number;
}

/**
 * A simple projection for benchmarks and tests: one document per stream counting its events.
 * `apply` is the guarded single-document update; `applyBatch` folds a batch in memory and writes
 * each touched document once.
 */
export function counterProjection(name = 'counters.v1', collection = 'counters', streamPrefix = 'counter-'): Projection {
  return {
    name,
    filter: { streamNamePrefixes: [streamPrefix] },
    indexes: { [collection]: [{ keys: { total: -1 } }] },
    async apply(event, store) {
      await applyOnce(store.collection<CounterDocument>(collection), event.streamName, event.position, {
        $inc: { total: amountOf(event), events: 1 },
        $set: { lastEventId: event.eventId },
      });
    },
    async applyBatch(events, store) {
      const counters = store.collection<CounterDocument>(collection);
      const touched = new Map<string, CounterDocument>();
      for (const document of await counters.find({ _id: { $in: [...new Set(events.map((event) => event.streamName))] } })) {
        touched.set(document._id, document);
      }
      const changed = new Set<string>();
      for (const event of events) {
        const current = touched.get(event.streamName);
        if (current && current._position >= event.position) continue; // applied before the last checkpoint
        touched.set(event.streamName, {
          _id: event.streamName,
          total: (current?.total ?? 0) + amountOf(event),
          events: (current?.events ?? 0) + 1,
          lastEventId: event.eventId,
          _position: event.position,
        });
        changed.add(event.streamName);
      }
      await counters.bulkWrite(
        [...changed].map((id) => ({ replaceOne: { filter: { _id: id }, replacement: touched.get(id)!, upsert: true } })),
      );
    },
  };
}

function amountOf(event: RecordedEvent): number {
  return (event.data as { by?: number } | null)?.by ?? 1;
}

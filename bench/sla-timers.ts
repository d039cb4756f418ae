import { type CommandContext, newEventId } from '@crm/decider';
import { type NewEvent, type RecordedEvent, SqliteEventStore } from '@crm/eventstore';
import { EmbeddedReadStore } from '@crm/readstore';
import { DurableTimerScheduler, ProjectionHost } from '@crm/runtime';
import { eventually } from '@crm/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_CONTRACT_TIERS } from '../services/service/src/application/sla-contract-tiers';
import { ticketStream } from '../services/service/src/domain/streams';
import { SlaEngine } from '../services/service/src/infrastructure/sla-engine';

export interface SlaTimerBenchOptions {
  tickets: number;
  /** How long after each ticket's opening its warning falls due; by default enough to open every ticket and start its clock first. */
  leadMs?: number;
  /** The warnings fall due spread over this window. Default 1 s. */
  windowMs?: number;
  log?: (line: string) => void;
}

export interface SlaTimerBenchResult {
  timers: number;
  p50DelayMs: number;
  p99DelayMs: number;
  maxDelayMs: number;
}

const TENANT = 'bench-sla';
const ALL_WEEK = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({ day, from: '00:00', to: '24:00' }));
/** The warning at a tenth of the target keeps the breaches far outside the measured window. */
const WARNING_AT = 0.1;

/**
 * SLA timer accuracy under load, on the embedded setup in one process (SQLite event store, SQLite read
 * store, the SLA projection and the durable-timer scheduler as the service runs them): opens `tickets`
 * tickets whose first-response warnings all fall due within `windowMs`, and measures each warning's fire
 * delay, `SlaWarningIssued`'s time minus the instant the warning was due.
 */
export async function benchSlaTimers(options: SlaTimerBenchOptions): Promise<SlaTimerBenchResult> {
  const { tickets } = options;
  const windowMs = options.windowMs ?? 1_000;
  const leadMs = options.leadMs ?? 5_000 + tickets * 12;
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-sla-'));
  const eventStore = new SqliteEventStore(join(dir, 'events.db'));
  const readStore = new EmbeddedReadStore(join(dir, 'read-models.db'));
  const host = new ProjectionHost(eventStore, readStore);
  const scheduler = new DurableTimerScheduler(readStore);
  const engine = new SlaEngine(eventStore, readStore, NO_CONTRACT_TIERS, {
    changePriority: async () => undefined,
    assign: async () => undefined,
  });
  try {
    host.add(engine.projection);
    engine.registerTimers(scheduler);
    await host.start();
    await scheduler.start();

    const admin: CommandContext = { tenantId: TENANT, actorId: 'bench', correlationId: 'bench', causationId: 'bench' };
    const calendar = await engine.calendars.create(admin, { name: '24/7', timeZone: 'UTC', workingHours: [...ALL_WEEK] });
    const targetMinutes = leadMs / WARNING_AT / 60_000;
    await engine.policies.create(admin, { name: 'Bench', calendarId: calendar.view.id, targets: { normal: { firstResponseMinutes: targetMinutes, resolutionMinutes: targetMinutes * 10 } }, warningAt: WARNING_AT });
    await host.waitForPosition(await eventStore.headPosition(), 10_000);

    // What the engine announces, collected as it is written (no polling that would compete with the scheduler).
    const started = new Set<string>();
    const warnings: RecordedEvent[] = [];
    const subscription = eventStore.subscribeToAll({
      afterPosition: await eventStore.headPosition(),
      filter: { eventTypes: ['SlaClockStarted', 'SlaWarningIssued'] },
      onEvent: (event) => {
        if (event.type === 'SlaClockStarted') started.add(event.streamName);
        else warnings.push(event);
      },
    });

    // Each ticket "opens" at its own instant, so that the warnings are due spread evenly over the window.
    const base = Date.now();
    const openedAt = (index: number) => new Date(base + Math.floor((index * windowMs) / tickets)).toISOString();
    const opening = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < tickets) {
          const index = next++;
          const ticketId = `T${String(index).padStart(8, '0')}`;
          const event: NewEvent = {
            eventId: newEventId(),
            type: 'TicketOpened',
            data: { ticketId, channel: 'api', subject: `Bench ${index}`, priority: 'normal', category: null, queueId: null, requesterContactId: null, companyId: null, tags: [] },
            metadata: { tenantId: TENANT, actorId: 'bench', correlationId: 'bench', causationId: 'bench', occurredAt: openedAt(index), schemaVersion: 1 },
          };
          await eventStore.append(ticketStream(TENANT, ticketId), [event], 'no_stream');
        }
      }),
    );
    log(`  opened ${tickets.toLocaleString('en')} tickets in ${Math.round(performance.now() - opening)} ms; warnings due ${leadMs} ms after each opening, over ${windowMs} ms`);
    const firstDue = base + leadMs;
    await eventually(() => started.size === tickets || Date.now() > firstDue, { timeoutMs: leadMs + 60_000, intervalMs: 50, description: 'every clock to start' });
    const startedBeforeDue = started.size === tickets && Date.now() <= firstDue;
    log(`  ${startedBeforeDue ? 'every clock started' : `${started.size} clocks started`} ${Math.abs(firstDue - Date.now())} ms ${Date.now() <= firstDue ? 'before' : 'after'} the first warning was due`);
    await eventually(() => warnings.length >= tickets, { timeoutMs: leadMs + windowMs + 120_000, intervalMs: 50, description: `${tickets} SLA warnings` });
    await subscription.close();
    const delays = warnings
      .map((event) => Date.parse(event.metadata.occurredAt) - Date.parse((event.data as { warningAt: string }).warningAt))
      .sort((a, b) => a - b);
    const percentile = (p: number) => delays[Math.min(delays.length - 1, Math.ceil((p / 100) * delays.length) - 1)];
    return { timers: delays.length, p50DelayMs: percentile(50), p99DelayMs: percentile(99), maxDelayMs: delays[delays.length - 1] };
  } finally {
    await scheduler.stop();
    await host.stop();
    await readStore.close();
    await eventStore.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

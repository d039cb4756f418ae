import { newRecordId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import type { BulkOperation, Collection, ReadStore } from '@crm/readstore';
import { readSlaClock, SLA_METRICS, type SlaMetric, type SlaOutcome } from '../domain/sla-clock';
import { ticketSlaDecider, type TicketSlaEvent } from '../domain/ticket-sla';
import { ticketSlaStream, ticketStream } from '../domain/streams';
import { ticketFactsFrom } from './sla.service';
import type { SlaPolicyCatalog } from './sla-policy-catalog';
import {
  type RecomputedOutcomeDocument,
  SLA_RECOMPUTED_COLLECTION,
  SLA_RECOMPUTED_INDEXES,
  SLA_TICKETS_COLLECTION,
  slaDocumentId,
  type TicketSlaDocument,
} from './sla-read-models';

/** Most tickets one recompute call takes; the summary says when the window held more (narrow it and call again). */
export const MAX_RECOMPUTED_TICKETS = 10_000;

export interface RecomputeSummary {
  runId: string;
  from: string;
  to: string | null;
  recomputedAt: string;
  tickets: number;
  changed: number;
  truncated: boolean;
  outcomes: Record<SlaMetric, Record<SlaOutcome, number>>;
}

export type RecomputedOutcomeView = Omit<RecomputedOutcomeDocument, '_id' | '_position' | 'tenantId'>;

const emptyCounts = (): Record<SlaOutcome, number> => ({ none: 0, in_progress: 0, met: 0, breached: 0 });
const minutes = (ms: number) => Math.round((ms / 60_000) * 1000) / 1000;

/**
 * Recomputes past tickets' SLA outcomes from their events with today's calendars and policies, as if the
 * tickets happened again: the same ticket events, the policies chosen anew at each trigger. Nothing is
 * appended to any stream; the results go to their own read model, next to what the live clock recorded.
 */
export class SlaRecomputeService {
  private indexed = false;

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    private readonly catalog: SlaPolicyCatalog,
    private readonly newId: () => string = newRecordId,
  ) {}

  private get results(): Collection<RecomputedOutcomeDocument> {
    return this.readStore.collection<RecomputedOutcomeDocument>(SLA_RECOMPUTED_COLLECTION);
  }

  async recompute(tenantId: string, window: { from: string; to?: string }, now: Date): Promise<RecomputeSummary> {
    await this.ensureIndexes();
    const openedAt: Record<string, string> = { $gte: window.from };
    if (window.to) openedAt.$lt = window.to;
    const tickets = await this.readStore
      .collection<TicketSlaDocument>(SLA_TICKETS_COLLECTION)
      .find({ tenantId, openedAt }, { sort: { openedAt: 1 }, limit: MAX_RECOMPUTED_TICKETS + 1, projection: { ticketId: 1, openedAt: 1 } });
    const truncated = tickets.length > MAX_RECOMPUTED_TICKETS;
    const catalog = await this.catalog.snapshot(tenantId);
    const recomputedAt = now.toISOString();
    const summary: RecomputeSummary = {
      runId: this.newId(),
      from: window.from,
      to: window.to ?? null,
      recomputedAt,
      tickets: 0,
      changed: 0,
      truncated,
      outcomes: { first_response: emptyCounts(), resolution: emptyCounts() },
    };
    const writes: BulkOperation<RecomputedOutcomeDocument>[] = [];
    for (const { ticketId } of tickets.slice(0, MAX_RECOMPUTED_TICKETS)) {
      const [ticketEvents, slaEvents] = await Promise.all([this.store.readStream(ticketStream(tenantId, ticketId)), this.store.readStream(ticketSlaStream(tenantId, ticketId))]);
      const facts = ticketFactsFrom(ticketEvents);
      if (facts.length === 0) continue;
      const recordedState = slaEvents.reduce((state, event) => ticketSlaDecider.evolve(state, { type: event.type, data: event.data } as TicketSlaEvent), ticketSlaDecider.initialState());
      const applications = await catalog.applicationsFor(facts);
      const reading = readSlaClock(facts, applications, recomputedAt)!;
      const recordedReading = readSlaClock(facts, recordedState.applications, recomputedAt)!;
      const document: RecomputedOutcomeDocument = {
        _id: slaDocumentId(tenantId, ticketId),
        tenantId,
        ticketId,
        openedAt: facts[0].at,
        runId: summary.runId,
        recomputedAt,
        policy: reading.application?.policy ?? null,
        calendar: reading.application?.calendar ? { id: reading.application.calendar.id, name: reading.application.calendar.name, revision: reading.application.calendar.revision } : null,
        metrics: {} as RecomputedOutcomeDocument['metrics'],
        recorded: {} as RecomputedOutcomeDocument['recorded'],
        changed: false,
      };
      for (const metric of SLA_METRICS) {
        const now = reading.metrics[metric];
        const then = recordedReading.metrics[metric];
        const breachAt = now.outcome === 'breached' ? now.breachAt : null;
        const recordedBreachAt = then.outcome === 'breached' ? then.breachAt : null;
        document.metrics[metric] = { outcome: now.outcome, targetMinutes: now.targetMinutes, elapsedMinutes: minutes(now.elapsedMs), breachAt };
        document.recorded[metric] = { outcome: then.outcome, breachAt: recordedBreachAt };
        if (now.outcome !== then.outcome || breachAt !== recordedBreachAt) document.changed = true;
        summary.outcomes[metric][now.outcome]++;
      }
      summary.tickets++;
      if (document.changed) summary.changed++;
      writes.push({ replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } });
      if (writes.length >= 500) await this.results.bulkWrite(writes.splice(0));
    }
    if (writes.length > 0) await this.results.bulkWrite(writes);
    return summary;
  }

  async list(tenantId: string, query: { changed?: boolean; limit?: number; cursor?: string }): Promise<{ items: RecomputedOutcomeView[]; nextCursor: string | null }> {
    await this.ensureIndexes();
    const filter = query.changed === undefined ? { tenantId } : { tenantId, changed: query.changed };
    const page = await this.results.findPage(filter, { sort: { openedAt: 1 }, limit: query.limit ?? 50, cursor: query.cursor });
    return { items: page.items.map(({ _id, _position, tenantId: _tenant, ...view }) => view), nextCursor: page.nextCursor };
  }

  private async ensureIndexes(): Promise<void> {
    if (this.indexed) return;
    await this.results.createIndexes(SLA_RECOMPUTED_INDEXES);
    this.indexed = true;
  }
}

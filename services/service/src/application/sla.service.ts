import { type CommandContext, DomainError, EventSourcedCommandHandler } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import type { ReadStore } from '@crm/readstore';
import {
  isTriggerFact,
  readSlaClock,
  SLA_METRICS,
  type SlaApplication,
  type SlaMetric,
  type SlaMetricReading,
  type TicketFact,
  ticketFactsOf,
} from '../domain/sla-clock';
import { type TicketSlaCommand, ticketSlaDecider, type TicketSlaEvent, type TicketSlaState } from '../domain/ticket-sla';
import { ticketSlaStream, ticketStream } from '../domain/streams';
import type { SlaPolicyCatalog } from './sla-policy-catalog';
import { SLA_TICKETS_COLLECTION, type TicketSlaDocument } from './sla-read-models';

export const SLA_ACTOR = 'system:sla';

/** The context of commands the SLA engine runs on its own (timers, escalations). */
export function slaSystemContext(tenantId: string, ticketId: string, causationId: string, now: Date): CommandContext {
  return { tenantId, actorId: SLA_ACTOR, correlationId: `sla-${ticketId}`, causationId, now: () => now };
}

export const ticketFactsFrom = (events: RecordedEvent[]): TicketFact[] =>
  ticketFactsOf(events.map((event) => ({ type: event.type, data: event.data, revision: event.revision, occurredAt: event.metadata.occurredAt })));

const minutes = (ms: number | null): number | null => (ms === null ? null : Math.round((ms / 60_000) * 1000) / 1000);

export interface MetricExplanation {
  state: SlaMetricReading['state'];
  outcome: SlaMetricReading['outcome'];
  targetMinutes: number | null;
  elapsedBusinessMinutes: number;
  remainingBusinessMinutes: number | null;
  /** When the warning share of the target was (or, running, will be) reached. */
  warningAt: string | null;
  /** When the target was (or, running, will be) exceeded. */
  breachAt: string | null;
  stoppedAt: string | null;
  warningsIssued: { issuedAt: string; warningAt: string; targetMinutes: number | null }[];
  breached: { issuedAt: string; targetAt: string } | null;
  met: { issuedAt: string; stoppedAt: string } | null;
  countedIntervals: SlaMetricReading['countedIntervals'];
  pauses: SlaMetricReading['pauses'];
}

type AppliedPolicy = Omit<SlaApplication, 'calendar'> & { calendar: { id: string; name: string; revision: number; timeZone: string } | null };

export interface TicketSlaExplanation {
  ticketId: string;
  computedAt: string;
  /** False until the engine has chosen the ticket's first policy (a moment after it opened). */
  started: boolean;
  ticket: { openedAt: string; status: string; priority: string; category: string | null; queueId: string | null; assigneeId: string | null; firstAgentReplyAt: string | null };
  policy: { id: string; name: string; revision: number } | null;
  /** The calendar in effect, with the hours and holidays the clock counted on. */
  calendar: SlaApplication['calendar'];
  applications: AppliedPolicy[];
  metrics: Record<SlaMetric, MetricExplanation>;
  events: { revision: number; type: string; occurredAt: string; metric: SlaMetric | null }[];
}

export interface SlaStatusView {
  ticketId: string;
  openedAt: string;
  status: string;
  priority: string;
  policyId: string | null;
  queueId: string | null;
  assigneeId: string | null;
  metrics: TicketSlaDocument['metrics'];
  updatedAt: string;
}

/**
 * Runs a ticket's SLA clock: chooses policies for the ticket events that call for it, announces what is
 * due (warnings, breaches, targets met), and explains the clock. The ticket stream is read, never written.
 */
export class SlaService {
  readonly slas: EventSourcedCommandHandler<TicketSlaCommand, TicketSlaState, TicketSlaEvent>;

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    private readonly catalog: SlaPolicyCatalog,
  ) {
    this.slas = new EventSourcedCommandHandler(store, ticketSlaDecider);
  }

  async ticketFacts(tenantId: string, ticketId: string): Promise<TicketFact[]> {
    return ticketFactsFrom(await this.store.readStream(ticketStream(tenantId, ticketId)));
  }

  /**
   * Brings a ticket's SLA stream up to date at `now`: a policy for every trigger not handled yet, then the
   * announcements due. Safe to call any number of times: the decider ignores what it already recorded.
   */
  async synchronise(tenantId: string, ticketId: string, now: Date, causationId = `sla-sync-${ticketId}`): Promise<void> {
    const facts = await this.ticketFacts(tenantId, ticketId);
    if (facts.length === 0) return;
    const streamName = ticketSlaStream(tenantId, ticketId);
    const context = slaSystemContext(tenantId, ticketId, causationId, now);
    const { state } = await this.slas.load(streamName);
    const triggers = facts.filter((fact) => isTriggerFact(fact) && fact.revision > state.lastTriggerRevision);
    if (triggers.length > 0) {
      const catalog = await this.catalog.snapshot(tenantId);
      for (const trigger of triggers) {
        await this.slas.handle(streamName, { type: 'ApplySlaPolicy', ticketId, application: await catalog.applicationFor(facts, trigger) }, context);
      }
    }
    const rules = await this.catalog.escalationRules(tenantId);
    await this.slas.handle(streamName, { type: 'EvaluateSla', ticketId, now: now.toISOString(), facts, rules }, context);
  }

  async explain(tenantId: string, ticketId: string, now: Date): Promise<TicketSlaExplanation> {
    const [facts, slaEvents] = await Promise.all([this.ticketFacts(tenantId, ticketId), this.store.readStream(ticketSlaStream(tenantId, ticketId))]);
    if (facts.length === 0) throw new DomainError('not_found', 'Ticket not found');
    const state = slaEvents.reduce((current, event) => ticketSlaDecider.evolve(current, { type: event.type, data: event.data } as TicketSlaEvent), ticketSlaDecider.initialState());
    const computedAt = now.toISOString();
    const reading = readSlaClock(facts, state.applications, computedAt)!;
    const current = reading.application;
    const metrics = {} as Record<SlaMetric, MetricExplanation>;
    for (const metric of SLA_METRICS) metrics[metric] = explainMetric(reading.metrics[metric], slaEvents.filter((event) => (event.data as { metric?: string }).metric === metric));
    return {
      ticketId,
      computedAt,
      started: state.applications.length > 0,
      ticket: {
        openedAt: reading.ticket.openedAt,
        status: reading.ticket.status,
        priority: reading.ticket.priority,
        category: reading.ticket.category,
        queueId: reading.ticket.queueId,
        assigneeId: reading.ticket.assigneeId,
        firstAgentReplyAt: reading.ticket.firstAgentReplyAt,
      },
      policy: current?.policy ?? null,
      calendar: current?.calendar ?? null,
      applications: state.applications.map(({ calendar, ...application }) => ({
        ...application,
        calendar: calendar ? { id: calendar.id, name: calendar.name, revision: calendar.revision, timeZone: calendar.timeZone } : null,
      })),
      metrics,
      events: slaEvents.map((event) => ({
        revision: event.revision,
        type: event.type,
        occurredAt: event.metadata.occurredAt,
        metric: (event.data as { metric?: SlaMetric }).metric ?? (event.data as { trigger?: { metric: SlaMetric } }).trigger?.metric ?? null,
      })),
    };
  }

  /** The live SLA status of tickets opened in a window, as recorded by the clock's events. */
  async statuses(tenantId: string, query: { limit?: number; cursor?: string; from?: string; to?: string }): Promise<{ items: SlaStatusView[]; nextCursor: string | null }> {
    const openedAt: Record<string, string> = {};
    if (query.from) openedAt.$gte = query.from;
    if (query.to) openedAt.$lt = query.to;
    const page = await this.readStore
      .collection<TicketSlaDocument>(SLA_TICKETS_COLLECTION)
      .findPage({ tenantId, ...(query.from || query.to ? { openedAt } : {}) }, { sort: { openedAt: 1 }, limit: query.limit ?? 50, cursor: query.cursor });
    return {
      items: page.items.map((document) => ({
        ticketId: document.ticketId,
        openedAt: document.openedAt,
        status: document.status,
        priority: document.priority,
        policyId: document.policyId,
        queueId: document.queueId,
        assigneeId: document.assigneeId,
        metrics: document.metrics,
        updatedAt: document.updatedAt,
      })),
      nextCursor: page.nextCursor,
    };
  }
}

function explainMetric(reading: SlaMetricReading, events: RecordedEvent[]): MetricExplanation {
  const issued = (type: string) => events.filter((event) => event.type === type);
  const breach = issued('SlaBreached')[0];
  const met = issued('SlaTargetMet')[0];
  return {
    state: reading.state,
    outcome: reading.outcome,
    targetMinutes: reading.targetMinutes,
    elapsedBusinessMinutes: minutes(reading.elapsedMs) as number,
    remainingBusinessMinutes: minutes(reading.remainingMs),
    warningAt: reading.warningAt,
    breachAt: reading.breachAt,
    stoppedAt: reading.stoppedAt,
    warningsIssued: issued('SlaWarningIssued').map((event) => {
      const data = event.data as { warningAt: string; targetMinutes: number | null };
      return { issuedAt: event.metadata.occurredAt, warningAt: data.warningAt, targetMinutes: data.targetMinutes };
    }),
    breached: breach ? { issuedAt: breach.metadata.occurredAt, targetAt: (breach.data as { targetAt: string }).targetAt } : null,
    met: met ? { issuedAt: met.metadata.occurredAt, stoppedAt: (met.data as { stoppedAt: string }).stoppedAt } : null,
    countedIntervals: reading.countedIntervals,
    pauses: reading.pauses,
  };
}

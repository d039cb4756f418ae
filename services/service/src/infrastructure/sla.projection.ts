import type { RecordedEvent } from '@crm/eventstore';
import { applyOnce, type Projection, type ReadStore } from '@crm/readstore';
import type { DurableTimerSet } from '@crm/runtime';
import {
  type MetricStatus,
  SLA_CALENDARS_COLLECTION,
  SLA_ESCALATION_RULES_COLLECTION,
  SLA_POLICIES_COLLECTION,
  SLA_READ_MODEL_INDEXES,
  SLA_TICKETS_COLLECTION,
  slaDocumentId,
  type TicketSlaDocument,
} from '../application/sla-read-models';
import { BUSINESS_CALENDAR_EVENT_TYPES } from '../domain/business-calendar';
import { ESCALATION_RULE_EVENT_TYPES } from '../domain/escalation-rule';
import { addTicketFact, isTriggerFact, readSlaClock, SLA_METRICS, type SlaClockReading, type SlaMetric, type TicketFact, ticketFactOf } from '../domain/sla-clock';
import { SLA_POLICY_EVENT_TYPES } from '../domain/sla-policy';
import { parseStreamName } from '../domain/streams';
import { hasEscalationWork, TICKET_SLA_EVENT_TYPES, ticketSlaDecider, type TicketSlaEvent, type TicketSlaState } from '../domain/ticket-sla';
import { slaTimerKey, type SlaTimerPayload } from './sla-timers';

export const SLA_PROJECTION = 'service.sla.v1';

const DEFINITIONS: Record<string, { collection: string; types: readonly string[]; idField: string }> = {
  calendar: { collection: SLA_CALENDARS_COLLECTION, types: BUSINESS_CALENDAR_EVENT_TYPES, idField: 'calendarId' },
  slapolicy: { collection: SLA_POLICIES_COLLECTION, types: SLA_POLICY_EVENT_TYPES, idField: 'policyId' },
  escalationrule: { collection: SLA_ESCALATION_RULES_COLLECTION, types: ESCALATION_RULE_EVENT_TYPES, idField: 'ruleId' },
};

/**
 * The SLA projection: lists of calendars, policies and escalation rules; the SLA status of every ticket
 * (folded from the ticket's events and its SLA stream); and the SLA timers those imply. Timers are derived
 * here, from events, so a rebuild re-creates the pending ones and nothing is scheduled outside the log.
 * One projection for all of it: when it schedules a ticket's timers it has seen every policy written before.
 */
export function slaProjection(timers: DurableTimerSet): Projection {
  return {
    name: SLA_PROJECTION,
    indexes: { ...SLA_READ_MODEL_INDEXES, [timers.collectionName]: timers.indexes },
    apply: (event, store) => applySlaEvent(event, store, timers),
  };
}

export async function applySlaEvent(event: RecordedEvent, store: ReadStore, timers: DurableTimerSet): Promise<void> {
  const stream = parseStreamName(event.streamName);
  if (!stream) return;
  const definition = DEFINITIONS[stream.kind];
  if (definition) {
    if (!definition.types.includes(event.type)) return;
    const { [definition.idField]: _id, ...fields } = event.data as Record<string, unknown>;
    await applyOnce(store.collection(definition.collection), slaDocumentId(stream.tenantId, stream.id), event.position, {
      $set: { ...fields, tenantId: stream.tenantId, id: stream.id, revision: event.revision, updatedAt: event.metadata.occurredAt },
      $setOnInsert: { createdAt: event.metadata.occurredAt },
    });
    return;
  }
  if (stream.kind === 'ticket') {
    const fact = ticketFactOf({ type: event.type, data: event.data, revision: event.revision, occurredAt: event.metadata.occurredAt });
    if (fact) await applyTicketChange(event, store, timers, stream.tenantId, stream.id, { fact });
  } else if (stream.kind === 'ticketsla' && (TICKET_SLA_EVENT_TYPES as readonly string[]).includes(event.type)) {
    await applyTicketChange(event, store, timers, stream.tenantId, stream.id, { slaEvent: { type: event.type, data: event.data } as TicketSlaEvent });
  }
}

async function applyTicketChange(
  event: RecordedEvent,
  store: ReadStore,
  timers: DurableTimerSet,
  tenantId: string,
  ticketId: string,
  change: { fact?: TicketFact; slaEvent?: TicketSlaEvent },
): Promise<void> {
  const collection = store.collection<TicketSlaDocument>(SLA_TICKETS_COLLECTION);
  const _id = slaDocumentId(tenantId, ticketId);
  const existing = await collection.findOne({ _id });
  if (existing && (existing._position as number) >= event.position) return;
  const facts = change.fact ? addTicketFact(existing?.facts ?? [], change.fact) : (existing?.facts ?? []);
  const sla = change.slaEvent ? ticketSlaDecider.evolve(existing?.sla ?? ticketSlaDecider.initialState(), change.slaEvent) : (existing?.sla ?? ticketSlaDecider.initialState());
  if (facts.length === 0) return; // not a ticket (yet): nothing to time

  // "Now" for this fold is the latest instant the facts know of: events are in log order, not decision order.
  const now = [event.metadata.occurredAt, facts[facts.length - 1].at, ...sla.applications.map((application) => application.effectiveAt)].reduce((a, b) => (a > b ? a : b));
  const reading = readSlaClock(facts, sla.applications, now)!;
  const wanted = wantedTimers(facts, sla, reading, now);
  const scheduled = existing?.timers ?? {};
  for (const [name, dueAt] of Object.entries(wanted)) {
    if (scheduled[name] === dueAt) continue;
    const payload: SlaTimerPayload = { ticketId, timer: name as SlaTimerPayload['timer'] };
    await timers.schedule(store, { key: slaTimerKey(tenantId, ticketId, name), tenantId, dueAt, payload: { ...payload } }, event.position);
  }
  for (const name of Object.keys(scheduled)) {
    if (!(name in wanted)) await timers.cancel(store, slaTimerKey(tenantId, ticketId, name), event.position);
  }

  const metrics = {} as Record<SlaMetric, MetricStatus>;
  for (const metric of SLA_METRICS) metrics[metric] = metricStatus(reading, sla, metric);
  await applyOnce(collection, _id, event.position, {
    $set: {
      tenantId,
      ticketId,
      openedAt: facts[0].at,
      facts,
      sla,
      timers: wanted,
      status: reading.ticket.status,
      priority: reading.ticket.priority,
      queueId: reading.ticket.queueId,
      assigneeId: reading.ticket.assigneeId,
      policyId: reading.application?.policy?.id ?? null,
      metrics,
      updatedAt: event.metadata.occurredAt,
    },
  });
}

/** The timers a ticket needs now, by name, with their due instants. */
function wantedTimers(facts: TicketFact[], sla: TicketSlaState, reading: SlaClockReading, now: string): Record<string, string> {
  const wanted: Record<string, string> = {};
  if (facts.some((fact) => isTriggerFact(fact) && fact.revision > sla.lastTriggerRevision)) wanted.sync = now;
  if (sla.applications.length > 0) {
    for (const metric of SLA_METRICS) {
      const clock = reading.metrics[metric];
      const record = sla.metrics[metric];
      if (clock.targetMinutes === null || record.breachedAt !== null) continue;
      if (clock.breachAt) wanted[`${metric}:breach`] = clock.breachAt;
      if (clock.state === 'stopped') {
        if (clock.outcome === 'met' && record.metAt === null) wanted.sync = now;
        continue;
      }
      if (clock.warningAt && !record.warnedTargets.includes(clock.targetMinutes) && (!clock.breachAt || clock.warningAt < clock.breachAt)) {
        wanted[`${metric}:warning`] = clock.warningAt;
      }
    }
  }
  if (hasEscalationWork(sla)) wanted.escalate = now;
  return wanted;
}

/** A metric as announced so far: breached and met come from the SLA events, not from the clock's reading. */
function metricStatus(reading: SlaClockReading, sla: TicketSlaState, metric: SlaMetric): MetricStatus {
  const clock = reading.metrics[metric];
  const record = sla.metrics[metric];
  const outcome = record.breachedAt !== null ? 'breached' : clock.state === 'no_target' ? 'none' : clock.state === 'stopped' && record.metAt !== null ? 'met' : 'in_progress';
  return {
    state: clock.state,
    outcome,
    targetMinutes: clock.targetMinutes,
    warningAt: clock.warningAt,
    breachAt: clock.breachAt,
    warned: record.warnedTargets.length > 0,
    breachedAt: record.breachedAt,
    metAt: record.metAt,
  };
}

import type { Document, IndexSpec } from '@crm/readstore';
import type { BusinessCalendarFields } from '../domain/business-calendar';
import type { EscalationRuleFields } from '../domain/escalation-rule';
import type { SlaMetric, SlaMetricState, SlaOutcome, SlaPriority, SlaTicketStatus, TicketFact } from '../domain/sla-clock';
import type { SlaPolicyFields } from '../domain/sla-policy';
import type { TicketSlaState } from '../domain/ticket-sla';

/** Read models of the SLA feature, all kept by the one SLA projection (infrastructure/sla.projection.ts). */
export const SLA_CALENDARS_COLLECTION = 'sla_business_calendars_v1';
export const SLA_POLICIES_COLLECTION = 'sla_policies_v1';
export const SLA_ESCALATION_RULES_COLLECTION = 'sla_escalation_rules_v1';
export const SLA_TICKETS_COLLECTION = 'sla_ticket_status_v1';
/** Written by `POST /sla/recompute`, not by the projection: what-if outcomes with today's calendars and policies. */
export const SLA_RECOMPUTED_COLLECTION = 'sla_recomputed_outcomes';

export const slaDocumentId = (tenantId: string, id: string): string => `${tenantId}:${id}`;

interface Versioned {
  tenantId: string;
  id: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export type CalendarDocument = Document & Versioned & BusinessCalendarFields;
export type PolicyDocument = Document & Versioned & SlaPolicyFields;
export type EscalationRuleDocument = Document & Versioned & EscalationRuleFields;

/** One metric of a ticket as the SLA status read model shows it (what has been announced, and what is due next). */
export interface MetricStatus {
  state: SlaMetricState;
  outcome: SlaOutcome;
  targetMinutes: number | null;
  warningAt: string | null;
  breachAt: string | null;
  warned: boolean;
  breachedAt: string | null;
  metAt: string | null;
}

export interface TicketSlaDocument extends Document {
  tenantId: string;
  ticketId: string;
  openedAt: string;
  /** The ticket facts the clock needs, folded from the ticket stream. */
  facts: TicketFact[];
  /** The ticket's SLA stream folded with the decider's own `evolve`. */
  sla: TicketSlaState;
  /** Timers this projection has scheduled, by name (`sync`, `<metric>:warning`…), with their due instants. */
  timers: Record<string, string>;
  status: SlaTicketStatus;
  priority: SlaPriority;
  queueId: string | null;
  assigneeId: string | null;
  policyId: string | null;
  metrics: Record<SlaMetric, MetricStatus>;
  updatedAt: string;
}

export interface RecomputedMetric {
  outcome: SlaOutcome;
  targetMinutes: number | null;
  elapsedMinutes: number;
  breachAt: string | null;
}

export interface RecomputedOutcomeDocument extends Document {
  tenantId: string;
  ticketId: string;
  openedAt: string;
  runId: string;
  recomputedAt: string;
  policy: { id: string; name: string; revision: number } | null;
  calendar: { id: string; name: string; revision: number } | null;
  metrics: Record<SlaMetric, RecomputedMetric>;
  /** The outcome recorded by the live clock (its events), for comparison. */
  recorded: Record<SlaMetric, { outcome: SlaOutcome; breachAt: string | null }>;
  changed: boolean;
}

export const SLA_READ_MODEL_INDEXES: Record<string, IndexSpec[]> = {
  [SLA_CALENDARS_COLLECTION]: [{ keys: { tenantId: 1, createdAt: 1 } }],
  [SLA_POLICIES_COLLECTION]: [{ keys: { tenantId: 1, rank: 1, createdAt: 1 } }],
  [SLA_ESCALATION_RULES_COLLECTION]: [{ keys: { tenantId: 1, rank: 1, createdAt: 1 } }],
  [SLA_TICKETS_COLLECTION]: [{ keys: { tenantId: 1, openedAt: 1 } }],
};

export const SLA_RECOMPUTED_INDEXES: IndexSpec[] = [{ keys: { tenantId: 1, openedAt: 1 } }, { keys: { tenantId: 1, changed: 1, openedAt: 1 } }];

import type { Decider } from '@crm/decider';
import { type EscalationAction, type EscalationRuleFields, escalationRuleMatches, type EscalationTrigger } from './escalation-rule';
import { readSlaClock, SLA_METRICS, type SlaApplication, type SlaMetric, type SlaPriority, type TicketFact } from './sla-clock';

/** What has been announced for one metric of a ticket, so that a timer delivered again announces nothing. */
export interface SlaMetricRecord {
  /** The targets (minutes) a warning was issued for: a pause moves the instant, not the target, so no second warning. */
  warnedTargets: number[];
  /** The instant the target was exceeded, once `SlaBreached` is recorded; a breach is recorded once per metric. */
  breachedAt: string | null;
  /** When the metric stopped within its target, once `SlaTargetMet` is recorded. */
  metAt: string | null;
}

/** The warning or breach escalation rules reacted to; `key` names it within the ticket. */
export interface EscalationTriggerRef {
  key: string;
  on: EscalationTrigger;
  metric: SlaMetric;
}

export interface PendingEscalationAction {
  key: string;
  ruleId: string;
  metric: SlaMetric;
  actionIndex: number;
  action: Exclude<EscalationAction, { type: 'notify' }>;
}

export interface TicketSlaState {
  ticketId: string | null;
  applications: SlaApplication[];
  /** The ticket revision of the last trigger a policy was chosen for: later triggers still need a choice. */
  lastTriggerRevision: number;
  metrics: Record<SlaMetric, SlaMetricRecord>;
  escalation: {
    /** `<ruleId>:<metric>`: a rule acts at most once per ticket and metric, so escalations cannot cascade. */
    appliedRules: string[];
    /** Ticket actions decided but not yet carried out (notifications need none: they are integration events). */
    pending: PendingEscalationAction[];
  };
}

/** An escalation rule as the evaluation receives it (the tenant's rules, in the order they are tried). */
export interface EscalationRuleCandidate extends EscalationRuleFields {
  id: string;
  revision: number;
}

export interface MatchedEscalationRule {
  ruleId: string;
  ruleRevision: number;
  ruleName: string;
  actions: EscalationAction[];
}

/** The ticket as it was when its rules were evaluated: notifications carry it. */
export interface EscalatedTicket {
  priority: SlaPriority;
  category: string | null;
  queueId: string | null;
  assigneeId: string | null;
}

export type TicketSlaCommand =
  | { type: 'ApplySlaPolicy'; ticketId: string; application: SlaApplication }
  /**
   * Announces what is due at `now` (a timer fired, or the ticket changed); repeated, it announces nothing new.
   * The escalation rules in force are evaluated in the same decision, so a warning or breach and the rules it
   * triggered are recorded together, once.
   */
  | { type: 'EvaluateSla'; ticketId: string; now: string; facts: TicketFact[]; rules: EscalationRuleCandidate[] }
  | { type: 'RecordEscalationAction'; ticketId: string; key: string; outcome: 'applied' | 'skipped'; detail: string | null };

interface SlaAnnouncement {
  ticketId: string;
  metric: SlaMetric;
  targetMinutes: number | null;
  elapsedMinutes: number;
  policyId: string | null;
  priority: SlaPriority;
  queueId: string | null;
  assigneeId: string | null;
}

interface ApplicationData {
  ticketId: string;
  policyId: string | null;
  policyRevision: number | null;
  calendarId: string | null;
  calendarRevision: number | null;
  application: SlaApplication;
}

export type TicketSlaEvent =
  | { type: 'SlaClockStarted'; data: ApplicationData }
  | { type: 'SlaPolicyReapplied'; data: ApplicationData & { previousPolicyId: string | null } }
  | { type: 'SlaWarningIssued'; data: SlaAnnouncement & { warningAt: string; targetAt: string | null } }
  | { type: 'SlaBreached'; data: SlaAnnouncement & { targetAt: string } }
  | { type: 'SlaTargetMet'; data: SlaAnnouncement & { stoppedAt: string } }
  | { type: 'SlaEscalationTriggered'; data: { ticketId: string; trigger: EscalationTriggerRef; ticket: EscalatedTicket; rules: MatchedEscalationRule[] } }
  | {
      type: 'SlaEscalationActionApplied';
      data: { ticketId: string; key: string; ruleId: string; metric: SlaMetric; actionIndex: number; actionType: string; outcome: 'applied' | 'skipped'; detail: string | null };
    };

export type TicketSlaEventType = TicketSlaEvent['type'];
export const TICKET_SLA_EVENT_TYPES: readonly TicketSlaEventType[] = [
  'SlaClockStarted',
  'SlaPolicyReapplied',
  'SlaWarningIssued',
  'SlaBreached',
  'SlaTargetMet',
  'SlaEscalationTriggered',
  'SlaEscalationActionApplied',
];

export const warningTriggerKey = (metric: SlaMetric, targetMinutes: number): string => `warning:${metric}:${targetMinutes}`;
export const breachTriggerKey = (metric: SlaMetric): string => `breach:${metric}`;
export const escalationActionKey = (ruleId: string, metric: SlaMetric, actionIndex: number): string => `${ruleId}:${metric}:${actionIndex}`;

const roundMinutes = (ms: number): number => Math.round((ms / 60_000) * 1000) / 1000;

function applicationData(ticketId: string, application: SlaApplication): ApplicationData {
  return {
    ticketId,
    policyId: application.policy?.id ?? null,
    policyRevision: application.policy?.revision ?? null,
    calendarId: application.calendar?.id ?? null,
    calendarRevision: application.calendar?.revision ?? null,
    application,
  };
}

function evaluate(command: Extract<TicketSlaCommand, { type: 'EvaluateSla' }>, state: TicketSlaState): TicketSlaEvent[] {
  if (state.applications.length === 0) return [];
  const reading = readSlaClock(command.facts, state.applications, command.now);
  if (!reading) return [];
  const now = Date.parse(command.now);
  const due = (instant: string | null): instant is string => instant !== null && Date.parse(instant) <= now;
  const events: TicketSlaEvent[] = [];
  const ticket: EscalatedTicket = { priority: reading.ticket.priority, category: reading.ticket.category, queueId: reading.ticket.queueId, assigneeId: reading.ticket.assigneeId };
  const escalate = (trigger: EscalationTriggerRef) => {
    const rules = command.rules
      .filter((rule) => !state.escalation.appliedRules.includes(`${rule.id}:${trigger.metric}`))
      .filter((rule) => escalationRuleMatches(rule, { on: trigger.on, metric: trigger.metric, priority: ticket.priority, category: ticket.category, queueId: ticket.queueId }))
      .map((rule) => ({ ruleId: rule.id, ruleRevision: rule.revision, ruleName: rule.name, actions: rule.actions }));
    if (rules.length > 0) events.push({ type: 'SlaEscalationTriggered', data: { ticketId: command.ticketId, trigger, ticket, rules } });
  };
  for (const metric of SLA_METRICS) {
    const clock = reading.metrics[metric];
    const record = state.metrics[metric];
    if (clock.targetMinutes === null) continue;
    const announcement: SlaAnnouncement = {
      ticketId: command.ticketId,
      metric,
      targetMinutes: clock.targetMinutes,
      elapsedMinutes: roundMinutes(clock.elapsedMs),
      policyId: reading.application?.policy?.id ?? null,
      priority: reading.ticket.priority,
      queueId: reading.ticket.queueId,
      assigneeId: reading.ticket.assigneeId,
    };
    if (record.breachedAt !== null) continue;
    // A timer that fires late (the service was down) still announces the warning before the breach, unless
    // the metric has stopped meanwhile: a warning is a call to act, and there is nothing left to act on.
    if (clock.state !== 'stopped' && due(clock.warningAt) && !record.warnedTargets.includes(clock.targetMinutes)) {
      events.push({ type: 'SlaWarningIssued', data: { ...announcement, warningAt: clock.warningAt, targetAt: clock.state === 'running' ? clock.breachAt : null } });
      escalate({ key: warningTriggerKey(metric, clock.targetMinutes), on: 'warning', metric });
    }
    if (due(clock.breachAt)) {
      events.push({ type: 'SlaBreached', data: { ...announcement, targetAt: clock.breachAt } });
      escalate({ key: breachTriggerKey(metric), on: 'breach', metric });
    } else if (clock.state === 'stopped' && record.metAt === null && clock.stoppedAt !== null) {
      events.push({ type: 'SlaTargetMet', data: { ...announcement, stoppedAt: clock.stoppedAt } });
    }
  }
  return events;
}

function decide(command: TicketSlaCommand, state: TicketSlaState): TicketSlaEvent[] {
  switch (command.type) {
    case 'ApplySlaPolicy': {
      const { application } = command;
      if (application.triggerRevision <= state.lastTriggerRevision) return [];
      if (state.applications.length === 0) return [{ type: 'SlaClockStarted', data: applicationData(command.ticketId, application) }];
      const previousPolicyId = state.applications[state.applications.length - 1].policy?.id ?? null;
      return [{ type: 'SlaPolicyReapplied', data: { ...applicationData(command.ticketId, application), previousPolicyId } }];
    }
    case 'EvaluateSla':
      return evaluate(command, state);
    case 'RecordEscalationAction': {
      const pending = state.escalation.pending.find((action) => action.key === command.key);
      if (!pending) return [];
      return [
        {
          type: 'SlaEscalationActionApplied',
          data: {
            ticketId: command.ticketId,
            key: pending.key,
            ruleId: pending.ruleId,
            metric: pending.metric,
            actionIndex: pending.actionIndex,
            actionType: pending.action.type,
            outcome: command.outcome,
            detail: command.detail,
          },
        },
      ];
    }
  }
}

function updateMetric(state: TicketSlaState, metric: SlaMetric, change: Partial<SlaMetricRecord>): TicketSlaState['metrics'] {
  return { ...state.metrics, [metric]: { ...state.metrics[metric], ...change } };
}

function evolve(state: TicketSlaState, event: TicketSlaEvent): TicketSlaState {
  switch (event.type) {
    case 'SlaClockStarted':
    case 'SlaPolicyReapplied':
      return {
        ...state,
        ticketId: event.data.ticketId,
        applications: [...state.applications, event.data.application],
        lastTriggerRevision: Math.max(state.lastTriggerRevision, event.data.application.triggerRevision),
      };
    case 'SlaWarningIssued': {
      const { metric, targetMinutes } = event.data;
      const warned = state.metrics[metric].warnedTargets;
      return { ...state, metrics: updateMetric(state, metric, { warnedTargets: targetMinutes === null ? warned : [...warned, targetMinutes] }) };
    }
    case 'SlaBreached':
      return { ...state, metrics: updateMetric(state, event.data.metric, { breachedAt: event.data.targetAt }) };
    case 'SlaTargetMet':
      return { ...state, metrics: updateMetric(state, event.data.metric, { metAt: event.data.stoppedAt }) };
    case 'SlaEscalationTriggered': {
      const { trigger, rules } = event.data;
      const pending: PendingEscalationAction[] = rules.flatMap((rule) =>
        rule.actions.flatMap((action, actionIndex) =>
          action.type === 'notify' ? [] : [{ key: escalationActionKey(rule.ruleId, trigger.metric, actionIndex), ruleId: rule.ruleId, metric: trigger.metric, actionIndex, action }],
        ),
      );
      return {
        ...state,
        escalation: {
          ...state.escalation,
          appliedRules: [...state.escalation.appliedRules, ...rules.map((rule) => `${rule.ruleId}:${trigger.metric}`)],
          pending: [...state.escalation.pending, ...pending],
        },
      };
    }
    case 'SlaEscalationActionApplied':
      return { ...state, escalation: { ...state.escalation, pending: state.escalation.pending.filter((action) => action.key !== event.data.key) } };
    default:
      return state;
  }
}

const emptyRecord = (): SlaMetricRecord => ({ warnedTargets: [], breachedAt: null, metAt: null });

export const ticketSlaDecider: Decider<TicketSlaCommand, TicketSlaState, TicketSlaEvent> = {
  initialState: () => ({
    ticketId: null,
    applications: [],
    lastTriggerRevision: -1,
    metrics: { first_response: emptyRecord(), resolution: emptyRecord() },
    escalation: { appliedRules: [], pending: [] },
  }),
  decide,
  evolve,
};

/** Escalation work left for a ticket: ticket actions decided but not carried out yet. */
export function hasEscalationWork(state: TicketSlaState): boolean {
  return state.escalation.pending.length > 0;
}

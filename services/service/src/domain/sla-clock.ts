import { BusinessHours, type BusinessHoursDefinition, MINUTE_MS, type TimeSpan } from './business-hours';

export const SLA_METRICS = ['first_response', 'resolution'] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];

/** The ticket vocabulary the clock needs, restated here so the SLA engine depends on the ticket events' shape only. */
export const SLA_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type SlaPriority = (typeof SLA_PRIORITIES)[number];
export const SLA_TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type SlaTicketStatus = (typeof SLA_TICKET_STATUSES)[number];
/** Statuses a policy may pause its clocks in (`pending` by default). */
export const PAUSABLE_STATUSES = ['pending', 'on_hold'] as const;
export type PausableStatus = (typeof PAUSABLE_STATUSES)[number];

/**
 * What the SLA clock reads from a ticket's stream: one fact per ticket event that matters to it, with the
 * event's stream revision and time. Only the first agent reply is kept (it is the first response).
 */
export type TicketFact =
  | {
      type: 'opened';
      revision: number;
      at: string;
      priority: SlaPriority;
      category: string | null;
      requesterContactId: string | null;
      companyId: string | null;
      queueId: string | null;
    }
  | { type: 'status_changed'; revision: number; at: string; to: SlaTicketStatus }
  | { type: 'priority_changed'; revision: number; at: string; to: SlaPriority }
  | { type: 'categorized'; revision: number; at: string; category: string | null }
  | { type: 'assigned'; revision: number; at: string; queueId: string | null; assigneeId: string | null }
  | { type: 'requester_changed'; revision: number; at: string; requesterContactId: string | null; companyId: string | null }
  | { type: 'agent_replied'; revision: number; at: string };

/** The facts after which the applicable policy is chosen again. */
export const SLA_TRIGGER_FACTS = ['opened', 'priority_changed', 'categorized'] as const;
export type SlaTrigger = (typeof SLA_TRIGGER_FACTS)[number];

export const isTriggerFact = (fact: TicketFact): fact is Extract<TicketFact, { type: SlaTrigger }> =>
  (SLA_TRIGGER_FACTS as readonly string[]).includes(fact.type);

/** A ticket event as stored (type, data, stream revision, occurredAt). */
export interface TicketStreamEvent {
  type: string;
  data: unknown;
  revision: number;
  occurredAt: string;
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const priorityOf = (value: unknown): SlaPriority => ((SLA_PRIORITIES as readonly unknown[]).includes(value) ? (value as SlaPriority) : 'normal');

/** Maps one ticket event to the fact it states for the clock, or null when it states none. */
export function ticketFactOf(event: TicketStreamEvent): TicketFact | null {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const base = { revision: event.revision, at: event.occurredAt };
  switch (event.type) {
    case 'TicketOpened':
      return {
        type: 'opened',
        ...base,
        priority: priorityOf(data.priority),
        category: stringOrNull(data.category),
        requesterContactId: stringOrNull(data.requesterContactId),
        companyId: stringOrNull(data.companyId),
        queueId: stringOrNull(data.queueId),
      };
    case 'TicketStatusChanged':
      return (SLA_TICKET_STATUSES as readonly unknown[]).includes(data.to) ? { type: 'status_changed', ...base, to: data.to as SlaTicketStatus } : null;
    case 'TicketPriorityChanged':
      return { type: 'priority_changed', ...base, to: priorityOf(data.to) };
    case 'TicketCategorized':
      return { type: 'categorized', ...base, category: stringOrNull(data.category) };
    case 'TicketAssigned':
      return { type: 'assigned', ...base, queueId: stringOrNull(data.queueId), assigneeId: stringOrNull(data.assigneeId) };
    case 'TicketRequesterChanged':
      return { type: 'requester_changed', ...base, requesterContactId: stringOrNull(data.requesterContactId), companyId: stringOrNull(data.companyId) };
    case 'TicketReplied':
      return data.authorType === 'agent' ? { type: 'agent_replied', ...base } : null;
    default:
      return null;
  }
}

/** Adds a fact in stream order; repeated revisions and agent replies after the first are left out. */
export function addTicketFact(facts: TicketFact[], fact: TicketFact | null): TicketFact[] {
  if (!fact) return facts;
  if (facts.some((known) => known.revision === fact.revision)) return facts;
  if (facts.length === 0 && fact.type !== 'opened') return facts;
  if (fact.type === 'agent_replied' && facts.some((known) => known.type === 'agent_replied')) return facts;
  return [...facts, fact].sort((a, b) => a.revision - b.revision);
}

export function ticketFactsOf(events: TicketStreamEvent[]): TicketFact[] {
  return events.reduce<TicketFact[]>((facts, event) => addTicketFact(facts, ticketFactOf(event)), []);
}

/** The ticket as the SLA engine sees it after the facts up to `revision` (all by default). */
export interface SlaTicketView {
  openedAt: string;
  status: SlaTicketStatus;
  priority: SlaPriority;
  category: string | null;
  requesterContactId: string | null;
  companyId: string | null;
  queueId: string | null;
  assigneeId: string | null;
  firstAgentReplyAt: string | null;
}

export function slaTicketView(facts: TicketFact[], revision = Number.POSITIVE_INFINITY): SlaTicketView | null {
  const opened = facts[0];
  if (!opened || opened.type !== 'opened') return null;
  const view: SlaTicketView = {
    openedAt: opened.at,
    status: 'new',
    priority: opened.priority,
    category: opened.category,
    requesterContactId: opened.requesterContactId,
    companyId: opened.companyId,
    queueId: opened.queueId,
    assigneeId: null,
    firstAgentReplyAt: null,
  };
  for (const fact of facts.slice(1)) {
    if (fact.revision > revision) break;
    if (fact.type === 'status_changed') view.status = fact.to;
    else if (fact.type === 'priority_changed') view.priority = fact.to;
    else if (fact.type === 'categorized') view.category = fact.category;
    else if (fact.type === 'assigned') Object.assign(view, { queueId: fact.queueId, assigneeId: fact.assigneeId });
    else if (fact.type === 'requester_changed') Object.assign(view, { requesterContactId: fact.requesterContactId, companyId: fact.companyId });
    else if (fact.type === 'agent_replied') view.firstAgentReplyAt ??= fact.at;
  }
  return view;
}

export interface SlaTargets {
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
}

/**
 * A policy applied to a ticket from `effectiveAt` on: recorded by `SlaClockStarted` / `SlaPolicyReapplied`
 * with a copy of the calendar's hours, so the clock of a running ticket never changes because a policy or
 * calendar was edited later (recompute answers "what if" with the current ones).
 */
export interface SlaApplication {
  effectiveAt: string;
  trigger: SlaTrigger;
  /** Revision of the ticket event that triggered this choice. */
  triggerRevision: number;
  policy: { id: string; name: string; revision: number } | null;
  calendar: ({ id: string; name: string; revision: number } & BusinessHoursDefinition) | null;
  priority: SlaPriority;
  category: string | null;
  contractTier: string | null;
  targets: SlaTargets;
  /** Share of the target at which the warning falls due (0 < warningAt < 1). */
  warningAt: number;
  pauseOn: PausableStatus[];
}

export const targetMinutesOf = (targets: SlaTargets, metric: SlaMetric): number | null =>
  metric === 'first_response' ? targets.firstResponseMinutes : targets.resolutionMinutes;

export interface CountedInterval {
  from: string;
  to: string;
  minutes: number;
}

export interface SlaPause {
  from: string;
  /** Null while the pause lasts. */
  to: string | null;
  reason: string;
}

export type SlaMetricState = 'no_target' | 'running' | 'paused' | 'stopped';
export type SlaOutcome = 'none' | 'in_progress' | 'met' | 'breached';

export interface SlaMetricReading {
  metric: SlaMetric;
  state: SlaMetricState;
  outcome: SlaOutcome;
  targetMinutes: number | null;
  elapsedMs: number;
  remainingMs: number | null;
  /** When the warning share of the current target was reached, or will be if the clock keeps running; null when unknown. */
  warningAt: string | null;
  /** When the target was first exceeded, or will be if the clock keeps running; null when unknown. */
  breachAt: string | null;
  /** When the metric stopped (first agent reply, solved, closed); null while it can still run. */
  stoppedAt: string | null;
  countedIntervals: CountedInterval[];
  pauses: SlaPause[];
}

export interface SlaClockReading {
  ticket: SlaTicketView;
  application: SlaApplication | null;
  metrics: Record<SlaMetric, SlaMetricReading>;
}

type Step = { at: number; order: number; fact?: TicketFact; application?: SlaApplication };

interface MetricWalk {
  metric: SlaMetric;
  elapsedMs: number;
  spans: TimeSpan[];
  pauses: SlaPause[];
  /** The span during which the clock does not count, with why. */
  idle: { from: number; reason: string } | null;
  breachAt: number | null;
  /** Warning instant per target (in ms): a target chosen again later has its own warning. */
  warnings: Map<number, number>;
}

const STOPPING_STATUSES: readonly SlaTicketStatus[] = ['solved', 'closed'];
const STOP_REASONS: readonly string[] = [...STOPPING_STATUSES, 'replied'];
const iso = (instant: number): string => new Date(instant).toISOString();

/**
 * Reads the SLA clocks of a ticket at `now`, from its facts and the policies applied to it. The rules:
 * - both clocks start when the ticket opens and count business time on the calendar of the policy in
 *   effect (a re-applied policy counts on its own calendar from its `effectiveAt`);
 * - they pause while the status is one of the policy's `pauseOn` (default `pending`);
 * - first response stops at the first agent reply, resolution at `solved`; both stop at `solved`/`closed`,
 *   and a reopen (`solved → open`) resumes them with the time already counted;
 * - the target is that of the policy in effect, measured from the opening: after a priority change the new
 *   target applies from that moment, so a ticket already past it is breached at that moment;
 * - a breach is the first instant the elapsed time reaches the target, and it stays a breach.
 */
export function readSlaClock(facts: TicketFact[], applications: SlaApplication[], now: string): SlaClockReading | null {
  const ticket = slaTicketView(facts);
  if (!ticket) return null;
  const nowMs = Date.parse(now);
  const steps: Step[] = [
    ...facts.map((fact) => ({ at: Date.parse(fact.at), order: fact.revision * 2, fact })),
    ...applications.map((application) => ({ at: Date.parse(application.effectiveAt), order: application.triggerRevision * 2 + 1, application })),
  ].sort((a, b) => a.order - b.order);
  // Stream order decides; times only move forward, so a skewed clock cannot make a segment negative.
  for (let index = 1; index < steps.length; index++) steps[index].at = Math.max(steps[index].at, steps[index - 1].at);

  let status: SlaTicketStatus = 'new';
  let replied = false;
  let application: SlaApplication | null = null;
  let hours: BusinessHours | null = null;
  const walks = SLA_METRICS.map<MetricWalk>((metric) => ({ metric, elapsedMs: 0, spans: [], pauses: [], idle: null, breachAt: null, warnings: new Map() }));

  const targetMsOf = (metric: SlaMetric): number | null => {
    const minutes = application ? targetMinutesOf(application.targets, metric) : null;
    return minutes === null ? null : Math.round(minutes * MINUTE_MS);
  };
  const stopReason = (metric: SlaMetric): string | null => {
    if (STOPPING_STATUSES.includes(status)) return status;
    return metric === 'first_response' && replied ? 'replied' : null;
  };
  const idleReason = (metric: SlaMetric): string | null =>
    stopReason(metric) ?? (application && (application.pauseOn as string[]).includes(status) ? status : null);

  const advance = (walk: MetricWalk, from: number, to: number) => {
    const targetMs = targetMsOf(walk.metric);
    if (targetMs === null || !hours) return;
    const warningMs = Math.round(targetMs * (application as SlaApplication).warningAt);
    if (stopReason(walk.metric) === null) {
      // A stricter target chosen meanwhile may already be behind the elapsed time: reached at this instant.
      if (walk.breachAt === null && walk.elapsedMs >= targetMs) walk.breachAt = from;
      if (!walk.warnings.has(targetMs) && walk.elapsedMs >= warningMs) walk.warnings.set(targetMs, from);
    }
    const reason = idleReason(walk.metric);
    if (reason !== null) {
      // A stop followed by another stop (replied, then solved) stays one stop, dated by the first.
      const stillStopped = walk.idle !== null && STOP_REASONS.includes(walk.idle.reason) && STOP_REASONS.includes(reason);
      if (walk.idle?.reason !== reason && !stillStopped) {
        closeIdle(walk, from);
        walk.idle = { from, reason };
      }
      return;
    }
    closeIdle(walk, from);
    if (to <= from) return;
    for (const span of hours.spansBetween(from, to)) {
      const length = span.to - span.from;
      if (walk.breachAt === null && walk.elapsedMs + length >= targetMs) walk.breachAt = span.from + (targetMs - walk.elapsedMs);
      if (!walk.warnings.has(targetMs) && walk.elapsedMs + length >= warningMs) walk.warnings.set(targetMs, span.from + Math.max(0, warningMs - walk.elapsedMs));
      walk.elapsedMs += length;
      // A ticket event that changes nothing for this metric does not cut the interval it falls in.
      const last = walk.spans[walk.spans.length - 1];
      if (last && last.to === span.from) last.to = span.to;
      else walk.spans.push({ ...span });
    }
  };
  const closeIdle = (walk: MetricWalk, at: number) => {
    if (walk.idle && at > walk.idle.from) walk.pauses.push({ from: iso(walk.idle.from), to: iso(at), reason: walk.idle.reason });
    walk.idle = null;
  };

  for (let index = 0; index < steps.length; index++) {
    const step = steps[index];
    if (step.at > nowMs) break;
    if (step.fact?.type === 'status_changed') status = step.fact.to;
    if (step.fact?.type === 'agent_replied') replied = true;
    if (step.application) {
      application = step.application;
      hours = application.calendar ? new BusinessHours(application.calendar) : null;
    }
    const next = steps[index + 1];
    const until = next && next.at <= nowMs ? next.at : nowMs;
    for (const walk of walks) advance(walk, step.at, until);
  }

  const metrics = {} as Record<SlaMetric, SlaMetricReading>;
  for (const walk of walks) metrics[walk.metric] = finish(walk);
  return { ticket: { ...ticket, status }, application, metrics };

  function finish(walk: MetricWalk): SlaMetricReading {
    const targetMs = targetMsOf(walk.metric);
    const base = {
      metric: walk.metric,
      elapsedMs: walk.elapsedMs,
      countedIntervals: walk.spans.map((span) => ({ from: iso(span.from), to: iso(span.to), minutes: (span.to - span.from) / MINUTE_MS })),
      pauses: [...walk.pauses],
    };
    const stop = stopReason(walk.metric);
    if (targetMs === null || !hours || !application) {
      return { ...base, state: 'no_target', outcome: 'none', targetMinutes: null, remainingMs: null, warningAt: null, breachAt: null, stoppedAt: null };
    }
    const state: SlaMetricState = stop !== null ? 'stopped' : walk.idle ? 'paused' : 'running';
    if (state === 'paused' && walk.idle) base.pauses.push({ from: iso(walk.idle.from), to: null, reason: walk.idle.reason });
    let breachAt = walk.breachAt;
    let warningAt = walk.warnings.get(targetMs) ?? null;
    if (state === 'running') {
      // Not reached yet: when it will be if the clock keeps running from now.
      breachAt ??= hours.addBusinessMs(nowMs, targetMs - walk.elapsedMs);
      const warningMs = Math.round(targetMs * application.warningAt);
      warningAt ??= hours.addBusinessMs(nowMs, warningMs - walk.elapsedMs);
    }
    const breached = breachAt !== null && breachAt <= nowMs;
    return {
      ...base,
      state,
      outcome: breached ? 'breached' : state === 'stopped' ? 'met' : 'in_progress',
      targetMinutes: targetMs / MINUTE_MS,
      remainingMs: Math.max(0, targetMs - walk.elapsedMs),
      warningAt: warningAt === null ? null : iso(warningAt),
      breachAt: breachAt === null ? null : iso(breachAt),
      stoppedAt: state === 'stopped' && walk.idle ? iso(walk.idle.from) : null,
    };
  }
}

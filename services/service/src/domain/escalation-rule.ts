import { type Decider, DomainError } from '@crm/decider';
import { SLA_METRICS, SLA_PRIORITIES, type SlaMetric, type SlaPriority } from './sla-clock';

export const ESCALATION_TRIGGERS = ['warning', 'breach'] as const;
export type EscalationTrigger = (typeof ESCALATION_TRIGGERS)[number];
export const ESCALATION_ACTION_TYPES = ['raise_priority', 'reassign', 'notify'] as const;
export type EscalationActionType = (typeof ESCALATION_ACTION_TYPES)[number];

export type EscalationAction =
  | { type: 'raise_priority' }
  | { type: 'reassign'; queueId: string; assigneeId: string | null }
  /** `target` names who to tell (a role, `agent:<id>`, an address): the notification is an integration event. */
  | { type: 'notify'; target: string };

export interface EscalationConditions {
  priorities: SlaPriority[];
  categories: string[];
  queueIds: string[];
}

export interface EscalationRuleFields {
  name: string;
  on: EscalationTrigger;
  /** Null: either metric. */
  metric: SlaMetric | null;
  conditions: EscalationConditions;
  actions: EscalationAction[];
  rank: number;
  enabled: boolean;
}

export interface EscalationRuleInput {
  name?: string;
  on?: EscalationTrigger;
  metric?: SlaMetric | null;
  conditions?: { priorities?: SlaPriority[]; categories?: string[]; queueIds?: string[] };
  actions?: { type?: string; queueId?: string; assigneeId?: string | null; target?: string }[];
  rank?: number;
  enabled?: boolean;
}

export interface EscalationRuleState extends EscalationRuleFields {
  id: string | null;
  lifecycle: 'absent' | 'active';
}

export type EscalationRuleCommand =
  | { type: 'CreateEscalationRule'; ruleId: string; input: EscalationRuleInput }
  | { type: 'ReviseEscalationRule'; input: EscalationRuleInput };

export type EscalationRuleEvent =
  | { type: 'EscalationRuleCreated'; data: { ruleId: string } & EscalationRuleFields }
  | { type: 'EscalationRuleRevised'; data: { ruleId: string } & EscalationRuleFields };

const ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;
export const MAX_ESCALATION_ACTIONS = 10;

function invalid(field: string, reason: string): never {
  throw new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);
}

function normaliseList(values: string[] | undefined, field: string): string[] {
  const list = [...new Set((values ?? []).map((value) => (typeof value === 'string' ? value.trim() : '')))];
  if (list.some((value) => !value || value.length > 100)) invalid(field, 'entries must be 1-100 characters');
  return list;
}

function normaliseAction(action: NonNullable<EscalationRuleInput['actions']>[number], index: number): EscalationAction {
  const field = `actions.${index}`;
  switch (action?.type) {
    case 'raise_priority':
      return { type: 'raise_priority' };
    case 'reassign': {
      const queueId = action.queueId?.trim() ?? '';
      if (!ID_PATTERN.test(queueId)) invalid(`${field}.queueId`, 'reassign needs the id of a queue');
      const assigneeId = action.assigneeId?.trim() || null;
      if (assigneeId !== null && !ID_PATTERN.test(assigneeId)) invalid(`${field}.assigneeId`, 'must be an agent id');
      return { type: 'reassign', queueId, assigneeId };
    }
    case 'notify': {
      const target = action.target?.trim() ?? '';
      if (!target || target.length > 200) invalid(`${field}.target`, 'notify needs a target of at most 200 characters');
      return { type: 'notify', target };
    }
    default:
      return invalid(`${field}.type`, `must be one of ${ESCALATION_ACTION_TYPES.join(', ')}`);
  }
}

export function normaliseEscalationRule(input: EscalationRuleInput): EscalationRuleFields {
  const name = input.name?.trim() ?? '';
  if (!name || name.length > 200) invalid('name', 'a rule needs a name of at most 200 characters');
  if (!input.on || !ESCALATION_TRIGGERS.includes(input.on)) invalid('on', `must be one of ${ESCALATION_TRIGGERS.join(', ')}`);
  const metric = input.metric ?? null;
  if (metric !== null && !SLA_METRICS.includes(metric)) invalid('metric', `must be one of ${SLA_METRICS.join(', ')}`);
  const priorities = normaliseList(input.conditions?.priorities, 'conditions.priorities') as SlaPriority[];
  if (priorities.some((priority) => !SLA_PRIORITIES.includes(priority))) invalid('conditions.priorities', `entries must be ${SLA_PRIORITIES.join(', ')}`);
  const actions = input.actions ?? [];
  if (actions.length === 0 || actions.length > MAX_ESCALATION_ACTIONS) invalid('actions', `a rule needs 1 to ${MAX_ESCALATION_ACTIONS} actions`);
  const rank = input.rank ?? 100;
  if (!Number.isInteger(rank) || rank < 0 || rank > 1_000_000) invalid('rank', 'must be a whole number from 0 to 1000000');
  return {
    name,
    on: input.on,
    metric,
    conditions: {
      priorities: SLA_PRIORITIES.filter((priority) => priorities.includes(priority)),
      categories: normaliseList(input.conditions?.categories, 'conditions.categories'),
      queueIds: normaliseList(input.conditions?.queueIds, 'conditions.queueIds'),
    },
    actions: actions.map(normaliseAction),
    rank,
    enabled: input.enabled ?? true,
  };
}

function decide(command: EscalationRuleCommand, state: EscalationRuleState): EscalationRuleEvent[] {
  if (command.type === 'CreateEscalationRule') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Escalation rule ${command.ruleId} already exists`);
    return [{ type: 'EscalationRuleCreated', data: { ruleId: command.ruleId, ...normaliseEscalationRule(command.input) } }];
  }
  if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Escalation rule not found');
  const fields = normaliseEscalationRule(command.input);
  const { id, lifecycle: _lifecycle, ...current } = state;
  return JSON.stringify(fields) === JSON.stringify(current) ? [] : [{ type: 'EscalationRuleRevised', data: { ruleId: id as string, ...fields } }];
}

function evolve(state: EscalationRuleState, event: EscalationRuleEvent): EscalationRuleState {
  switch (event.type) {
    case 'EscalationRuleCreated':
    case 'EscalationRuleRevised': {
      const { ruleId, ...fields } = event.data;
      return { ...fields, id: ruleId, lifecycle: 'active' };
    }
    default:
      return state;
  }
}

export const escalationRuleDecider: Decider<EscalationRuleCommand, EscalationRuleState, EscalationRuleEvent> = {
  initialState: () => ({
    id: null,
    lifecycle: 'absent',
    name: '',
    on: 'breach',
    metric: null,
    conditions: { priorities: [], categories: [], queueIds: [] },
    actions: [],
    rank: 100,
    enabled: true,
  }),
  decide,
  evolve,
};

export const ESCALATION_RULE_EVENT_TYPES = ['EscalationRuleCreated', 'EscalationRuleRevised'] as const;

export interface EscalationSubject {
  on: EscalationTrigger;
  metric: SlaMetric;
  priority: SlaPriority;
  category: string | null;
  queueId: string | null;
}

export function escalationRuleMatches(rule: EscalationRuleFields, subject: EscalationSubject): boolean {
  const { priorities, categories, queueIds } = rule.conditions;
  if (!rule.enabled || rule.on !== subject.on) return false;
  if (rule.metric !== null && rule.metric !== subject.metric) return false;
  if (priorities.length > 0 && !priorities.includes(subject.priority)) return false;
  if (categories.length > 0 && (subject.category === null || !categories.includes(subject.category))) return false;
  if (queueIds.length > 0 && (subject.queueId === null || !queueIds.includes(subject.queueId))) return false;
  return true;
}

/** The priority an escalation raises a ticket to; null when it is already urgent. */
export function nextPriority(priority: SlaPriority): SlaPriority | null {
  const index = SLA_PRIORITIES.indexOf(priority);
  return index < SLA_PRIORITIES.length - 1 ? SLA_PRIORITIES[index + 1] : null;
}

import { type Decider, DomainError } from '@crm/decider';
import { PAUSABLE_STATUSES, type PausableStatus, SLA_PRIORITIES, type SlaPriority, type SlaTargets } from './sla-clock';

export interface SlaPolicyConditions {
  /** Empty or absent: any priority. */
  priorities: SlaPriority[];
  categories: string[];
  contractTiers: string[];
}

export interface PriorityTargetsInput {
  firstResponseMinutes?: number | null;
  resolutionMinutes?: number | null;
}

export interface SlaPolicyFields {
  name: string;
  calendarId: string;
  /** Policies are tried in ascending rank (then creation order): the first that matches applies. */
  rank: number;
  conditions: SlaPolicyConditions;
  /** Targets per priority, in business minutes (fractional minutes allowed: 0.05 is 3 s). */
  targets: Partial<Record<SlaPriority, SlaTargets>>;
  warningAt: number;
  pauseOn: PausableStatus[];
  enabled: boolean;
}

export interface SlaPolicyInput {
  name?: string;
  calendarId?: string;
  rank?: number;
  conditions?: { priorities?: SlaPriority[]; categories?: string[]; contractTiers?: string[] };
  targets?: Partial<Record<SlaPriority, PriorityTargetsInput>>;
  warningAt?: number;
  pauseOn?: PausableStatus[];
  enabled?: boolean;
}

export interface SlaPolicyState extends SlaPolicyFields {
  id: string | null;
  lifecycle: 'absent' | 'active';
}

export type SlaPolicyCommand = { type: 'CreateSlaPolicy'; policyId: string; input: SlaPolicyInput } | { type: 'ReviseSlaPolicy'; input: SlaPolicyInput };

/** Each event carries the whole policy, so a revision number names a complete policy. */
export type SlaPolicyEvent =
  | { type: 'SlaPolicyCreated'; data: { policyId: string } & SlaPolicyFields }
  | { type: 'SlaPolicyRevised'; data: { policyId: string } & SlaPolicyFields };

export const DEFAULT_WARNING_AT = 0.75;
export const DEFAULT_RANK = 100;
/** Shortest target accepted: 0.01 minute (0.6 s), so tests and demos can use seconds. */
export const MIN_TARGET_MINUTES = 0.01;
/** Longest target accepted: one year of business minutes. */
export const MAX_TARGET_MINUTES = 525_600;

function invalid(field: string, reason: string): never {
  throw new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);
}

function normaliseList(values: string[] | undefined, field: string): string[] {
  const list = [...new Set((values ?? []).map((value) => (typeof value === 'string' ? value.trim() : '')))];
  if (list.some((value) => !value || value.length > 100)) invalid(field, 'entries must be 1-100 characters');
  return list;
}

function normaliseTarget(value: number | null | undefined, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < MIN_TARGET_MINUTES || value > MAX_TARGET_MINUTES) {
    invalid(field, `must be between ${MIN_TARGET_MINUTES} and ${MAX_TARGET_MINUTES} minutes`);
  }
  return value;
}

export function normaliseSlaPolicy(input: SlaPolicyInput): SlaPolicyFields {
  const name = input.name?.trim() ?? '';
  if (!name || name.length > 200) invalid('name', 'a policy needs a name of at most 200 characters');
  const calendarId = input.calendarId?.trim() ?? '';
  if (!calendarId) invalid('calendarId', 'a policy runs on a business calendar');
  const rank = input.rank ?? DEFAULT_RANK;
  if (!Number.isInteger(rank) || rank < 0 || rank > 1_000_000) invalid('rank', 'must be a whole number from 0 to 1000000');
  const priorities = normaliseList(input.conditions?.priorities, 'conditions.priorities') as SlaPriority[];
  if (priorities.some((priority) => !SLA_PRIORITIES.includes(priority))) invalid('conditions.priorities', `entries must be ${SLA_PRIORITIES.join(', ')}`);
  const targets: Partial<Record<SlaPriority, SlaTargets>> = {};
  for (const [priority, target] of Object.entries(input.targets ?? {})) {
    if (!SLA_PRIORITIES.includes(priority as SlaPriority)) invalid(`targets.${priority}`, `priorities are ${SLA_PRIORITIES.join(', ')}`);
    if (!target) continue;
    const normalised = {
      firstResponseMinutes: normaliseTarget(target.firstResponseMinutes, `targets.${priority}.firstResponseMinutes`),
      resolutionMinutes: normaliseTarget(target.resolutionMinutes, `targets.${priority}.resolutionMinutes`),
    };
    if (normalised.firstResponseMinutes === null && normalised.resolutionMinutes === null) invalid(`targets.${priority}`, 'needs firstResponseMinutes or resolutionMinutes');
    targets[priority as SlaPriority] = normalised;
  }
  if (Object.keys(targets).length === 0) invalid('targets', 'a policy needs targets for at least one priority');
  const warningAt = input.warningAt ?? DEFAULT_WARNING_AT;
  if (typeof warningAt !== 'number' || !(warningAt > 0 && warningAt < 1)) invalid('warningAt', 'must be a share of the target between 0 and 1 (exclusive)');
  const pauseOn = [...new Set(input.pauseOn ?? ['pending'])] as PausableStatus[];
  if (pauseOn.some((status) => !PAUSABLE_STATUSES.includes(status))) invalid('pauseOn', `entries must be ${PAUSABLE_STATUSES.join(', ')}`);
  return {
    name,
    calendarId,
    rank,
    conditions: {
      priorities: SLA_PRIORITIES.filter((priority) => priorities.includes(priority)),
      categories: normaliseList(input.conditions?.categories, 'conditions.categories'),
      contractTiers: normaliseList(input.conditions?.contractTiers, 'conditions.contractTiers'),
    },
    targets: Object.fromEntries(SLA_PRIORITIES.filter((priority) => targets[priority]).map((priority) => [priority, targets[priority]])),
    warningAt,
    pauseOn: PAUSABLE_STATUSES.filter((status) => pauseOn.includes(status)),
    enabled: input.enabled ?? true,
  };
}

function decide(command: SlaPolicyCommand, state: SlaPolicyState): SlaPolicyEvent[] {
  if (command.type === 'CreateSlaPolicy') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `SLA policy ${command.policyId} already exists`);
    return [{ type: 'SlaPolicyCreated', data: { policyId: command.policyId, ...normaliseSlaPolicy(command.input) } }];
  }
  if (state.lifecycle === 'absent') throw new DomainError('not_found', 'SLA policy not found');
  const fields = normaliseSlaPolicy(command.input);
  const { id, lifecycle: _lifecycle, ...current } = state;
  return JSON.stringify(fields) === JSON.stringify(current) ? [] : [{ type: 'SlaPolicyRevised', data: { policyId: id as string, ...fields } }];
}

function evolve(state: SlaPolicyState, event: SlaPolicyEvent): SlaPolicyState {
  switch (event.type) {
    case 'SlaPolicyCreated':
    case 'SlaPolicyRevised': {
      const { policyId, ...fields } = event.data;
      return { ...fields, id: policyId, lifecycle: 'active' };
    }
    default:
      return state;
  }
}

export const slaPolicyDecider: Decider<SlaPolicyCommand, SlaPolicyState, SlaPolicyEvent> = {
  initialState: () => ({
    id: null,
    lifecycle: 'absent',
    name: '',
    calendarId: '',
    rank: DEFAULT_RANK,
    conditions: { priorities: [], categories: [], contractTiers: [] },
    targets: {},
    warningAt: DEFAULT_WARNING_AT,
    pauseOn: ['pending'],
    enabled: true,
  }),
  decide,
  evolve,
};

export const SLA_POLICY_EVENT_TYPES = ['SlaPolicyCreated', 'SlaPolicyRevised'] as const;

/** A policy as candidates for a ticket: its fields, revision and creation time (for the order). */
export interface SlaPolicyCandidate extends SlaPolicyFields {
  id: string;
  revision: number;
  createdAt: string;
}

export interface SlaPolicySubject {
  priority: SlaPriority;
  category: string | null;
  contractTier: string | null;
}

/** Ascending rank, then the older policy first, then by id: the same order everywhere. */
export function orderPolicies<T extends Pick<SlaPolicyCandidate, 'rank' | 'createdAt' | 'id'>>(policies: T[]): T[] {
  return [...policies].sort((a, b) => a.rank - b.rank || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * Whether a policy applies to a ticket: enabled, every condition it sets holds (an empty list is no
 * condition; a ticket without a category or tier does not meet a condition on them), and it has targets
 * for the ticket's priority.
 */
export function policyMatches(policy: SlaPolicyFields, subject: SlaPolicySubject): boolean {
  const { priorities, categories, contractTiers } = policy.conditions;
  if (!policy.enabled || !policy.targets[subject.priority]) return false;
  if (priorities.length > 0 && !priorities.includes(subject.priority)) return false;
  if (categories.length > 0 && (subject.category === null || !categories.includes(subject.category))) return false;
  if (contractTiers.length > 0 && (subject.contractTier === null || !contractTiers.includes(subject.contractTier))) return false;
  return true;
}

export function selectSlaPolicy<T extends SlaPolicyCandidate>(policies: T[], subject: SlaPolicySubject): T | null {
  return orderPolicies(policies).find((policy) => policyMatches(policy, subject)) ?? null;
}

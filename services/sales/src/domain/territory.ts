import { type Decider, DomainError } from '@crm/decider';

export const TERRITORY_SUBJECTS = ['lead', 'deal'] as const;
export type TerritorySubjectKind = (typeof TERRITORY_SUBJECTS)[number];

export const ASSIGNMENT_MODES = ['single', 'round_robin'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];

/**
 * A territory is one ordered rule: the first territory (lowest rank) whose criteria all match a new lead
 * or deal gives it an owner. An empty criterion matches anything, so a territory without criteria
 * catches whatever the earlier ones did not.
 */
export interface TerritoryFields {
  name: string;
  /** Lower ranks are tried first; equal ranks in order of creation. */
  rank: number;
  /** Matched without regard to case or surrounding spaces. */
  regions: string[];
  industries: string[];
  /** ISO 3166-1 alpha-2, upper-case. */
  countries: string[];
  appliesTo: TerritorySubjectKind[];
  assignment: AssignmentMode;
  /** One owner for `single`; the rotation, in order, for `round_robin`. */
  ownerIds: string[];
}

/** `ownerId` asks for a single owner, `ownerIds` for a rotation among them (exactly one of the two). */
export interface TerritoryInput {
  name?: string;
  rank?: number;
  regions?: string[];
  industries?: string[];
  countries?: string[];
  appliesTo?: string[];
  ownerId?: string;
  ownerIds?: string[];
}

export interface TerritoryState extends TerritoryFields {
  id: string | null;
  lifecycle: 'absent' | 'active' | 'deleted';
}

export type TerritoryEvent =
  | { type: 'TerritoryCreated'; data: { territoryId: string } & TerritoryFields }
  /** Only the fields that changed, with their new values. */
  | { type: 'TerritoryChanged'; data: Partial<TerritoryFields> }
  | { type: 'TerritoryDeleted'; data: Record<string, never> };

export type TerritoryEventType = TerritoryEvent['type'];
export const TERRITORY_EVENT_TYPES: readonly TerritoryEventType[] = ['TerritoryCreated', 'TerritoryChanged', 'TerritoryDeleted'];

export type TerritoryCommand =
  | { type: 'CreateTerritory'; territoryId: string; input: TerritoryInput }
  | { type: 'UpdateTerritory'; input: TerritoryInput }
  | { type: 'DeleteTerritory' };

const MAX_VALUES = 100;
const MAX_OWNERS = 100;
const MAX_RANK = 1_000_000;
const OWNER_ID = /^[\w.@:+-]{1,128}$/;

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

function name(value: string | undefined): string {
  const trimmed = value?.trim() ?? '';
  if (!trimmed) throw invalid('name', 'a territory needs a name');
  if (trimmed.length > 200) throw invalid('name', 'at most 200 characters');
  return trimmed;
}

function rank(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > MAX_RANK) throw invalid('rank', `a whole number from 0 to ${MAX_RANK}`);
  return value;
}

/** Trimmed, without duplicates (case-insensitively), in the order given. */
function values(list: string[] | undefined, field: string, normalise: (value: string) => string = (value) => value): string[] {
  if (list === undefined) return [];
  if (list.length > MAX_VALUES) throw invalid(field, `at most ${MAX_VALUES} values`);
  const seen = new Set<string>();
  const result: string[] = [];
  for (const raw of list) {
    const value = normalise(raw.trim());
    if (!value) throw invalid(field, 'values cannot be empty');
    if (value.length > 100) throw invalid(field, 'values are at most 100 characters');
    if (seen.has(value.toLowerCase())) continue;
    seen.add(value.toLowerCase());
    result.push(value);
  }
  return result;
}

function countries(list: string[] | undefined): string[] {
  const codes = values(list, 'countries', (value) => value.toUpperCase());
  const bad = codes.find((code) => !/^[A-Z]{2}$/.test(code));
  if (bad !== undefined) throw invalid('countries', `${bad} is not an ISO 3166-1 alpha-2 code`);
  return codes;
}

function appliesTo(list: string[] | undefined): TerritorySubjectKind[] {
  if (list === undefined) return [...TERRITORY_SUBJECTS];
  const kinds = values(list, 'appliesTo', (value) => value.toLowerCase());
  if (kinds.length === 0) throw invalid('appliesTo', 'name at least one of lead, deal');
  const bad = kinds.find((kind) => !(TERRITORY_SUBJECTS as readonly string[]).includes(kind));
  if (bad !== undefined) throw invalid('appliesTo', `${bad} is not one of lead, deal`);
  return kinds as TerritorySubjectKind[];
}

function owners(input: TerritoryInput): { assignment: AssignmentMode; ownerIds: string[] } {
  if (input.ownerId !== undefined && input.ownerIds !== undefined) throw invalid('ownerIds', 'give either ownerId (one owner) or ownerIds (a rotation), not both');
  if (input.ownerId !== undefined) {
    const ownerId = input.ownerId.trim();
    if (!OWNER_ID.test(ownerId)) throw invalid('ownerId', '1-128 letters, digits or ._@:+-');
    return { assignment: 'single', ownerIds: [ownerId] };
  }
  const ownerIds = [...new Set((input.ownerIds ?? []).map((owner) => owner.trim()))];
  if (ownerIds.length === 0) throw invalid('ownerIds', 'a territory needs an owner: ownerId, or ownerIds for a rotation');
  if (ownerIds.length > MAX_OWNERS) throw invalid('ownerIds', `at most ${MAX_OWNERS} owners`);
  if (ownerIds.some((owner) => !OWNER_ID.test(owner))) throw invalid('ownerIds', 'owner ids are 1-128 letters, digits or ._@:+-');
  return { assignment: 'round_robin', ownerIds };
}

function create(command: Extract<TerritoryCommand, { type: 'CreateTerritory' }>, state: TerritoryState): TerritoryEvent[] {
  if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Territory ${command.territoryId} already exists`);
  const { input } = command;
  const fields: TerritoryFields = {
    name: name(input.name),
    rank: rank(input.rank, 100),
    regions: values(input.regions, 'regions'),
    industries: values(input.industries, 'industries'),
    countries: countries(input.countries),
    appliesTo: appliesTo(input.appliesTo),
    ...owners(input),
  };
  return [{ type: 'TerritoryCreated', data: { territoryId: command.territoryId, ...fields } }];
}

function update(input: TerritoryInput, state: TerritoryState): TerritoryEvent[] {
  const next: Partial<TerritoryFields> = {};
  if (input.name !== undefined) next.name = name(input.name);
  if (input.rank !== undefined) next.rank = rank(input.rank, state.rank);
  if (input.regions !== undefined) next.regions = values(input.regions, 'regions');
  if (input.industries !== undefined) next.industries = values(input.industries, 'industries');
  if (input.countries !== undefined) next.countries = countries(input.countries);
  if (input.appliesTo !== undefined) next.appliesTo = appliesTo(input.appliesTo);
  if (input.ownerId !== undefined || input.ownerIds !== undefined) Object.assign(next, owners(input));
  const changed = Object.fromEntries(
    Object.entries(next).filter(([field, value]) => JSON.stringify(value) !== JSON.stringify(state[field as keyof TerritoryFields])),
  ) as Partial<TerritoryFields>;
  return Object.keys(changed).length > 0 ? [{ type: 'TerritoryChanged', data: changed }] : [];
}

function decide(command: TerritoryCommand, state: TerritoryState): TerritoryEvent[] {
  if (command.type === 'CreateTerritory') return create(command, state);
  if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Territory not found');
  if (state.lifecycle === 'deleted') throw new DomainError('gone', 'Territory was deleted');
  switch (command.type) {
    case 'UpdateTerritory':
      return update(command.input, state);
    case 'DeleteTerritory':
      return [{ type: 'TerritoryDeleted', data: {} }];
  }
}

const emptyFields = (): TerritoryFields => ({
  name: '',
  rank: 100,
  regions: [],
  industries: [],
  countries: [],
  appliesTo: [...TERRITORY_SUBJECTS],
  assignment: 'single',
  ownerIds: [],
});

function evolve(state: TerritoryState, event: TerritoryEvent): TerritoryState {
  switch (event.type) {
    case 'TerritoryCreated': {
      const { territoryId, ...fields } = event.data;
      return { ...fields, id: territoryId, lifecycle: 'active' };
    }
    case 'TerritoryChanged':
      return { ...state, ...event.data };
    case 'TerritoryDeleted':
      return { ...state, lifecycle: 'deleted' };
    default:
      return state;
  }
}

export const territoryDecider: Decider<TerritoryCommand, TerritoryState, TerritoryEvent> = {
  initialState: () => ({ ...emptyFields(), id: null, lifecycle: 'absent' }),
  decide,
  evolve,
};

// ---- matching ----

/** What territory rules look at in a new lead or deal. */
export interface TerritorySubject {
  kind: TerritorySubjectKind;
  region?: string | null;
  industry?: string | null;
  country?: string | null;
}

const key = (value: string | null | undefined) => value?.trim().toLowerCase() ?? '';

function criterionMatches(allowed: string[], value: string | null | undefined): boolean {
  if (allowed.length === 0) return true;
  const wanted = key(value);
  return wanted !== '' && allowed.some((entry) => key(entry) === wanted);
}

export function territoryMatches(territory: Pick<TerritoryFields, 'regions' | 'industries' | 'countries' | 'appliesTo'>, subject: TerritorySubject): boolean {
  return (
    territory.appliesTo.includes(subject.kind) &&
    criterionMatches(territory.regions, subject.region) &&
    criterionMatches(territory.industries, subject.industry) &&
    criterionMatches(territory.countries, subject.country)
  );
}

/** Territories in the order their rules are tried: rank, then creation, then id. */
export function compareTerritories(
  a: { rank: number; createdAt: string; id: string },
  b: { rank: number; createdAt: string; id: string },
): number {
  return a.rank - b.rank || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
}

/** The first matching territory of a list already in rule order, or null. */
export function firstMatchingTerritory<T extends Pick<TerritoryFields, 'regions' | 'industries' | 'countries' | 'appliesTo'>>(
  ordered: readonly T[],
  subject: TerritorySubject,
): T | null {
  return ordered.find((territory) => territoryMatches(territory, subject)) ?? null;
}

// ---- round-robin rotation ----

/**
 * A territory's rotation lives in its own stream (`<tenant>.territoryturns-<id>`): one event per owner
 * handed out, so the next owner follows from the log alone, survives restarts, and two replicas assigning
 * at once are serialised by the stream's expected revision instead of both picking the same owner.
 */
export const territoryTurnStream = (tenantId: string, territoryId: string): string => `${tenantId}.territoryturns-${territoryId}`;

export interface TerritoryTurnState {
  /** Turns taken so far: the next one is this number. */
  turns: number;
}

export type TerritoryTurnCommand = {
  type: 'TakeTerritoryTurn';
  ownerIds: string[];
  subjectKind: TerritorySubjectKind;
  subjectId: string | null;
};

export type TerritoryTurnEvent = {
  type: 'TerritoryTurnTaken';
  data: { turn: number; ownerId: string; subjectKind: TerritorySubjectKind; subjectId: string | null };
};

export const territoryTurnDecider: Decider<TerritoryTurnCommand, TerritoryTurnState, TerritoryTurnEvent> = {
  initialState: () => ({ turns: 0 }),
  decide: (command, state) => {
    if (command.ownerIds.length === 0) throw invalid('ownerIds', 'a rotation needs at least one owner');
    // The turn number, not the previous owner, picks the next owner: changing the list keeps the rotation going.
    const ownerId = command.ownerIds[state.turns % command.ownerIds.length];
    return [{ type: 'TerritoryTurnTaken', data: { turn: state.turns, ownerId, subjectKind: command.subjectKind, subjectId: command.subjectId } }];
  },
  evolve: (state, event) => ({ turns: Math.max(state.turns, event.data.turn + 1) }),
};

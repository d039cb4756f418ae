import { type Decider, DomainError } from '@crm/decider';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { trimOrNull } from './common';

/**
 * An interaction with a contact: a note, a call, an email, a meeting or a message. Each one is its own
 * stream (`<tenant>.interaction-<id>`), apart from the contact's: recording one never conflicts with an
 * edit of the contact, and no stream grows with a contact's activity (see ADR 0013).
 */

export const INTERACTION_KINDS = ['note', 'call', 'email', 'meeting', 'message'] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

export const INTERACTION_DIRECTIONS = ['inbound', 'outbound'] as const;
export type InteractionDirection = (typeof INTERACTION_DIRECTIONS)[number];

/** Kinds that go from someone to someone: a note or a meeting has no direction. */
const DIRECTED_KINDS: readonly InteractionKind[] = ['call', 'email', 'message'];
/** Kinds that last: only calls and meetings have a duration. */
const TIMED_KINDS: readonly InteractionKind[] = ['call', 'meeting'];

export const MAX_PARTICIPANTS = 100;
export const MAX_DURATION_SECONDS = 7 * 24 * 3600;
/** Clock skew allowed for an interaction said to have happened "now"; meetings may be logged ahead. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const MEETING_HORIZON_MS = 366 * 24 * 3600_000;

export const interactionStream = (tenantId: string, interactionId: string): string => `${tenantId}.interaction-${interactionId}`;

export interface ParticipantInput {
  email?: string | null;
  phone?: string | null;
  contactId?: string | null;
  name?: string | null;
}

export interface InteractionInput {
  kind: InteractionKind;
  direction?: InteractionDirection | null;
  channel?: string | null;
  subject?: string | null;
  body?: string | null;
  /** ISO-8601 instant; the time of recording when absent. */
  occurredAt?: string | null;
  durationSeconds?: number | null;
  participants?: ParticipantInput[];
}

/** A participant names one way to reach someone: an email address, a phone number (E.164) or a contact id. */
export interface Participant {
  email: string | null;
  phone: string | null;
  contactId: string | null;
  name: string | null;
  /** The tenant's contacts this participant was matched to when the interaction was recorded. */
  matchedContactIds: string[];
}

export interface InteractionRecorded {
  interactionId: string;
  /** The contact the interaction was recorded on. */
  contactId: string;
  kind: InteractionKind;
  direction: InteractionDirection | null;
  channel: string | null;
  subject: string | null;
  body: string | null;
  occurredAt: string;
  durationSeconds: number | null;
  participants: Participant[];
  /** Other contacts whose timelines show the interaction too: the matched participants, without `contactId`. */
  linkedContactIds: string[];
}

export type InteractionState = InteractionRecorded | null;

export type InteractionCommand = {
  type: 'RecordInteraction';
  interactionId: string;
  contactId: string;
  input: InteractionInput;
  /** The matches looked up for `participantHandles(...)`: handle → ids of the tenant's contacts. */
  matches: Record<string, string[]>;
  /** Country of the contact's address, to read phone numbers written without a country code. */
  phoneCountry?: string | null;
  /** ISO-8601 instant of recording, the default for `occurredAt`. */
  now: string;
};

export type InteractionEvent = { type: 'InteractionRecorded'; data: InteractionRecorded };

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

/** The lookup key of a participant in the contact directory: `email:<address>`, `phone:<E.164>` or `contact:<id>`. */
export const handleOf = (participant: Pick<Participant, 'email' | 'phone' | 'contactId'>): string =>
  participant.email ? `email:${participant.email}` : participant.phone ? `phone:${participant.phone}` : `contact:${participant.contactId}`;

/**
 * Normalises participants (lower-case email, E.164 phone) so that they can be looked up before deciding;
 * each names exactly one of email, phone or contact id.
 */
export function normaliseParticipants(participants: ParticipantInput[] | undefined, phoneCountry?: string | null): Omit<Participant, 'matchedContactIds'>[] {
  const list = participants ?? [];
  if (list.length > MAX_PARTICIPANTS) throw invalid('participants', `at most ${MAX_PARTICIPANTS} participants`);
  return list.map((participant, index) => {
    const email = trimOrNull(participant.email)?.toLowerCase() ?? null;
    const rawPhone = trimOrNull(participant.phone);
    const contactId = trimOrNull(participant.contactId);
    if ([email, rawPhone, contactId].filter((value) => value !== null).length !== 1) {
      throw invalid(`participants.${index}`, 'give exactly one of email, phone or contactId');
    }
    let phone: string | null = null;
    if (rawPhone !== null) {
      const parsed = parsePhoneNumberFromString(rawPhone, (phoneCountry as CountryCode | null) ?? undefined);
      if (!parsed || !parsed.isValid()) throw invalid(`participants.${index}.phone`, 'not a valid phone number; use international format such as +37060012345');
      phone = parsed.number;
    }
    return { email, phone, contactId, name: trimOrNull(participant.name) };
  });
}

/** The handles to look up before recording: every participant's, once. */
export function participantHandles(participants: Omit<Participant, 'matchedContactIds'>[]): string[] {
  return [...new Set(participants.map(handleOf))];
}

function occurredAtOf(input: InteractionInput, now: string): string {
  if (input.occurredAt === undefined || input.occurredAt === null) return now;
  const time = Date.parse(input.occurredAt);
  if (Number.isNaN(time)) throw invalid('occurredAt', 'must be an ISO-8601 instant, e.g. 2026-11-23T10:00:00Z');
  const horizon = Date.parse(now) + (input.kind === 'meeting' ? MEETING_HORIZON_MS : FUTURE_TOLERANCE_MS);
  if (time > horizon) throw invalid('occurredAt', input.kind === 'meeting' ? 'at most a year ahead' : 'cannot be in the future');
  return new Date(time).toISOString();
}

function record(command: InteractionCommand): InteractionRecorded {
  const { input } = command;
  if (!INTERACTION_KINDS.includes(input.kind)) throw invalid('kind', `must be one of ${INTERACTION_KINDS.join(', ')}`);
  const direction = input.direction ?? null;
  if (direction !== null && !DIRECTED_KINDS.includes(input.kind)) throw invalid('direction', `a ${input.kind} has no direction`);
  if (direction !== null && !INTERACTION_DIRECTIONS.includes(direction)) throw invalid('direction', 'must be inbound or outbound');
  const durationSeconds = input.durationSeconds ?? null;
  if (durationSeconds !== null) {
    if (!TIMED_KINDS.includes(input.kind)) throw invalid('durationSeconds', `a ${input.kind} has no duration`);
    if (!Number.isInteger(durationSeconds) || durationSeconds < 0 || durationSeconds > MAX_DURATION_SECONDS) {
      throw invalid('durationSeconds', `a whole number of seconds from 0 to ${MAX_DURATION_SECONDS}`);
    }
  }
  const body = trimOrNull(input.body);
  if (input.kind === 'note' && body === null) throw invalid('body', 'a note needs a body');
  const participants = normaliseParticipants(input.participants, command.phoneCountry).map((participant, index) => {
    const matchedContactIds = command.matches[handleOf(participant)] ?? [];
    if (participant.contactId !== null && matchedContactIds.length === 0) throw invalid(`participants.${index}.contactId`, 'no contact with this id');
    return { ...participant, matchedContactIds };
  });
  const linked = new Set(participants.flatMap((participant) => participant.matchedContactIds));
  linked.delete(command.contactId);
  return {
    interactionId: command.interactionId,
    contactId: command.contactId,
    kind: input.kind,
    direction,
    channel: trimOrNull(input.channel)?.toLowerCase() ?? null,
    subject: trimOrNull(input.subject),
    body,
    occurredAt: occurredAtOf(input, command.now),
    durationSeconds,
    participants,
    linkedContactIds: [...linked],
  };
}

function decide(command: InteractionCommand, state: InteractionState): InteractionEvent[] {
  if (state !== null) throw new DomainError('conflict', `Interaction ${command.interactionId} already exists`);
  return [{ type: 'InteractionRecorded', data: record(command) }];
}

function evolve(state: InteractionState, event: InteractionEvent): InteractionState {
  return event.type === 'InteractionRecorded' ? event.data : state;
}

export const interactionDecider: Decider<InteractionCommand, InteractionState, InteractionEvent> = {
  initialState: () => null,
  decide,
  evolve,
};

/** Email addresses and phone numbers that matched no contact of the tenant: reported back, never dropped silently. */
export function unmatchedParticipants(interaction: InteractionRecorded): { email?: string; phone?: string; name?: string }[] {
  return interaction.participants
    .filter((participant) => participant.contactId === null && participant.matchedContactIds.length === 0)
    .map((participant) => ({
      ...(participant.email ? { email: participant.email } : { phone: participant.phone as string }),
      ...(participant.name ? { name: participant.name } : {}),
    }));
}

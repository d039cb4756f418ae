import { type Decider, DomainError } from '@crm/decider';
import { QUEUE_ASSIGNMENT_STRATEGIES, type QueueAssignmentStrategy, nextInRotation } from './assignment';
import { normaliseTicketTags } from './ticket';

export interface QueueInput {
  name?: string;
  assignment?: QueueAssignmentStrategy;
  /** Ticket categories routed to this queue when a ticket names no queue. */
  categories?: string[];
}

export type QueueEvent =
  | { type: 'QueueCreated'; data: { queueId: string; name: string; assignment: QueueAssignmentStrategy; categories: string[] } }
  | { type: 'QueueRenamed'; data: { queueId: string; name: string } }
  | { type: 'QueueAssignmentChanged'; data: { queueId: string; assignment: QueueAssignmentStrategy } }
  | { type: 'QueueCategoriesChanged'; data: { queueId: string; categories: string[] } };

export type QueueCommand = { type: 'CreateQueue'; queueId: string; input: QueueInput } | { type: 'UpdateQueue'; input: QueueInput };

export interface QueueState {
  id: string | null;
  lifecycle: 'absent' | 'active';
  name: string;
  assignment: QueueAssignmentStrategy;
  categories: string[];
}

function normaliseName(name: string | undefined): string {
  const trimmed = name?.trim() ?? '';
  if (!trimmed) throw new DomainError('invalid', 'Invalid name: a queue needs a name', [{ field: 'name', reason: 'a queue needs a name' }]);
  if (trimmed.length > 200) throw new DomainError('invalid', 'Invalid name: at most 200 characters', [{ field: 'name', reason: 'at most 200 characters' }]);
  return trimmed;
}

function checkStrategy(assignment: QueueAssignmentStrategy): QueueAssignmentStrategy {
  if (!QUEUE_ASSIGNMENT_STRATEGIES.includes(assignment)) {
    throw new DomainError('invalid', 'Invalid assignment strategy', [{ field: 'assignment', reason: `one of ${QUEUE_ASSIGNMENT_STRATEGIES.join(', ')}` }]);
  }
  return assignment;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((item, index) => item === b[index]);

function decide(command: QueueCommand, state: QueueState): QueueEvent[] {
  if (command.type === 'CreateQueue') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Queue ${command.queueId} already exists`);
    const { input } = command;
    return [
      {
        type: 'QueueCreated',
        data: {
          queueId: command.queueId,
          name: normaliseName(input.name),
          assignment: checkStrategy(input.assignment ?? 'manual'),
          categories: normaliseTicketTags(input.categories ?? []).sort(),
        },
      },
    ];
  }
  if (state.lifecycle === 'absent' || state.id === null) throw new DomainError('not_found', 'Queue not found');
  const queueId = state.id;
  switch (command.type) {
    case 'UpdateQueue': {
      const { input } = command;
      const events: QueueEvent[] = [];
      if (input.name !== undefined && normaliseName(input.name) !== state.name) events.push({ type: 'QueueRenamed', data: { queueId, name: normaliseName(input.name) } });
      if (input.assignment !== undefined && checkStrategy(input.assignment) !== state.assignment) {
        events.push({ type: 'QueueAssignmentChanged', data: { queueId, assignment: input.assignment } });
      }
      if (input.categories !== undefined) {
        const categories = normaliseTicketTags(input.categories).sort();
        if (!sameList(categories, state.categories)) events.push({ type: 'QueueCategoriesChanged', data: { queueId, categories } });
      }
      return events;
    }
  }
}

function evolve(state: QueueState, event: QueueEvent): QueueState {
  switch (event.type) {
    case 'QueueCreated':
      return { ...state, id: event.data.queueId, lifecycle: 'active', name: event.data.name, assignment: event.data.assignment, categories: event.data.categories };
    case 'QueueRenamed':
      return { ...state, name: event.data.name };
    case 'QueueAssignmentChanged':
      return { ...state, assignment: event.data.assignment };
    case 'QueueCategoriesChanged':
      return { ...state, categories: event.data.categories };
    default:
      return state;
  }
}

export const queueDecider: Decider<QueueCommand, QueueState, QueueEvent> = {
  initialState: () => ({ id: null, lifecycle: 'absent', name: '', assignment: 'manual', categories: [] }),
  decide,
  evolve,
};

export const QUEUE_EVENT_TYPES: readonly QueueEvent['type'][] = ['QueueCreated', 'QueueRenamed', 'QueueAssignmentChanged', 'QueueCategoriesChanged'];

/**
 * A queue's round-robin rotation, on a stream of its own (one event per pick, so the queue's own
 * stream stays short): the pointer is an event, so it survives restarts, and picks are decided one
 * after the other, so two tickets opened together never get the same "next" agent.
 */
export const queueRotationStream = (tenantId: string, queueId: string): string => `${tenantId}.queuerotation-${queueId}`;

export type QueueRotationEvent = { type: 'QueueRoundRobinAdvanced'; data: { queueId: string; ticketId: string; agentId: string } };

/** Picks the next agent of the rotation among `eligible` for `ticketId`; asking again for the same ticket picks nothing new. */
export type QueueRotationCommand = { type: 'PickRoundRobin'; queueId: string; ticketId: string; eligible: string[] };

export interface QueueRotationState {
  last: { ticketId: string; agentId: string } | null;
}

export const queueRotationDecider: Decider<QueueRotationCommand, QueueRotationState, QueueRotationEvent> = {
  initialState: () => ({ last: null }),
  decide(command, state) {
    if (state.last?.ticketId === command.ticketId) return [];
    const agentId = nextInRotation(command.eligible, state.last?.agentId ?? null);
    return agentId === null ? [] : [{ type: 'QueueRoundRobinAdvanced', data: { queueId: command.queueId, ticketId: command.ticketId, agentId } }];
  },
  evolve(state, event) {
    return event.type === 'QueueRoundRobinAdvanced' ? { last: { ticketId: event.data.ticketId, agentId: event.data.agentId } } : state;
  },
};

import { type Decider, DomainError } from '@crm/decider';
import { normaliseTicketTags } from './ticket';

export interface AgentInput {
  name?: string;
  email?: string;
  /** Ticket categories the agent handles. */
  skills?: string[];
  queueIds?: string[];
  active?: boolean;
}

export interface AgentFields {
  name: string;
  email: string;
  skills: string[];
  queueIds: string[];
  active: boolean;
}

export type AgentEvent =
  | { type: 'AgentRegistered'; data: { agentId: string } & AgentFields }
  | { type: 'AgentDetailsChanged'; data: { agentId: string; name: string; email: string } }
  | { type: 'AgentSkillsChanged'; data: { agentId: string; skills: string[] } }
  | { type: 'AgentQueuesChanged'; data: { agentId: string; queueIds: string[] } }
  | { type: 'AgentActivated'; data: { agentId: string } }
  | { type: 'AgentDeactivated'; data: { agentId: string } };

export type AgentCommand =
  | { type: 'RegisterAgent'; agentId: string; input: AgentInput }
  /** `queueIds` must name existing queues: the application checks them before asking. */
  | { type: 'UpdateAgent'; input: AgentInput };

export interface AgentState extends AgentFields {
  id: string | null;
  lifecycle: 'absent' | 'active';
}

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

function normaliseName(name: string | undefined): string {
  const trimmed = name?.trim() ?? '';
  if (!trimmed) throw invalid('name', 'an agent needs a name');
  if (trimmed.length > 200) throw invalid('name', 'at most 200 characters');
  return trimmed;
}

function normaliseEmail(email: string | undefined): string {
  const value = email?.trim().toLowerCase() ?? '';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw invalid('email', 'must be an email address');
  return value;
}

const uniqueSorted = (values: string[]) => [...new Set(values)].sort();
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((item, index) => item === b[index]);

function decide(command: AgentCommand, state: AgentState): AgentEvent[] {
  if (command.type === 'RegisterAgent') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Agent ${command.agentId} already exists`);
    const { input } = command;
    return [
      {
        type: 'AgentRegistered',
        data: {
          agentId: command.agentId,
          name: normaliseName(input.name),
          email: normaliseEmail(input.email),
          skills: normaliseTicketTags(input.skills ?? []).sort(),
          queueIds: uniqueSorted(input.queueIds ?? []),
          active: input.active ?? true,
        },
      },
    ];
  }
  if (state.lifecycle === 'absent' || state.id === null) throw new DomainError('not_found', 'Agent not found');
  const agentId = state.id;
  const { input } = command;
  const events: AgentEvent[] = [];
  const name = input.name === undefined ? state.name : normaliseName(input.name);
  const email = input.email === undefined ? state.email : normaliseEmail(input.email);
  if (name !== state.name || email !== state.email) events.push({ type: 'AgentDetailsChanged', data: { agentId, name, email } });
  if (input.skills !== undefined) {
    const skills = normaliseTicketTags(input.skills).sort();
    if (!sameList(skills, state.skills)) events.push({ type: 'AgentSkillsChanged', data: { agentId, skills } });
  }
  if (input.queueIds !== undefined) {
    const queueIds = uniqueSorted(input.queueIds);
    if (!sameList(queueIds, state.queueIds)) events.push({ type: 'AgentQueuesChanged', data: { agentId, queueIds } });
  }
  if (input.active !== undefined && input.active !== state.active) {
    events.push(input.active ? { type: 'AgentActivated', data: { agentId } } : { type: 'AgentDeactivated', data: { agentId } });
  }
  return events;
}

function evolve(state: AgentState, event: AgentEvent): AgentState {
  switch (event.type) {
    case 'AgentRegistered': {
      const { agentId, ...fields } = event.data;
      return { ...fields, id: agentId, lifecycle: 'active' };
    }
    case 'AgentDetailsChanged':
      return { ...state, name: event.data.name, email: event.data.email };
    case 'AgentSkillsChanged':
      return { ...state, skills: event.data.skills };
    case 'AgentQueuesChanged':
      return { ...state, queueIds: event.data.queueIds };
    case 'AgentActivated':
      return { ...state, active: true };
    case 'AgentDeactivated':
      return { ...state, active: false };
    default:
      return state;
  }
}

export const agentDecider: Decider<AgentCommand, AgentState, AgentEvent> = {
  initialState: () => ({ id: null, lifecycle: 'absent', name: '', email: '', skills: [], queueIds: [], active: false }),
  decide,
  evolve,
};

export const AGENT_EVENT_TYPES: readonly AgentEvent['type'][] = [
  'AgentRegistered',
  'AgentDetailsChanged',
  'AgentSkillsChanged',
  'AgentQueuesChanged',
  'AgentActivated',
  'AgentDeactivated',
];

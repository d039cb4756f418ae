import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import { timestamps, timestampsAfter, type WriteResult } from '@crm/runtime';
import { type AgentCommand, agentDecider, type AgentEvent, type AgentInput, type AgentState } from '../domain/agent';
import { agentStream } from '../domain/streams';
import type { QueuesService } from './queues.service';
import { type AgentDocument, csatSummary, type ListResult } from './ticket-read-models';
import type { TicketQueries } from './ticket-queries';

export interface AgentView {
  id: string;
  name: string;
  email: string;
  skills: string[];
  queueIds: string[];
  active: boolean;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface AgentListItem extends AgentView {
  csat: { responses: number; averageScore: number | null };
}

function toAgentView(state: AgentState, revision: number, times: { createdAt: string; updatedAt: string }): AgentView {
  const { id, lifecycle: _lifecycle, ...fields } = state;
  return { id: id as string, ...fields, revision, ...times };
}

function toAgentListItem(document: AgentDocument): AgentListItem {
  const { id, name, email, skills, queueIds, active, revision, createdAt, updatedAt } = document;
  return { id, name, email, skills, queueIds, active, revision, createdAt, updatedAt, csat: csatSummary(document) };
}

/** Agents: who works which queues, with which skills (ticket categories). */
export class AgentsService {
  private readonly agents: EventSourcedCommandHandler<AgentCommand, AgentState, AgentEvent>;

  constructor(
    store: EventStore,
    private readonly queues: QueuesService,
    private readonly queries: TicketQueries,
    private readonly newId: () => string = newRecordId,
  ) {
    this.agents = new EventSourcedCommandHandler(store, agentDecider);
  }

  async register(context: CommandContext, input: AgentInput): Promise<WriteResult<AgentView>> {
    await this.checkQueues(context.tenantId, input.queueIds);
    const agentId = this.newId();
    return this.run(context, agentId, { type: 'RegisterAgent', agentId, input });
  }

  async update(context: CommandContext, agentId: string, input: AgentInput): Promise<WriteResult<AgentView>> {
    await this.checkQueues(context.tenantId, input.queueIds);
    return this.run(context, agentId, { type: 'UpdateAgent', input });
  }

  async get(tenantId: string, agentId: string): Promise<AgentView> {
    const { state, revision, events } = await this.agents.load(agentStream(tenantId, agentId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Agent not found');
    return toAgentView(state, revision, timestamps(events));
  }

  async list(tenantId: string, filter: { queueId?: string; active?: boolean; skill?: string; limit?: number; cursor?: string }): Promise<ListResult<AgentListItem>> {
    const page = await this.queries.listAgents(tenantId, filter);
    return { items: page.items.map(toAgentListItem), nextCursor: page.nextCursor };
  }

  /**
   * Manual assignment names an agent: it must exist, be active and work the queue (read from the agent's
   * stream, not the list, so an agent just added to the queue can take tickets at once). Skills are not
   * required here: a person assigning by hand may route around them on purpose.
   */
  async requireAssignable(tenantId: string, agentId: string, queueId: string): Promise<void> {
    const { state } = await this.agents.load(agentStream(tenantId, agentId));
    const reject = (reason: string) => new DomainError('invalid', `Invalid assigneeId: ${reason}`, [{ field: 'assigneeId', reason }]);
    if (state.lifecycle === 'absent') throw reject('no agent with this id');
    if (!state.active) throw reject('the agent is not active');
    if (!state.queueIds.includes(queueId)) throw reject('the agent does not work this queue');
  }

  private async checkQueues(tenantId: string, queueIds: string[] | undefined): Promise<void> {
    for (const [index, queueId] of (queueIds ?? []).entries()) await this.queues.requireQueue(tenantId, queueId, `queueIds.${index}`);
  }

  private async run(context: CommandContext, agentId: string, command: AgentCommand): Promise<WriteResult<AgentView>> {
    const result = await this.agents.handle(agentStream(context.tenantId, agentId), command, context);
    return { view: toAgentView(result.state, result.revision, timestampsAfter(result)), revision: result.revision, position: result.position };
  }
}

import { type CommandContext, DomainError, EventSourcedCommandHandler, eventMetadataFor, newEventId, newRecordId } from '@crm/decider';
import { type EventStore, type NewEvent, type RecordedEvent, WrongExpectedRevisionError } from '@crm/eventstore';
import { timestamps, timestampsAfter, type WriteResult } from '@crm/runtime';
import { type AgentCandidate, eligibleAgents, leastLoaded, type QueueAssignmentStrategy } from '../domain/assignment';
import {
  type QueueCommand,
  queueDecider,
  type QueueEvent,
  type QueueInput,
  queueRotationDecider,
  type QueueRotationState,
  queueRotationStream,
  type QueueState,
} from '../domain/queue';
import { queueStream } from '../domain/streams';
import { csatSummary, type ListResult, type QueueDocument } from './ticket-read-models';
import type { TicketQueries } from './ticket-queries';

export interface QueueView {
  id: string;
  name: string;
  assignment: QueueAssignmentStrategy;
  categories: string[];
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface QueueListItem extends QueueView {
  csat: { responses: number; averageScore: number | null };
}

function toQueueView(state: QueueState, revision: number, times: { createdAt: string; updatedAt: string }): QueueView {
  return { id: state.id as string, name: state.name, assignment: state.assignment, categories: state.categories, revision, ...times };
}

export function toQueueListItem(document: QueueDocument): QueueListItem {
  return {
    id: document.id,
    name: document.name,
    assignment: document.assignment,
    categories: document.categories,
    revision: document.revision,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    csat: csatSummary(document),
  };
}

const MAX_CACHED_QUEUES = 5_000;

interface PendingPick {
  context: CommandContext;
  queueId: string;
  ticketId: string;
  eligible: string[];
  resolve(agentId: string | null): void;
  reject(error: unknown): void;
}

/**
 * Round-robin picks, decided on the queue's rotation stream (see queueRotationStream). Picks of one queue
 * in this process never race each other on the append: those that arrive while one is being written wait
 * and are then decided together, in order, and written in one append (a group commit), so a busy queue
 * costs one append per batch rather than one per ticket. The stream grows by one event per pick, so its
 * state is kept folded in memory and only newer events are read.
 */
class QueueRotation {
  private readonly states = new Map<string, { state: QueueRotationState; revision: number }>();
  private readonly pending = new Map<string, PendingPick[]>();
  private readonly draining = new Set<string>();

  constructor(private readonly store: EventStore) {}

  pick(context: CommandContext, queueId: string, ticketId: string, eligible: string[]): Promise<string | null> {
    const streamName = queueRotationStream(context.tenantId, queueId);
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(streamName) ?? [];
      waiting.push({ context, queueId, ticketId, eligible, resolve, reject });
      this.pending.set(streamName, waiting);
      if (!this.draining.has(streamName)) void this.drain(streamName);
    });
  }

  private async drain(streamName: string): Promise<void> {
    this.draining.add(streamName);
    try {
      for (let batch = this.pending.get(streamName); batch?.length; batch = this.pending.get(streamName)) {
        this.pending.delete(streamName);
        try {
          const picks = await this.decideAndAppend(streamName, batch);
          batch.forEach((request, index) => request.resolve(picks[index]));
        } catch (error) {
          for (const request of batch) request.reject(error);
        }
      }
    } finally {
      this.draining.delete(streamName);
    }
  }

  private async load(streamName: string) {
    let entry = this.states.get(streamName) ?? { state: queueRotationDecider.initialState(), revision: -1 };
    const newer: RecordedEvent[] = await this.store.readStream(streamName, { fromRevision: entry.revision + 1 });
    if (newer.length > 0) {
      let state = entry.state;
      for (const event of newer) state = queueRotationDecider.evolve(state, { type: 'QueueRoundRobinAdvanced', data: event.data as never });
      entry = { state, revision: newer[newer.length - 1].revision };
      if (this.states.size >= MAX_CACHED_QUEUES) this.states.clear();
      this.states.set(streamName, entry);
    }
    return entry;
  }

  private async decideAndAppend(streamName: string, batch: PendingPick[]): Promise<(string | null)[]> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const loaded = await this.load(streamName);
      let state = loaded.state;
      const picks: (string | null)[] = [];
      const toAppend: NewEvent[] = [];
      for (const request of batch) {
        const [event] = queueRotationDecider.decide({ type: 'PickRoundRobin', queueId: request.queueId, ticketId: request.ticketId, eligible: request.eligible }, state);
        if (!event) {
          picks.push(state.last?.ticketId === request.ticketId ? state.last.agentId : null);
          continue;
        }
        state = queueRotationDecider.evolve(state, event);
        picks.push(event.data.agentId);
        const occurredAt = (request.context.now?.() ?? new Date()).toISOString();
        toAppend.push({ eventId: newEventId(), type: event.type, data: event.data, metadata: eventMetadataFor(request.context, occurredAt, 1) });
      }
      if (toAppend.length === 0) return picks;
      try {
        await this.store.append(streamName, toAppend, loaded.revision === -1 ? 'no_stream' : loaded.revision);
        return picks;
      } catch (error) {
        // Another process picked meanwhile: read its picks and decide again.
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    throw new DomainError('conflict', 'Too many concurrent assignments in this queue; try again');
  }
}

/** Queues: their definition, and who in them gets the next ticket. */
export class QueuesService {
  private readonly queues: EventSourcedCommandHandler<QueueCommand, QueueState, QueueEvent>;
  private readonly rotation: QueueRotation;

  constructor(
    store: EventStore,
    private readonly queries: TicketQueries,
    private readonly newId: () => string = newRecordId,
  ) {
    this.queues = new EventSourcedCommandHandler(store, queueDecider);
    this.rotation = new QueueRotation(store);
  }

  async create(context: CommandContext, input: QueueInput): Promise<WriteResult<QueueView>> {
    const queueId = this.newId();
    return this.run(context, queueId, { type: 'CreateQueue', queueId, input });
  }

  update(context: CommandContext, queueId: string, input: QueueInput): Promise<WriteResult<QueueView>> {
    return this.run(context, queueId, { type: 'UpdateQueue', input });
  }

  async get(tenantId: string, queueId: string): Promise<QueueView> {
    const { state, revision, events } = await this.queues.load(queueStream(tenantId, queueId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Queue not found');
    return toQueueView(state, revision, timestamps(events));
  }

  async list(tenantId: string, options: { limit?: number; cursor?: string }): Promise<ListResult<QueueListItem>> {
    const page = await this.queries.listQueues(tenantId, options);
    return { items: page.items.map(toQueueListItem), nextCursor: page.nextCursor };
  }

  /** A queue a ticket or an agent may name; otherwise a 400 on `field`. */
  async requireQueue(tenantId: string, queueId: string, field = 'queueId'): Promise<QueueState> {
    const { state } = await this.queues.load(queueStream(tenantId, queueId));
    if (state.lifecycle === 'absent') throw new DomainError('invalid', `Invalid ${field}: no such queue`, [{ field, reason: 'no queue with this id' }]);
    return state;
  }

  /** The queue that takes a category, when a ticket names none (from the queue list, which knows only existing queues). */
  async queueForCategory(tenantId: string, category: string): Promise<{ id: string; assignment: QueueAssignmentStrategy } | null> {
    const queue = await this.queries.queueForCategory(tenantId, category);
    return queue ? { id: queue.id, assignment: queue.assignment } : null;
  }

  /**
   * Who gets `ticketId` in the queue by `strategy`: an active agent of the queue with the category's
   * skill, or null when there is none (the ticket then waits in the queue unassigned).
   */
  async chooseAssignee(
    context: CommandContext,
    input: { queueId: string; ticketId: string; category: string | null; strategy: QueueAssignmentStrategy },
  ): Promise<string | null> {
    if (input.strategy === 'manual') return null;
    const agents: AgentCandidate[] = (await this.queries.agentsOfQueue(context.tenantId, input.queueId)).map((agent) => ({
      agentId: agent.id,
      active: agent.active,
      skills: agent.skills,
      queueIds: agent.queueIds,
    }));
    const eligible = eligibleAgents(agents, input.queueId, input.category);
    if (eligible.length === 0) return null;
    if (input.strategy === 'least_loaded') return leastLoaded(eligible, await this.queries.openTicketCounts(context.tenantId, eligible));
    return this.rotation.pick(context, input.queueId, input.ticketId, eligible);
  }

  private async run(context: CommandContext, queueId: string, command: QueueCommand): Promise<WriteResult<QueueView>> {
    const result = await this.queues.handle(queueStream(context.tenantId, queueId), command, context);
    return { view: toQueueView(result.state, result.revision, timestampsAfter(result)), revision: result.revision, position: result.position };
  }
}

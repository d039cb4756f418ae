import type { RecordedEvent } from '@crm/eventstore';
import { applyOnce, type IndexSpec, type Projection, type ReadStore, type UpdateSpec } from '@crm/readstore';
import type { AgentEvent } from '../domain/agent';
import type { QueueEvent } from '../domain/queue';
import { parseStreamName } from '../domain/streams';
import type { TicketEvent } from '../domain/ticket';
import { AGENTS_COLLECTION, QUEUES_COLLECTION } from '../application/ticket-read-models';

export const QUEUES_PROJECTION = 'service.queues-agents.v1';

export const QUEUES_PROJECTION_INDEXES: Record<string, IndexSpec[]> = {
  [QUEUES_COLLECTION]: [{ keys: { tenantId: 1, createdAt: 1 } }, { keys: { tenantId: 1, categories: 1 } }],
  [AGENTS_COLLECTION]: [{ keys: { tenantId: 1, createdAt: 1 } }, { keys: { tenantId: 1, queueIds: 1 } }],
};

const documentId = (tenantId: string, id: string) => `${tenantId}:${id}`;

function queueUpdate(event: QueueEvent, recorded: RecordedEvent, tenantId: string): UpdateSpec {
  const common = { revision: recorded.revision, updatedAt: recorded.metadata.occurredAt };
  switch (event.type) {
    case 'QueueCreated':
      return {
        $set: { ...common, tenantId, id: event.data.queueId, name: event.data.name, assignment: event.data.assignment, categories: event.data.categories, createdAt: recorded.metadata.occurredAt },
        $setOnInsert: { csatResponses: 0, csatScoreTotal: 0 },
      };
    case 'QueueRenamed':
      return { $set: { ...common, name: event.data.name } };
    case 'QueueAssignmentChanged':
      return { $set: { ...common, assignment: event.data.assignment } };
    case 'QueueCategoriesChanged':
      return { $set: { ...common, categories: event.data.categories } };
  }
}

function agentUpdate(event: AgentEvent, recorded: RecordedEvent, tenantId: string): UpdateSpec {
  const common = { revision: recorded.revision, updatedAt: recorded.metadata.occurredAt };
  switch (event.type) {
    case 'AgentRegistered': {
      const { agentId, ...fields } = event.data;
      return { $set: { ...common, ...fields, tenantId, id: agentId, createdAt: recorded.metadata.occurredAt }, $setOnInsert: { csatResponses: 0, csatScoreTotal: 0 } };
    }
    case 'AgentDetailsChanged':
      return { $set: { ...common, name: event.data.name, email: event.data.email } };
    case 'AgentSkillsChanged':
      return { $set: { ...common, skills: event.data.skills } };
    case 'AgentQueuesChanged':
      return { $set: { ...common, queueIds: event.data.queueIds } };
    case 'AgentActivated':
      return { $set: { ...common, active: true } };
    case 'AgentDeactivated':
      return { $set: { ...common, active: false } };
  }
}

const QUEUE_TYPES = new Set(['QueueCreated', 'QueueRenamed', 'QueueAssignmentChanged', 'QueueCategoriesChanged']);

async function apply(recorded: RecordedEvent, store: ReadStore): Promise<void> {
  const stream = parseStreamName(recorded.streamName);
  if (!stream) return;
  if (stream.kind === 'queue' && QUEUE_TYPES.has(recorded.type)) {
    const event = { type: recorded.type, data: recorded.data } as QueueEvent;
    await applyOnce(store.collection(QUEUES_COLLECTION), documentId(stream.tenantId, stream.id), recorded.position, queueUpdate(event, recorded, stream.tenantId));
  } else if (stream.kind === 'agent') {
    const event = { type: recorded.type, data: recorded.data } as AgentEvent;
    await applyOnce(store.collection(AGENTS_COLLECTION), documentId(stream.tenantId, stream.id), recorded.position, agentUpdate(event, recorded, stream.tenantId));
  } else if (stream.kind === 'ticket' && recorded.type === 'CsatReceived') {
    // Satisfaction per agent and per queue: each response counted once per document (the position guard).
    const event = { type: recorded.type, data: recorded.data } as Extract<TicketEvent, { type: 'CsatReceived' }>;
    const tally: UpdateSpec = { $inc: { csatResponses: 1, csatScoreTotal: event.data.score } };
    // Only documents that exist: a response must not create a half-empty agent or queue.
    if (event.data.assigneeId) await applyOnceIfPresent(store, AGENTS_COLLECTION, documentId(stream.tenantId, event.data.assigneeId), recorded.position, tally);
    if (event.data.queueId) await applyOnceIfPresent(store, QUEUES_COLLECTION, documentId(stream.tenantId, event.data.queueId), recorded.position, tally);
  }
}

async function applyOnceIfPresent(store: ReadStore, collection: string, id: string, position: number, update: UpdateSpec): Promise<void> {
  await store.collection(collection).updateOne({ _id: id, _position: { $lt: position } }, { ...update, $set: { ...update.$set, _position: position } });
}

/** Queues and agents for `GET /queues`, `GET /agents` and assignment, with their CSAT tallies. */
export const queuesProjection: Projection = {
  name: QUEUES_PROJECTION,
  indexes: QUEUES_PROJECTION_INDEXES,
  apply,
};

import type { Filter, ReadStore, SortSpec } from '@crm/readstore';
import { normaliseMessageId } from '../domain/email-threading';
import { type TicketPriority, type TicketStatus, UNRESOLVED_STATUSES } from '../domain/ticket';
import {
  AGENTS_COLLECTION,
  type AgentDocument,
  type ListResult,
  messageDocumentId,
  QUEUES_COLLECTION,
  type QueueDocument,
  type SlaState,
  TICKET_MESSAGES_COLLECTION,
  type TicketDocument,
  type TicketListItem,
  TICKETS_COLLECTION,
  searchTokens,
} from './ticket-read-models';

export interface TicketListFilter {
  queueId?: string;
  assigneeId?: string;
  status?: TicketStatus;
  priority?: TicketPriority;
  requesterContactId?: string;
  companyId?: string;
  category?: string;
  tag?: string;
  flag?: string;
  slaState?: SlaState;
  q?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

export const DEFAULT_LIMIT = 50;

function parseSort(sort: string | undefined): SortSpec {
  const value = sort ?? '-createdAt';
  return value.startsWith('-') ? { [value.slice(1)]: -1 } : { [value]: 1 };
}

export function toListItem(document: TicketDocument): TicketListItem {
  const { _id, _position, tenantId, searchTokens: _tokens, ...item } = document;
  return item;
}

/** Reads of the ticket, queue and agent read models: eventually consistent, bounded by the consistency token. */
export class TicketQueries {
  constructor(private readonly store: ReadStore) {}

  private get tickets() {
    return this.store.collection<TicketDocument>(TICKETS_COLLECTION);
  }

  async listTickets(tenantId: string, filter: TicketListFilter): Promise<ListResult<TicketListItem>> {
    const query: Filter = { tenantId };
    if (filter.queueId) query.queueId = filter.queueId;
    if (filter.assigneeId) query.assigneeId = filter.assigneeId;
    if (filter.status) query.status = filter.status;
    if (filter.priority) query.priority = filter.priority;
    if (filter.requesterContactId) query.requesterContactId = filter.requesterContactId;
    if (filter.companyId) query.companyId = filter.companyId;
    if (filter.category) query.category = filter.category.trim().toLowerCase();
    if (filter.tag) query.tags = filter.tag.trim().toLowerCase();
    if (filter.flag) query.flags = filter.flag;
    if (filter.slaState) query.slaState = filter.slaState;
    if (filter.q) {
      const tokens = searchTokens(filter.q);
      // Nothing searchable in q (punctuation only, one letter): nothing matches rather than everything.
      query.searchTokens = tokens.length > 0 ? { $all: tokens } : { $in: [] };
    }
    const page = await this.tickets.findPage(query, { sort: parseSort(filter.sort), limit: filter.limit ?? DEFAULT_LIMIT, cursor: filter.cursor });
    return { items: page.items.map(toListItem), nextCursor: page.nextCursor };
  }

  /** The ticket an earlier Message-ID belongs to (one we received or sent), or null. */
  async ticketOfMessage(tenantId: string, messageId: string): Promise<string | null> {
    const document = await this.store
      .collection<{ _id: string; ticketId: string }>(TICKET_MESSAGES_COLLECTION)
      .findOne({ _id: messageDocumentId(tenantId, normaliseMessageId(messageId)) });
    return document?.ticketId ?? null;
  }

  /** The ticket a subject token (`T-XXXXXXXX`) names; the oldest one if two ever shared a short id. */
  async ticketByShortId(tenantId: string, shortId: string): Promise<string | null> {
    const [document] = await this.tickets.find({ tenantId, shortId }, { sort: { createdAt: 1 }, limit: 1, projection: { id: 1 } });
    return (document?.id as string | undefined) ?? null;
  }

  /** Unresolved tickets per agent, for least-loaded assignment. */
  async openTicketCounts(tenantId: string, agentIds: string[]): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const agentId of agentIds) {
      counts[agentId] = await this.tickets.countDocuments({ tenantId, assigneeId: agentId, status: { $in: [...UNRESOLVED_STATUSES] } });
    }
    return counts;
  }

  /** The queue that takes tickets of a category when they name no queue: the oldest such queue. */
  async queueForCategory(tenantId: string, category: string): Promise<QueueDocument | null> {
    const [queue] = await this.store.collection<QueueDocument>(QUEUES_COLLECTION).find({ tenantId, categories: category }, { sort: { createdAt: 1, _id: 1 }, limit: 1 });
    return queue ?? null;
  }

  async agentsOfQueue(tenantId: string, queueId: string): Promise<AgentDocument[]> {
    return this.store.collection<AgentDocument>(AGENTS_COLLECTION).find({ tenantId, queueIds: queueId }, { sort: { _id: 1 }, limit: 1000 });
  }

  async listQueues(tenantId: string, options: { limit?: number; cursor?: string }): Promise<ListResult<QueueDocument>> {
    const page = await this.store.collection<QueueDocument>(QUEUES_COLLECTION).findPage({ tenantId }, { sort: { createdAt: 1 }, limit: options.limit ?? DEFAULT_LIMIT, cursor: options.cursor });
    return page;
  }

  async listAgents(tenantId: string, filter: { queueId?: string; active?: boolean; skill?: string; limit?: number; cursor?: string }): Promise<ListResult<AgentDocument>> {
    const query: Filter = { tenantId };
    if (filter.queueId) query.queueIds = filter.queueId;
    if (filter.active !== undefined) query.active = filter.active;
    if (filter.skill) query.skills = filter.skill.trim().toLowerCase();
    return this.store.collection<AgentDocument>(AGENTS_COLLECTION).findPage(query, { sort: { createdAt: 1 }, limit: filter.limit ?? DEFAULT_LIMIT, cursor: filter.cursor });
  }
}

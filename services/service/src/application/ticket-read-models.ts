import type { Document } from '@crm/readstore';
import type { QueueAssignmentStrategy } from '../domain/assignment';
import type { TicketChannel, TicketPriority, TicketStatus } from '../domain/ticket';

/** Read-model collections of tickets, queues and agents (versioned names: a new shape is a new collection, rebuilt). */
export const TICKETS_COLLECTION = 'service_tickets_v1';
/** Message-ID → ticket, for threading inbound email. */
export const TICKET_MESSAGES_COLLECTION = 'service_ticket_messages_v1';
export const QUEUES_COLLECTION = 'service_queues_v1';
export const AGENTS_COLLECTION = 'service_agents_v1';

export const SLA_STATES = ['ok', 'warning', 'breached'] as const;
export type SlaState = (typeof SLA_STATES)[number];
export type SlaMetricState = 'warning' | 'breached' | 'met';

export const ticketDocumentId = (tenantId: string, ticketId: string) => `${tenantId}:${ticketId}`;
export const messageDocumentId = (tenantId: string, normalisedMessageId: string) => `${tenantId}:${normalisedMessageId}`;

/** One ticket in `GET /tickets`: the fields lists filter and show, without the conversation. */
export interface TicketListItem {
  id: string;
  shortId: string;
  channel: TicketChannel;
  subject: string;
  requesterContactId: string | null;
  requesterEmail: string | null;
  companyId: string | null;
  priority: TicketPriority;
  category: string | null;
  tags: string[];
  status: TicketStatus;
  queueId: string | null;
  assigneeId: string | null;
  flags: string[];
  /** The most severe open SLA outcome, from the SLA clock's events: a breach stays a breach. */
  slaState: SlaState;
  sla: Record<string, SlaMetricState>;
  csatScore: number | null;
  maintenanceOf: string | null;
  replyCount: number;
  revision: number;
  createdAt: string;
  updatedAt: string;
  solvedAt: string | null;
  closedAt: string | null;
}

export interface TicketDocument extends Document, TicketListItem {
  tenantId: string;
  searchTokens: string[];
  _position: number;
}

export interface TicketMessageDocument extends Document {
  tenantId: string;
  ticketId: string;
}

export interface QueueDocument extends Document {
  tenantId: string;
  id: string;
  name: string;
  assignment: QueueAssignmentStrategy;
  categories: string[];
  csatResponses: number;
  csatScoreTotal: number;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface AgentDocument extends Document {
  tenantId: string;
  id: string;
  name: string;
  email: string;
  skills: string[];
  queueIds: string[];
  active: boolean;
  csatResponses: number;
  csatScoreTotal: number;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface ListResult<T> {
  items: T[];
  nextCursor: string | null;
}

/** Lower-case word tokens of a text, for `q`: a plain token match, not a search engine. */
export function searchTokens(...texts: string[]): string[] {
  const tokens = new Set<string>();
  for (const text of texts) {
    for (const token of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      if (token.length >= 2 && token.length <= 40) tokens.add(token);
      if (tokens.size >= 300) return [...tokens];
    }
  }
  return [...tokens];
}

export function csatSummary(document: { csatResponses?: number; csatScoreTotal?: number }): { responses: number; averageScore: number | null } {
  const responses = document.csatResponses ?? 0;
  return { responses, averageScore: responses === 0 ? null : Math.round(((document.csatScoreTotal ?? 0) / responses) * 100) / 100 };
}

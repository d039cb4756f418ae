import type { RecordedEvent } from '@crm/eventstore';
import { timestamps } from '@crm/runtime';
import { outgoingMessageId, replySubject } from '../domain/email-threading';
import {
  type TicketAttachment,
  type TicketChannel,
  type TicketEvent,
  type TicketEventType,
  type TicketPriority,
  type TicketState,
  type TicketStatus,
  ticketShortId,
} from '../domain/ticket';

/** One public reply or internal note, in the order they were written. */
export interface ConversationEntry {
  kind: 'reply' | 'note';
  id: string;
  authorType: 'agent' | 'requester';
  authorId: string;
  body: string;
  attachments: TicketAttachment[];
  createdAt: string;
  /** Agent replies: the headers a mailer sends them with, so the customer's answer threads back onto the ticket. */
  outgoingEmail?: { messageId: string; subject: string };
  /** Replies that came in by email: their Message-ID. */
  externalMessageId?: string;
}

export interface TicketView {
  id: string;
  shortId: string;
  channel: TicketChannel;
  subject: string;
  description: string;
  requesterContactId: string | null;
  requesterEmail: string | null;
  companyId: string | null;
  priority: TicketPriority;
  category: string | null;
  tags: string[];
  attachments: TicketAttachment[];
  status: TicketStatus;
  queueId: string | null;
  assigneeId: string | null;
  flags: { flag: string; reason: string | null }[];
  maintenanceOf: string | null;
  followUpOf: string | null;
  csat: { surveyId: string; expiresAt: string; answered: boolean; score: number | null } | null;
  conversation: ConversationEntry[];
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** What the requester sees in the portal: no internal notes, flags or routing. */
export interface PortalTicketView {
  id: string;
  shortId: string;
  channel: TicketChannel;
  subject: string;
  description: string;
  attachments: TicketAttachment[];
  priority: TicketPriority;
  status: TicketStatus;
  conversation: Omit<ConversationEntry, 'kind' | 'outgoingEmail' | 'externalMessageId'>[];
  /** An open survey the requester can answer from the portal (POST /tickets/{id}/csat with this token). */
  csatSurvey: { surveyId: string; token: string; expiresAt: string } | null;
  createdAt: string;
  updatedAt: string;
}

function conversationOf(state: TicketState, events: RecordedEvent[]): ConversationEntry[] {
  const entries: ConversationEntry[] = [];
  for (const recorded of events) {
    const event = { type: recorded.type, data: recorded.data } as TicketEvent;
    if (event.type === 'TicketReplied') {
      const entry: ConversationEntry = {
        kind: 'reply',
        id: event.data.messageId,
        authorType: event.data.authorType,
        authorId: event.data.authorId,
        body: event.data.body,
        attachments: event.data.attachments,
        createdAt: recorded.metadata.occurredAt,
      };
      if (event.data.authorType === 'agent' && state.id) {
        entry.outgoingEmail = { messageId: outgoingMessageId(state.id, event.data.messageId), subject: replySubject(state.subject, state.id) };
      }
      if (event.data.externalMessageId) entry.externalMessageId = event.data.externalMessageId;
      entries.push(entry);
    } else if (event.type === 'TicketNoteAdded') {
      entries.push({
        kind: 'note',
        id: event.data.noteId,
        authorType: 'agent',
        authorId: event.data.authorId,
        body: event.data.body,
        attachments: event.data.attachments,
        createdAt: recorded.metadata.occurredAt,
      });
    }
  }
  return entries;
}

export function toTicketView(state: TicketState, revision: number, events: RecordedEvent[], times = timestamps(events)): TicketView {
  const id = state.id as string;
  return {
    id,
    shortId: ticketShortId(id),
    channel: state.channel as TicketChannel,
    subject: state.subject,
    description: state.description,
    requesterContactId: state.requesterContactId,
    requesterEmail: state.requesterEmail,
    companyId: state.companyId,
    priority: state.priority,
    category: state.category,
    tags: state.tags,
    attachments: state.attachments,
    status: state.status as TicketStatus,
    queueId: state.queueId,
    assigneeId: state.assigneeId,
    flags: Object.entries(state.flags).map(([flag, reason]) => ({ flag, reason })),
    maintenanceOf: state.maintenanceOf,
    followUpOf: state.followUpOf,
    csat: state.survey
      ? { surveyId: state.survey.surveyId, expiresAt: state.survey.expiresAt, answered: state.survey.answered, score: state.survey.answered ? state.csatScore : null }
      : null,
    conversation: conversationOf(state, events),
    revision,
    ...times,
  };
}

export function toPortalTicketView(view: TicketView, csatSurvey: PortalTicketView['csatSurvey']): PortalTicketView {
  return {
    id: view.id,
    shortId: view.shortId,
    channel: view.channel,
    subject: view.subject,
    description: view.description,
    attachments: view.attachments,
    priority: view.priority,
    status: view.status,
    conversation: view.conversation
      .filter((entry) => entry.kind === 'reply')
      .map((entry) => ({ id: entry.id, authorType: entry.authorType, authorId: entry.authorType === 'agent' ? 'agent' : entry.authorId, body: entry.body, attachments: entry.attachments, createdAt: entry.createdAt })),
    csatSurvey,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

/** Which view fields each event changes, for `GET /tickets/{id}/history`. */
export const TICKET_FIELDS_BY_EVENT: Record<TicketEventType, string[]> = {
  TicketOpened: ['channel', 'subject', 'description', 'requesterContactId', 'requesterEmail', 'companyId', 'priority', 'category', 'tags', 'queueId'],
  TicketStatusChanged: ['status'],
  TicketPriorityChanged: ['priority'],
  TicketAssigned: ['queueId', 'assigneeId'],
  TicketReplied: ['conversation'],
  TicketNoteAdded: ['conversation'],
  TicketSubjectChanged: ['subject'],
  TicketDescriptionChanged: ['description'],
  TicketRequesterChanged: ['requesterContactId', 'requesterEmail', 'companyId'],
  TicketCategorized: ['category'],
  TicketTagged: ['tags'],
  TicketUntagged: ['tags'],
  TicketFlagged: ['flags'],
  TicketUnflagged: ['flags'],
  CsatSurveyRequested: ['csat'],
  CsatReceived: ['csat'],
};

import type { RecordedEvent } from '@crm/eventstore';
import type { BulkOperation, Collection, IndexSpec, Projection, ReadStore } from '@crm/readstore';
import { normaliseMessageId, outgoingMessageId } from '../domain/email-threading';
import { parseStreamName } from '../domain/streams';
import { type TicketEvent, ticketShortId } from '../domain/ticket';
import {
  messageDocumentId,
  type SlaMetricState,
  type SlaState,
  TICKET_MESSAGES_COLLECTION,
  type TicketDocument,
  ticketDocumentId,
  type TicketMessageDocument,
  TICKETS_COLLECTION,
  searchTokens,
} from '../application/ticket-read-models';

export const TICKETS_PROJECTION = 'service.tickets.v1';

export const TICKETS_PROJECTION_INDEXES: Record<string, IndexSpec[]> = {
  [TICKETS_COLLECTION]: [
    { keys: { tenantId: 1, createdAt: -1 } },
    { keys: { tenantId: 1, status: 1, createdAt: -1 } },
    { keys: { tenantId: 1, queueId: 1, createdAt: -1 } },
    { keys: { tenantId: 1, assigneeId: 1, status: 1 } },
    { keys: { tenantId: 1, requesterContactId: 1, createdAt: -1 } },
    { keys: { tenantId: 1, slaState: 1, createdAt: -1 } },
    { keys: { tenantId: 1, shortId: 1 } },
    { keys: { searchTokens: 1 } },
  ],
  [TICKET_MESSAGES_COLLECTION]: [{ keys: { tenantId: 1, ticketId: 1 } }],
};

/** Event types of the SLA clock (written by the SLA feature on `<tenant>.ticketsla-<id>`), read here by name only. */
const SLA_EVENT_TYPES = new Set(['SlaWarningIssued', 'SlaBreached', 'SlaTargetMet']);

/**
 * The most severe open outcome: a breach stays a breach (it happened, even if the target is met
 * later); a warning counts until its target is met.
 */
export function slaStateOf(metrics: Record<string, SlaMetricState>): SlaState {
  const states = Object.values(metrics);
  if (states.includes('breached')) return 'breached';
  if (states.includes('warning')) return 'warning';
  return 'ok';
}

function nextSlaMetric(current: SlaMetricState | undefined, eventType: string): SlaMetricState {
  if (current === 'breached') return 'breached';
  if (eventType === 'SlaBreached') return 'breached';
  if (eventType === 'SlaTargetMet') return 'met';
  return current === 'met' ? 'met' : 'warning';
}

/** The next list document after one ticket event; undefined when the event does not concern the list. */
export function nextTicketDocument(document: TicketDocument | undefined, event: TicketEvent, recorded: RecordedEvent, tenantId: string): TicketDocument | undefined {
  const at = recorded.metadata.occurredAt;
  if (event.type === 'TicketOpened') {
    if (document) return undefined;
    const { data } = event;
    return {
      _id: ticketDocumentId(tenantId, data.ticketId),
      _position: recorded.position,
      tenantId,
      id: data.ticketId,
      shortId: ticketShortId(data.ticketId),
      channel: data.channel,
      subject: data.subject,
      requesterContactId: data.requesterContactId,
      requesterEmail: data.requesterEmail,
      companyId: data.companyId,
      priority: data.priority,
      category: data.category,
      tags: data.tags,
      status: 'new',
      queueId: data.queueId,
      assigneeId: null,
      flags: [],
      slaState: 'ok',
      sla: {},
      csatScore: null,
      maintenanceOf: data.maintenanceOf ?? null,
      replyCount: 0,
      revision: recorded.revision,
      createdAt: at,
      updatedAt: at,
      solvedAt: null,
      closedAt: null,
      searchTokens: searchTokens(data.subject, data.description),
    };
  }
  if (!document) return undefined;
  const next: TicketDocument = { ...document, _position: recorded.position, revision: recorded.revision, updatedAt: at };
  switch (event.type) {
    case 'TicketStatusChanged':
      next.status = event.data.to;
      if (event.data.to === 'solved') next.solvedAt = at;
      if (event.data.from === 'solved' && event.data.to !== 'closed') next.solvedAt = null;
      if (event.data.to === 'closed') next.closedAt = at;
      return next;
    case 'TicketPriorityChanged':
      next.priority = event.data.to;
      return next;
    case 'TicketAssigned':
      next.queueId = event.data.queueId;
      next.assigneeId = event.data.assigneeId;
      return next;
    case 'TicketReplied':
      next.replyCount = document.replyCount + 1;
      return next;
    case 'TicketSubjectChanged':
      next.subject = event.data.subject;
      // Tokens of the old subject may stay until the description changes: a search may match a word that was once in the subject.
      next.searchTokens = [...new Set([...searchTokens(event.data.subject), ...document.searchTokens])].slice(0, 300);
      return next;
    case 'TicketDescriptionChanged':
      next.searchTokens = searchTokens(document.subject, event.data.description);
      return next;
    case 'TicketRequesterChanged':
      next.requesterContactId = event.data.requesterContactId;
      next.requesterEmail = event.data.requesterEmail;
      next.companyId = event.data.companyId;
      return next;
    case 'TicketCategorized':
      next.category = event.data.category;
      return next;
    case 'TicketTagged':
      next.tags = document.tags.includes(event.data.tag) ? document.tags : [...document.tags, event.data.tag];
      return next;
    case 'TicketUntagged':
      next.tags = document.tags.filter((tag) => tag !== event.data.tag);
      return next;
    case 'TicketFlagged':
      next.flags = document.flags.includes(event.data.flag) ? document.flags : [...document.flags, event.data.flag];
      return next;
    case 'TicketUnflagged':
      next.flags = document.flags.filter((flag) => flag !== event.data.flag);
      return next;
    case 'CsatReceived':
      next.csatScore = event.data.score;
      return next;
    default:
      return next;
  }
}

/** Message-IDs a ticket event makes known: the email that opened or answered it, and our own outgoing replies. */
function messageIdsOf(event: TicketEvent): string[] {
  if (event.type === 'TicketOpened' && event.data.externalMessageId) return [event.data.externalMessageId];
  if (event.type === 'TicketReplied') {
    if (event.data.externalMessageId) return [event.data.externalMessageId];
    if (event.data.authorType === 'agent') return [outgoingMessageId(event.data.ticketId, event.data.messageId)];
  }
  return [];
}

interface Pending {
  tickets: Collection<TicketDocument>;
  documents: Map<string, TicketDocument | undefined>;
  changed: Set<string>;
  messages: BulkOperation<TicketMessageDocument>[];
}

async function applyEvents(events: RecordedEvent[], store: ReadStore): Promise<void> {
  const relevant = events
    .map((recorded) => ({ recorded, stream: parseStreamName(recorded.streamName) }))
    .filter(({ recorded, stream }) => stream && (stream.kind === 'ticket' || (stream.kind === 'ticketsla' && SLA_EVENT_TYPES.has(recorded.type))));
  if (relevant.length === 0) return;
  const pending: Pending = { tickets: store.collection<TicketDocument>(TICKETS_COLLECTION), documents: new Map(), changed: new Set(), messages: [] };
  const ids = new Set<string>();
  for (const { recorded, stream } of relevant) {
    const ticketId = stream!.kind === 'ticket' ? stream!.id : String((recorded.data as { ticketId?: unknown }).ticketId ?? stream!.id);
    ids.add(ticketDocumentId(stream!.tenantId, ticketId));
  }
  for (const document of await pending.tickets.find({ _id: { $in: [...ids] } })) pending.documents.set(document._id, document);
  for (const { recorded, stream } of relevant) {
    const tenantId = stream!.tenantId;
    if (stream!.kind === 'ticketsla') {
      const data = recorded.data as { ticketId?: string; metric?: string };
      const id = ticketDocumentId(tenantId, data.ticketId ?? stream!.id);
      const document = pending.documents.get(id);
      if (!document || document._position >= recorded.position || !data.metric) continue;
      const sla = { ...document.sla, [data.metric]: nextSlaMetric(document.sla[data.metric], recorded.type) };
      pending.documents.set(id, { ...document, sla, slaState: slaStateOf(sla), _position: recorded.position });
      pending.changed.add(id);
      continue;
    }
    const id = ticketDocumentId(tenantId, stream!.id);
    const document = pending.documents.get(id);
    if (document && document._position >= recorded.position) continue;
    const event = { type: recorded.type, data: recorded.data } as TicketEvent;
    const next = nextTicketDocument(document, event, recorded, tenantId);
    if (next) {
      pending.documents.set(id, next);
      pending.changed.add(id);
    }
    for (const messageId of messageIdsOf(event)) {
      const _id = messageDocumentId(tenantId, normaliseMessageId(messageId));
      // First writer wins: a Message-ID belongs to the ticket that first recorded it.
      pending.messages.push({ updateOne: { filter: { _id }, update: { $setOnInsert: { tenantId, ticketId: stream!.id } }, upsert: true } });
    }
  }
  if (pending.changed.size > 0) {
    await pending.tickets.bulkWrite([...pending.changed].map((id) => ({ replaceOne: { filter: { _id: id }, replacement: pending.documents.get(id)!, upsert: true } })));
  }
  if (pending.messages.length > 0) await store.collection<TicketMessageDocument>(TICKET_MESSAGES_COLLECTION).bulkWrite(pending.messages);
}

/**
 * The ticket list (`GET /tickets`) and the Message-ID index of inbound email. A batch reads the
 * touched documents once, folds the events in memory and writes each document once; a document
 * remembers the last position applied, so redelivered events are skipped and a rebuild gives the same
 * documents. It also reads the SLA clock's events (by type name) to keep each ticket's SLA state.
 */
export const ticketsProjection: Projection = {
  name: TICKETS_PROJECTION,
  indexes: TICKETS_PROJECTION_INDEXES,
  apply: (event, store) => applyEvents([event], store),
  applyBatch: applyEvents,
};

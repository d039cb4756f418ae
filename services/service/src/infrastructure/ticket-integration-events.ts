import { integrationEventFrom, type OutgoingIntegrationEvent } from '@crm/bus';
import {
  SERVICE_DESK_SOURCE,
  TICKET_EVENT_SCHEMAS,
  type ServiceTicketJson,
  type TicketAssignedJson,
  type TicketChange,
  type TicketCsatReceivedJson,
  type TicketCsatRequestedJson,
  ticketEventType,
  type TicketOpenedJson,
  type TicketRepliedJson,
  TICKETS_TOPIC,
  type TicketSolvedJson,
  type TicketStatusChangedJson,
} from '@crm/contracts';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import { signSurveyToken } from '../domain/csat';
import { outgoingMessageId, replySubject } from '../domain/email-threading';
import { parseStreamName } from '../domain/streams';
import { ticketDecider, type TicketEvent, type TicketState, ticketShortId } from '../domain/ticket';

const CACHE_LIMIT = 10_000;

function ticketJson(tenantId: string, state: TicketState, revision: number): ServiceTicketJson {
  const id = state.id ?? '';
  return {
    id,
    tenantId,
    shortId: id ? ticketShortId(id) : '',
    channel: state.channel ?? '',
    subject: state.subject,
    requesterContactId: state.requesterContactId ?? '',
    requesterEmail: state.requesterEmail ?? '',
    companyId: state.companyId ?? '',
    priority: state.priority,
    category: state.category ?? '',
    tags: state.tags,
    status: state.status ?? '',
    queueId: state.queueId ?? '',
    assigneeId: state.assigneeId ?? '',
    flags: Object.keys(state.flags),
    maintenanceOf: state.maintenanceOf ?? '',
    followUpOf: state.followUpOf ?? '',
    revision: String(revision),
  };
}

/**
 * Maps ticket events to `crm.service.ticket.v1`. Messages carry the ticket after the change, so the
 * state of each ticket stream is tracked: the relay delivers in log order, so the previous state is
 * almost always cached and one `evolve` suffices; otherwise the stream is read up to the event.
 * The CSAT survey token is re-derived here from the survey's id and expiry with the secret: the event
 * log holds only its hash.
 */
export class TicketIntegrationEventMapper {
  private readonly tracked = new Map<string, { revision: number; state: TicketState }>();

  constructor(
    private readonly store: EventStore,
    private readonly csatTokenSecret: string,
  ) {}

  readonly map = async (recorded: RecordedEvent): Promise<OutgoingIntegrationEvent[]> => {
    const stream = parseStreamName(recorded.streamName);
    if (!stream || stream.kind !== 'ticket') return [];
    const state = await this.stateAfter(recorded);
    const tenantId = stream.tenantId;
    const ticketId = stream.id;
    const event = { type: recorded.type, data: recorded.data } as TicketEvent;
    const occurredAt = recorded.metadata.occurredAt;
    const ticket = () => ticketJson(tenantId, state, recorded.revision);
    const out = <Data>(change: TicketChange, data: Data): OutgoingIntegrationEvent => ({
      topic: TICKETS_TOPIC,
      event: integrationEventFrom(recorded, { source: SERVICE_DESK_SOURCE, type: ticketEventType(change), dataschema: TICKET_EVENT_SCHEMAS[change], subject: ticketId, data }),
    });
    switch (event.type) {
      case 'TicketOpened':
        return [out<TicketOpenedJson>('opened', { ticketId, ticket: ticket(), externalMessageId: event.data.externalMessageId ?? '', occurredAt })];
      case 'TicketAssigned':
        return [
          out<TicketAssignedJson>('assigned', {
            ticketId,
            queueId: event.data.queueId,
            assigneeId: event.data.assigneeId ?? '',
            method: event.data.method,
            ticket: ticket(),
            occurredAt,
          }),
        ];
      case 'TicketStatusChanged': {
        const messages = [
          out<TicketStatusChangedJson>('status-changed', { ticketId, from: event.data.from, to: event.data.to, reason: event.data.reason ?? '', ticket: ticket(), occurredAt }),
        ];
        if (event.data.to === 'solved') messages.push(out<TicketSolvedJson>('solved', { ticketId, reason: event.data.reason ?? '', ticket: ticket(), occurredAt }));
        return messages;
      }
      case 'TicketReplied': {
        const fromAgent = event.data.authorType === 'agent';
        return [
          out<TicketRepliedJson>('replied', {
            ticketId,
            messageId: event.data.messageId,
            authorType: event.data.authorType,
            authorId: event.data.authorId,
            body: event.data.body,
            attachments: event.data.attachments.map((attachment) => ({ ...attachment, size: String(attachment.size) })),
            outgoingMessageId: fromAgent ? outgoingMessageId(ticketId, event.data.messageId) : '',
            outgoingSubject: fromAgent ? replySubject(state.subject, ticketId) : '',
            inReplyTo: state.externalMessageIds[0] ? `<${state.externalMessageIds[0]}>` : '',
            requesterEmail: state.requesterEmail ?? '',
            occurredAt,
          }),
        ];
      }
      case 'CsatSurveyRequested':
        return [
          out<TicketCsatRequestedJson>('csat-requested', {
            ticketId,
            surveyId: event.data.surveyId,
            token: signSurveyToken({ tenantId, ticketId, surveyId: event.data.surveyId, expiresAt: event.data.expiresAt }, this.csatTokenSecret),
            expiresAt: event.data.expiresAt,
            requesterContactId: state.requesterContactId ?? '',
            requesterEmail: state.requesterEmail ?? '',
            subject: state.subject,
            assigneeId: state.assigneeId ?? '',
            queueId: state.queueId ?? '',
            occurredAt,
          }),
        ];
      case 'CsatReceived':
        return [
          out<TicketCsatReceivedJson>('csat-received', {
            ticketId,
            surveyId: event.data.surveyId,
            score: event.data.score,
            comment: event.data.comment ?? '',
            assigneeId: event.data.assigneeId ?? '',
            queueId: event.data.queueId ?? '',
            requesterContactId: state.requesterContactId ?? '',
            category: state.category ?? '',
            occurredAt,
          }),
        ];
      default:
        return [];
    }
  };

  private async stateAfter(recorded: RecordedEvent): Promise<TicketState> {
    const cached = this.tracked.get(recorded.streamName);
    let state: TicketState;
    if (cached && cached.revision === recorded.revision - 1) {
      state = ticketDecider.evolve(cached.state, { type: recorded.type, data: recorded.data } as TicketEvent);
    } else if (cached && cached.revision === recorded.revision) {
      state = cached.state;
    } else if (recorded.revision === 0) {
      state = ticketDecider.evolve(ticketDecider.initialState(), { type: recorded.type, data: recorded.data } as TicketEvent);
    } else {
      const events = await this.store.readStream(recorded.streamName, { maxCount: recorded.revision + 1 });
      state = events.reduce((current, event) => ticketDecider.evolve(current, { type: event.type, data: event.data } as TicketEvent), ticketDecider.initialState());
    }
    if (this.tracked.size >= CACHE_LIMIT) this.tracked.delete(this.tracked.keys().next().value as string);
    this.tracked.delete(recorded.streamName);
    this.tracked.set(recorded.streamName, { revision: recorded.revision, state });
    return state;
  }
}

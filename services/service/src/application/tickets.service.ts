import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import { type HistoryEntry, loadView, RECORD_ID_PATTERN, timestampsAfter, toHistory, type WriteResult } from '@crm/runtime';
import { hashSurveyToken, signSurveyToken, surveyExpiry } from '../domain/csat';
import { ticketStream } from '../domain/streams';
import {
  type AssignmentMethod,
  type CsatSurvey,
  type TicketAttachment,
  type TicketCommand,
  ticketDecider,
  type TicketEvent,
  type TicketOpenInput,
  type TicketPriority,
  type TicketState,
  type TicketStatus,
  type TicketUpdateInput,
} from '../domain/ticket';
import type { AgentsService } from './agents.service';
import type { ContactDirectory } from './contact-directory';
import type { QueuesService } from './queues.service';
import type { TicketsConfig } from './ticket-config';
import { TICKET_FIELDS_BY_EVENT, type TicketView, toTicketView } from './ticket-views';

export interface OpenTicketInput extends TicketOpenInput {
  /**
   * A caller-chosen id makes opening idempotent (a retried request, a redelivered email, a maintenance
   * rule firing twice): opening an existing id changes nothing and returns that ticket.
   */
  ticketId?: string;
}

export interface TicketAssignmentInput {
  queueId: string;
  /** Omitted or null with `round_robin`/`least_loaded`/`escalation`: the strategy (or the queue's own) picks. */
  assigneeId?: string | null;
  method?: AssignmentMethod;
}

export interface TicketReplyInput {
  authorType: 'agent' | 'requester';
  /** Defaults to the caller (the actor of the request). */
  authorId?: string;
  body: string;
  attachments?: TicketAttachment[];
  externalMessageId?: string | null;
}

export interface TicketNoteInput {
  body: string;
  attachments?: TicketAttachment[];
}

export type TicketWriteResult = WriteResult<TicketView> & {
  /** False when the command changed nothing (opening an id that exists, a duplicate email reply). */
  changed: boolean;
};

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

/**
 * Commands and single-ticket reads. Other features call it too: SLA escalation (priority, assignment,
 * flags), contracts (flags), proactive maintenance (open with `maintenanceOf` and its own id).
 */
export class TicketsService {
  private readonly tickets: EventSourcedCommandHandler<TicketCommand, TicketState, TicketEvent>;

  constructor(
    store: EventStore,
    private readonly queues: QueuesService,
    private readonly agents: AgentsService,
    private readonly directory: ContactDirectory,
    private readonly config: TicketsConfig,
    private readonly newId: () => string = newRecordId,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.tickets = new EventSourcedCommandHandler(store, ticketDecider);
  }

  /**
   * Opens a ticket: checks the requester and company links against the contact directory (a contact's
   * company and primary email fill in what the caller left out), routes it to the queue of its category
   * when it names none, and assigns it by the queue's strategy.
   */
  async open(context: CommandContext, input: OpenTicketInput): Promise<TicketWriteResult> {
    const ticketId = input.ticketId ?? this.newId();
    if (!RECORD_ID_PATTERN.test(ticketId)) throw invalid('ticketId', 'letters, digits, _ or -, at most 64');
    const stream = ticketStream(context.tenantId, ticketId);
    // A caller-chosen id that exists already: opening again changes nothing, and must not move a rotation.
    if (input.ticketId) {
      const existing = await this.tickets.load(stream);
      if (existing.state.lifecycle !== 'absent') {
        return { view: toTicketView(existing.state, existing.revision, existing.events), revision: existing.revision, position: -1, changed: false };
      }
    }
    const requester = await this.resolveRequester(context.tenantId, input);
    const category = input.category?.trim().toLowerCase() || null;
    // A named queue is checked on its stream; a queue found by category comes from the list, which holds only existing queues.
    const queue = input.queueId
      ? { id: input.queueId, assignment: (await this.queues.requireQueue(context.tenantId, input.queueId)).assignment }
      : category
        ? await this.queues.queueForCategory(context.tenantId, category)
        : null;
    const queueId = queue?.id ?? null;
    const { ticketId: _ignored, ...fields } = input;
    const command: Extract<TicketCommand, { type: 'OpenTicket' }> = { type: 'OpenTicket', ticketId, input: { ...fields, ...requester, queueId } };
    // Bad input fails here, before a rotation moves: the decider is pure, so asking it twice is harmless.
    ticketDecider.decide(command, ticketDecider.initialState());
    if (queueId && queue && queue.assignment !== 'manual') {
      const assigneeId = await this.queues.chooseAssignee(context, { queueId, ticketId, category, strategy: queue.assignment });
      if (assigneeId) command.assignee = { assigneeId, method: queue.assignment };
    }
    const opened = await this.tickets.handle(stream, command, context);
    return this.result(opened, opened.events.length > 0);
  }

  /** PATCH: fields of the ticket, and its requester (a new contact brings their email and company unless given). */
  async update(context: CommandContext, ticketId: string, input: TicketUpdateInput): Promise<TicketWriteResult> {
    const checked: TicketUpdateInput = { ...input };
    if (input.requesterContactId) {
      const requester = await this.resolveRequester(context.tenantId, input);
      checked.requesterContactId = requester.requesterContactId;
      checked.requesterEmail = requester.requesterEmail ?? input.requesterEmail;
      if (input.companyId !== undefined || requester.companyId) checked.companyId = requester.companyId;
    } else if (input.companyId) {
      checked.companyId = (await this.resolveRequester(context.tenantId, { companyId: input.companyId })).companyId;
    }
    return this.run(context, ticketId, { type: 'UpdateTicket', input: checked });
  }

  /** Moves the ticket along its status flow; solving it issues a CSAT survey (see CsatService for the token). */
  async changeStatus(context: CommandContext, ticketId: string, status: TicketStatus, reason: string | null = null): Promise<TicketWriteResult> {
    const csatSurvey = status === 'solved' ? this.newSurvey(context.tenantId, ticketId) : undefined;
    return this.run(context, ticketId, { type: 'ChangeTicketStatus', to: status, reason, csatSurvey });
  }

  changePriority(context: CommandContext, ticketId: string, priority: TicketPriority, reason: string | null = null): Promise<TicketWriteResult> {
    return this.run(context, ticketId, { type: 'ChangeTicketPriority', priority, reason });
  }

  /**
   * Puts the ticket in a queue. Without a named agent the method decides: `round_robin` and
   * `least_loaded` pick one, `escalation` uses the queue's own strategy, `manual` leaves the ticket
   * unassigned in the queue; without a method, the queue's strategy. A named agent must be active and
   * work the queue.
   */
  async assign(context: CommandContext, ticketId: string, input: TicketAssignmentInput): Promise<TicketWriteResult> {
    const queue = await this.queues.requireQueue(context.tenantId, input.queueId);
    const state = await this.loadState(context.tenantId, ticketId);
    const method: AssignmentMethod = input.method ?? (input.assigneeId ? 'manual' : queue.assignment);
    let assigneeId = input.assigneeId ?? null;
    if (assigneeId) {
      if (method === 'round_robin' || method === 'least_loaded') throw invalid('assigneeId', `${method} picks the agent itself: leave assigneeId out`);
      await this.agents.requireAssignable(context.tenantId, assigneeId, input.queueId);
    } else if (method !== 'manual') {
      const strategy = method === 'escalation' ? queue.assignment : method;
      assigneeId = await this.queues.chooseAssignee(context, { queueId: input.queueId, ticketId, category: state.category, strategy });
    }
    return this.run(context, ticketId, { type: 'AssignTicket', queueId: input.queueId, assigneeId, method });
  }

  async reply(context: CommandContext, ticketId: string, input: TicketReplyInput): Promise<TicketWriteResult> {
    let authorId = input.authorId;
    if (!authorId && input.authorType === 'requester') {
      // An agent recording what the customer said (on the phone, say): the words are the requester's.
      const state = await this.loadState(context.tenantId, ticketId);
      authorId = state.requesterContactId ?? state.requesterEmail ?? undefined;
    }
    return this.run(context, ticketId, {
      type: 'ReplyToTicket',
      messageId: this.newId(),
      authorType: input.authorType,
      authorId: authorId ?? context.actorId,
      body: input.body,
      attachments: input.attachments ?? [],
      externalMessageId: input.externalMessageId ?? null,
    });
  }

  addNote(context: CommandContext, ticketId: string, input: TicketNoteInput): Promise<TicketWriteResult> {
    return this.run(context, ticketId, { type: 'AddTicketNote', noteId: this.newId(), authorId: context.actorId, body: input.body, attachments: input.attachments ?? [] });
  }

  /** Marks the ticket, e.g. `contract_expired`, `entitlement_exhausted`, `sla_escalated`; flagging twice changes nothing. */
  flag(context: CommandContext, ticketId: string, flag: string, reason: string | null = null): Promise<TicketWriteResult> {
    return this.run(context, ticketId, { type: 'FlagTicket', flag, reason });
  }

  unflag(context: CommandContext, ticketId: string, flag: string): Promise<TicketWriteResult> {
    return this.run(context, ticketId, { type: 'UnflagTicket', flag });
  }

  /** Follows a contact merge: the requester becomes the survivor. */
  relinkRequester(context: CommandContext, ticketId: string, survivorContactId: string): Promise<TicketWriteResult> {
    return this.loadState(context.tenantId, ticketId).then((state) =>
      this.run(context, ticketId, {
        type: 'ChangeTicketRequester',
        requesterContactId: survivorContactId,
        requesterEmail: state.requesterEmail,
        companyId: state.companyId,
        reason: 'contact_merged',
      }),
    );
  }

  /** Runs any ticket command (CSAT, portal and inbound email use it after their own checks). */
  execute(context: CommandContext, ticketId: string, command: TicketCommand): Promise<TicketWriteResult> {
    return this.run(context, ticketId, command);
  }

  getTicket(tenantId: string, ticketId: string, asOf?: string): Promise<TicketView> {
    return loadView(this.tickets, ticketStream(tenantId, ticketId), 'Ticket', (state, revision, events) => toTicketView(state, revision, events), asOf);
  }

  /** The decider state, for callers that decide on it (portal ownership, CSAT); not found → 404. */
  async loadState(tenantId: string, ticketId: string): Promise<TicketState> {
    const { state } = await this.tickets.load(ticketStream(tenantId, ticketId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Ticket not found');
    return state;
  }

  /** Whether a ticket exists, without throwing (threading checks candidate ids). */
  async exists(tenantId: string, ticketId: string): Promise<boolean> {
    if (!RECORD_ID_PATTERN.test(ticketId)) return false;
    const { state } = await this.tickets.load(ticketStream(tenantId, ticketId));
    return state.lifecycle !== 'absent';
  }

  async history(tenantId: string, ticketId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.tickets.load(ticketStream(tenantId, ticketId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Ticket not found');
    return toHistory(events, TICKET_FIELDS_BY_EVENT, 'ticketId');
  }

  /** The signed survey token of an issued survey; derivable only with the secret, the event log keeps its hash. */
  surveyToken(tenantId: string, ticketId: string, survey: { surveyId: string; expiresAt: string }): string {
    return signSurveyToken({ tenantId, ticketId, surveyId: survey.surveyId, expiresAt: survey.expiresAt }, this.config.csatTokenSecret);
  }

  private newSurvey(tenantId: string, ticketId: string): CsatSurvey {
    const surveyId = this.newId();
    const expiresAt = surveyExpiry(this.clock(), this.config.csatSurveyTtlHours);
    return { surveyId, expiresAt, tokenHash: hashSurveyToken(this.surveyToken(tenantId, ticketId, { surveyId, expiresAt })) };
  }

  /**
   * Checks links against the contact directory (a local copy of the contacts service, so a contact
   * created a moment ago may not be known yet: the caller gets a 400 and can retry). A contact's
   * company and primary email fill in what the caller left out.
   */
  private async resolveRequester(
    tenantId: string,
    input: { requesterContactId?: string | null; requesterEmail?: string | null; companyId?: string | null },
  ): Promise<{ requesterContactId: string | null; requesterEmail: string | null; companyId: string | null }> {
    let requesterContactId = input.requesterContactId ?? null;
    let requesterEmail = input.requesterEmail ?? null;
    let companyId = input.companyId ?? null;
    if (requesterContactId) {
      const contact = await this.directory.find('contact', tenantId, requesterContactId);
      if (!contact) throw invalid('requesterContactId', 'no such contact');
      requesterContactId = contact.recordId;
      const emails = (contact.data.emails as { address: string; primary?: boolean }[] | undefined) ?? [];
      requesterEmail ??= (emails.find((email) => email.primary) ?? emails[0])?.address ?? null;
      if (input.companyId === undefined && typeof contact.data.companyId === 'string' && contact.data.companyId) companyId = contact.data.companyId;
    }
    if (input.companyId) {
      const company = await this.directory.find('company', tenantId, input.companyId);
      if (!company) throw invalid('companyId', 'no such company');
      companyId = company.recordId;
    }
    return { requesterContactId, requesterEmail, companyId };
  }

  private async run(context: CommandContext, ticketId: string, command: TicketCommand): Promise<TicketWriteResult> {
    const result = await this.tickets.handle(ticketStream(context.tenantId, ticketId), command, context);
    return this.result(result, result.events.length > 0);
  }

  private result(
    result: { state: TicketState; revision: number; position: number; history: RecordedEvent[]; events: TicketEvent[]; occurredAt: string },
    changed: boolean,
  ): TicketWriteResult {
    // The view's conversation needs the new events as recorded: fold them in as if they were (same time, same order).
    const recorded: RecordedEvent[] = [
      ...result.history,
      ...result.events.map((event, index) => ({
        eventId: '',
        type: event.type,
        data: event.data,
        metadata: { tenantId: '', actorId: '', correlationId: '', causationId: '', occurredAt: result.occurredAt, schemaVersion: 1 },
        streamName: '',
        revision: result.history.length + index,
        position: -1,
        recordedAt: result.occurredAt,
      })),
    ];
    return { view: toTicketView(result.state, result.revision, recorded, timestampsAfter(result)), revision: result.revision, position: result.position, changed };
  }
}

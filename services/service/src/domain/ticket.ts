import { type Decider, DomainError } from '@crm/decider';

export const TICKET_CHANNELS = ['email', 'web', 'phone', 'chat', 'api'] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const ASSIGNMENT_METHODS = ['manual', 'round_robin', 'least_loaded', 'escalation'] as const;
export type AssignmentMethod = (typeof ASSIGNMENT_METHODS)[number];

/**
 * Which status may follow which. `pending` means waiting on the customer (SLA clocks pause there),
 * `on_hold` means waiting on a third party. `solved → open` is the reopen; `closed` is final: a customer
 * who writes again about a closed ticket gets a follow-up ticket, so closed tickets' reports never move.
 */
export const TICKET_TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
};

/** Statuses in which a ticket still needs work: they count towards an agent's load. */
export const UNRESOLVED_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on_hold'];

export interface TicketAttachment {
  name: string;
  /** Attachments are stored elsewhere (object storage, mail server): the ticket keeps a reference only. */
  url: string;
  contentType: string;
  size: number;
}

export interface TicketOpenedData {
  ticketId: string;
  channel: TicketChannel;
  subject: string;
  description: string;
  requesterContactId: string | null;
  requesterEmail: string | null;
  companyId: string | null;
  priority: TicketPriority;
  category: string | null;
  tags: string[];
  queueId: string | null;
  /** The Message-ID of the email that opened the ticket (email channel only): threading and de-duplication use it. */
  externalMessageId: string | null;
  /** Set on proactive maintenance tickets: the customer asset the visit is for. */
  maintenanceOf?: string;
  /** A follow-up ticket (a reply to a closed ticket) names the ticket it follows. */
  followUpOf?: string;
  /** Files that came with the request (an email's attachments, a form's uploads), by reference. */
  attachments?: TicketAttachment[];
}

export type TicketEvent =
  | { type: 'TicketOpened'; data: TicketOpenedData }
  | { type: 'TicketStatusChanged'; data: { ticketId: string; from: TicketStatus; to: TicketStatus; reason: string | null } }
  | { type: 'TicketPriorityChanged'; data: { ticketId: string; from: TicketPriority; to: TicketPriority; reason: string | null } }
  | { type: 'TicketAssigned'; data: { ticketId: string; queueId: string; assigneeId: string | null; method: AssignmentMethod } }
  | {
      type: 'TicketReplied';
      data: {
        ticketId: string;
        messageId: string;
        authorType: 'agent' | 'requester';
        authorId: string;
        body: string;
        attachments: TicketAttachment[];
        /** The inbound email's Message-ID when the reply came by email, so a redelivered email is ignored. */
        externalMessageId?: string | null;
      };
    }
  | { type: 'TicketNoteAdded'; data: { ticketId: string; noteId: string; authorId: string; body: string; attachments: TicketAttachment[] } }
  | { type: 'TicketSubjectChanged'; data: { ticketId: string; subject: string } }
  | { type: 'TicketDescriptionChanged'; data: { ticketId: string; description: string } }
  | {
      type: 'TicketRequesterChanged';
      data: { ticketId: string; requesterContactId: string | null; requesterEmail: string | null; companyId: string | null; reason: string | null };
    }
  | { type: 'TicketCategorized'; data: { ticketId: string; category: string | null } }
  | { type: 'TicketTagged'; data: { ticketId: string; tag: string } }
  | { type: 'TicketUntagged'; data: { ticketId: string; tag: string } }
  | { type: 'TicketFlagged'; data: { ticketId: string; flag: string; reason: string | null } }
  | { type: 'TicketUnflagged'; data: { ticketId: string; flag: string } }
  | { type: 'CsatSurveyRequested'; data: { ticketId: string; surveyId: string; tokenHash: string; expiresAt: string } }
  | {
      type: 'CsatReceived';
      data: {
        ticketId: string;
        surveyId: string;
        score: number;
        comment: string | null;
        /** Who handled the ticket when it was solved, so analytics can rate agents and queues from this event alone. */
        assigneeId?: string | null;
        queueId?: string | null;
      };
    };

export type TicketEventType = TicketEvent['type'];
export const TICKET_EVENT_TYPES: readonly TicketEventType[] = [
  'TicketOpened',
  'TicketStatusChanged',
  'TicketPriorityChanged',
  'TicketAssigned',
  'TicketReplied',
  'TicketNoteAdded',
  'TicketSubjectChanged',
  'TicketDescriptionChanged',
  'TicketRequesterChanged',
  'TicketCategorized',
  'TicketTagged',
  'TicketUntagged',
  'TicketFlagged',
  'TicketUnflagged',
  'CsatSurveyRequested',
  'CsatReceived',
];

export interface TicketOpenInput {
  channel: TicketChannel;
  subject: string;
  description?: string;
  requesterContactId?: string | null;
  requesterEmail?: string | null;
  companyId?: string | null;
  priority?: TicketPriority;
  category?: string | null;
  tags?: string[];
  queueId?: string | null;
  externalMessageId?: string | null;
  maintenanceOf?: string;
  followUpOf?: string;
  attachments?: TicketAttachment[];
}

export interface TicketUpdateInput {
  subject?: string;
  description?: string;
  category?: string | null;
  tags?: string[];
  /** Requester links are checked by the application (the contact directory) before they get here. */
  requesterContactId?: string | null;
  requesterEmail?: string | null;
  companyId?: string | null;
}

export interface CsatSurvey {
  surveyId: string;
  tokenHash: string;
  expiresAt: string;
}

export type TicketCommand =
  | {
      type: 'OpenTicket';
      ticketId: string;
      input: TicketOpenInput;
      /** The agent the queue's strategy picked, recorded with the opening (the ticket must name the queue). */
      assignee?: { assigneeId: string; method: AssignmentMethod };
    }
  | { type: 'UpdateTicket'; input: TicketUpdateInput }
  | {
      type: 'ChangeTicketStatus';
      to: TicketStatus;
      reason: string | null;
      /** The survey to issue if this change solves the ticket (the application signs the token; the domain keeps its hash). */
      csatSurvey?: CsatSurvey;
    }
  | { type: 'ChangeTicketPriority'; priority: TicketPriority; reason: string | null }
  | { type: 'AssignTicket'; queueId: string; assigneeId: string | null; method: AssignmentMethod }
  | {
      type: 'ReplyToTicket';
      messageId: string;
      authorType: 'agent' | 'requester';
      authorId: string;
      body: string;
      attachments: TicketAttachment[];
      externalMessageId?: string | null;
    }
  | { type: 'AddTicketNote'; noteId: string; authorId: string; body: string; attachments: TicketAttachment[] }
  | { type: 'ChangeTicketRequester'; requesterContactId: string | null; requesterEmail: string | null; companyId: string | null; reason: string | null }
  | { type: 'FlagTicket'; flag: string; reason: string | null }
  | { type: 'UnflagTicket'; flag: string }
  | { type: 'RecordCsat'; surveyId: string; tokenHash: string; score: number; comment: string | null; now: string };

export interface TicketSurveyState extends CsatSurvey {
  answered: boolean;
}

export interface TicketState {
  id: string | null;
  /** `absent` until opened; tickets are never deleted (closed is their end). */
  lifecycle: 'absent' | 'active';
  channel: TicketChannel | null;
  subject: string;
  description: string;
  requesterContactId: string | null;
  requesterEmail: string | null;
  companyId: string | null;
  priority: TicketPriority;
  category: string | null;
  tags: string[];
  status: TicketStatus | null;
  queueId: string | null;
  assigneeId: string | null;
  flags: Record<string, string | null>;
  /** Message-IDs of every email already on the ticket: a redelivered email changes nothing. */
  externalMessageIds: string[];
  /** Only the latest survey can be answered: reopening and solving again supersedes the earlier one. */
  survey: TicketSurveyState | null;
  csatScore: number | null;
  maintenanceOf: string | null;
  followUpOf: string | null;
  attachments: TicketAttachment[];
}

const MAX_SUBJECT = 500;
const MAX_BODY = 100_000;
const MAX_ATTACHMENTS = 50;
const FLAG_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

const invalid = (field: string, reason: string, message = `Invalid ${field}: ${reason}`) => new DomainError('invalid', message, [{ field, reason }]);

function normaliseSubject(subject: string | undefined): string {
  const trimmed = subject?.trim() ?? '';
  if (!trimmed) throw invalid('subject', 'a ticket needs a subject');
  if (trimmed.length > MAX_SUBJECT) throw invalid('subject', `at most ${MAX_SUBJECT} characters`);
  return trimmed;
}

function normaliseDescription(description: string | undefined): string {
  const value = description ?? '';
  if (value.length > MAX_BODY) throw invalid('description', `at most ${MAX_BODY} characters`);
  return value;
}

function normaliseBody(body: string | undefined): string {
  const value = body?.trim() ?? '';
  if (!value) throw invalid('body', 'must not be empty');
  if (value.length > MAX_BODY) throw invalid('body', `at most ${MAX_BODY} characters`);
  return value;
}

function normaliseCategory(category: string | null | undefined): string | null {
  const value = category?.trim().toLowerCase() ?? '';
  return value === '' ? null : value;
}

/** Tags and categories are lower-cased, so `Billing` and `billing ` are one. */
export function normaliseTicketTags(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim().toLowerCase()).filter((tag) => tag.length > 0))];
}

function normaliseEmail(email: string | null | undefined): string | null {
  const value = email?.trim().toLowerCase() ?? '';
  if (!value) return null;
  if (!/^[^\s@]+@[^\s@]+$/.test(value)) throw invalid('requesterEmail', 'must be an email address');
  return value;
}

function checkAttachments(attachments: TicketAttachment[]): TicketAttachment[] {
  if (attachments.length > MAX_ATTACHMENTS) throw invalid('attachments', `at most ${MAX_ATTACHMENTS}`);
  return attachments.map((attachment, index) => {
    if (!attachment.name?.trim()) throw invalid(`attachments.${index}.name`, 'must not be empty');
    if (!/^https?:\/\//i.test(attachment.url ?? '')) throw invalid(`attachments.${index}.url`, 'must be an http(s) URL');
    if (!Number.isInteger(attachment.size) || attachment.size < 0) throw invalid(`attachments.${index}.size`, 'must be a non-negative integer');
    return { name: attachment.name.trim(), url: attachment.url, contentType: attachment.contentType || 'application/octet-stream', size: attachment.size };
  });
}

function checkFlag(flag: string): string {
  if (!FLAG_PATTERN.test(flag)) throw invalid('flag', 'lower-case letters, digits and _ (at most 64), starting with a letter');
  return flag;
}

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TICKET_TRANSITIONS[from].includes(to);
}

function transition(state: TicketState, to: TicketStatus, reason: string | null): TicketEvent {
  const from = state.status as TicketStatus;
  if (!canTransition(from, to)) {
    throw new DomainError('conflict', `A ${from} ticket cannot become ${to}`, [{ field: 'status', reason: `${from} → ${to} is not allowed` }]);
  }
  return { type: 'TicketStatusChanged', data: { ticketId: state.id as string, from, to, reason } };
}

function assertOpenForWork(state: TicketState, what: string): void {
  if (state.status === 'closed') throw new DomainError('conflict', `A closed ticket cannot ${what}`);
}

/**
 * A public reply moves the ticket the way a help desk user expects: the first agent reply takes a new
 * ticket into work, and the requester answering a pending (waiting on them) or solved ticket puts it back
 * in front of the agents. A solved ticket the requester answers is reopened.
 */
function statusAfterReply(state: TicketState, authorType: 'agent' | 'requester'): { to: TicketStatus; reason: string } | null {
  if (authorType === 'agent' && state.status === 'new') return { to: 'open', reason: 'agent_replied' };
  if (authorType === 'requester' && (state.status === 'pending' || state.status === 'solved')) return { to: 'open', reason: 'requester_replied' };
  return null;
}

function decide(command: TicketCommand, state: TicketState): TicketEvent[] {
  if (command.type === 'OpenTicket') {
    // Opening twice with the same id is how a redelivered email or a retried request lands: nothing new happens.
    if (state.status !== null) return [];
    const { input } = command;
    if (!TICKET_CHANNELS.includes(input.channel)) throw invalid('channel', `one of ${TICKET_CHANNELS.join(', ')}`);
    const priority = input.priority ?? 'normal';
    if (!TICKET_PRIORITIES.includes(priority)) throw invalid('priority', `one of ${TICKET_PRIORITIES.join(', ')}`);
    const data: TicketOpenedData = {
      ticketId: command.ticketId,
      channel: input.channel,
      subject: normaliseSubject(input.subject),
      description: normaliseDescription(input.description),
      requesterContactId: input.requesterContactId ?? null,
      requesterEmail: normaliseEmail(input.requesterEmail),
      companyId: input.companyId ?? null,
      priority,
      category: normaliseCategory(input.category),
      tags: normaliseTicketTags(input.tags ?? []),
      queueId: input.queueId ?? null,
      externalMessageId: input.externalMessageId ?? null,
    };
    if (input.maintenanceOf) data.maintenanceOf = input.maintenanceOf;
    if (input.followUpOf) data.followUpOf = input.followUpOf;
    if (input.attachments?.length) data.attachments = checkAttachments(input.attachments);
    const events: TicketEvent[] = [{ type: 'TicketOpened', data }];
    if (command.assignee) {
      if (!data.queueId) throw invalid('queueId', 'an assigned ticket must be in a queue');
      events.push({ type: 'TicketAssigned', data: { ticketId: command.ticketId, queueId: data.queueId, assigneeId: command.assignee.assigneeId, method: command.assignee.method } });
    }
    return events;
  }
  if (state.status === null || state.id === null) throw new DomainError('not_found', 'Ticket not found');
  const ticketId = state.id;
  switch (command.type) {
    case 'UpdateTicket': {
      const { input } = command;
      const events: TicketEvent[] = [];
      const changesSomething = Object.values(input).some((value) => value !== undefined);
      if (changesSomething) assertOpenForWork(state, 'be changed');
      if (input.subject !== undefined && normaliseSubject(input.subject) !== state.subject) {
        events.push({ type: 'TicketSubjectChanged', data: { ticketId, subject: normaliseSubject(input.subject) } });
      }
      if (input.description !== undefined && normaliseDescription(input.description) !== state.description) {
        events.push({ type: 'TicketDescriptionChanged', data: { ticketId, description: normaliseDescription(input.description) } });
      }
      if (input.category !== undefined && normaliseCategory(input.category) !== state.category) {
        events.push({ type: 'TicketCategorized', data: { ticketId, category: normaliseCategory(input.category) } });
      }
      if (input.tags !== undefined) {
        const wanted = normaliseTicketTags(input.tags);
        for (const tag of state.tags.filter((tag) => !wanted.includes(tag))) events.push({ type: 'TicketUntagged', data: { ticketId, tag } });
        for (const tag of wanted.filter((tag) => !state.tags.includes(tag))) events.push({ type: 'TicketTagged', data: { ticketId, tag } });
      }
      if (input.requesterContactId !== undefined || input.requesterEmail !== undefined || input.companyId !== undefined) {
        const requester = {
          requesterContactId: input.requesterContactId === undefined ? state.requesterContactId : input.requesterContactId,
          requesterEmail: input.requesterEmail === undefined ? state.requesterEmail : normaliseEmail(input.requesterEmail),
          companyId: input.companyId === undefined ? state.companyId : input.companyId,
        };
        if (requester.requesterContactId !== state.requesterContactId || requester.requesterEmail !== state.requesterEmail || requester.companyId !== state.companyId) {
          events.push({ type: 'TicketRequesterChanged', data: { ticketId, ...requester, reason: null } });
        }
      }
      return events;
    }
    case 'ChangeTicketStatus': {
      if (!TICKET_STATUSES.includes(command.to)) throw invalid('status', `one of ${TICKET_STATUSES.join(', ')}`);
      if (command.to === state.status) return [];
      if (command.to === 'new') throw new DomainError('conflict', 'A ticket cannot go back to new', [{ field: 'status', reason: `${state.status} → new is not allowed` }]);
      const events: TicketEvent[] = [transition(state, command.to, command.reason)];
      if (command.to === 'solved' && command.csatSurvey) events.push({ type: 'CsatSurveyRequested', data: { ticketId, ...command.csatSurvey } });
      return events;
    }
    case 'ChangeTicketPriority': {
      if (!TICKET_PRIORITIES.includes(command.priority)) throw invalid('priority', `one of ${TICKET_PRIORITIES.join(', ')}`);
      if (command.priority === state.priority) return [];
      assertOpenForWork(state, 'change priority');
      return [{ type: 'TicketPriorityChanged', data: { ticketId, from: state.priority, to: command.priority, reason: command.reason } }];
    }
    case 'AssignTicket': {
      if (!ASSIGNMENT_METHODS.includes(command.method)) throw invalid('method', `one of ${ASSIGNMENT_METHODS.join(', ')}`);
      if (command.queueId === state.queueId && command.assigneeId === state.assigneeId) return [];
      assertOpenForWork(state, 'be assigned');
      return [{ type: 'TicketAssigned', data: { ticketId, queueId: command.queueId, assigneeId: command.assigneeId, method: command.method } }];
    }
    case 'ReplyToTicket': {
      if (command.externalMessageId && state.externalMessageIds.includes(command.externalMessageId)) return [];
      assertOpenForWork(state, 'take replies');
      const reply: TicketEvent = {
        type: 'TicketReplied',
        data: {
          ticketId,
          messageId: command.messageId,
          authorType: command.authorType,
          authorId: command.authorId,
          body: normaliseBody(command.body),
          attachments: checkAttachments(command.attachments),
        },
      };
      if (command.externalMessageId) reply.data.externalMessageId = command.externalMessageId;
      const next = statusAfterReply(state, command.authorType);
      return next ? [reply, transition(state, next.to, next.reason)] : [reply];
    }
    case 'AddTicketNote':
      return [
        {
          type: 'TicketNoteAdded',
          data: { ticketId, noteId: command.noteId, authorId: command.authorId, body: normaliseBody(command.body), attachments: checkAttachments(command.attachments) },
        },
      ];
    case 'ChangeTicketRequester': {
      const requesterEmail = normaliseEmail(command.requesterEmail);
      if (command.requesterContactId === state.requesterContactId && requesterEmail === state.requesterEmail && command.companyId === state.companyId) return [];
      return [
        {
          type: 'TicketRequesterChanged',
          data: { ticketId, requesterContactId: command.requesterContactId, requesterEmail, companyId: command.companyId, reason: command.reason },
        },
      ];
    }
    case 'FlagTicket': {
      const flag = checkFlag(command.flag);
      if (flag in state.flags) return [];
      return [{ type: 'TicketFlagged', data: { ticketId, flag, reason: command.reason } }];
    }
    case 'UnflagTicket':
      return command.flag in state.flags ? [{ type: 'TicketUnflagged', data: { ticketId, flag: command.flag } }] : [];
    case 'RecordCsat': {
      const { survey } = state;
      if (!survey || survey.surveyId !== command.surveyId) {
        throw new DomainError('gone', 'This survey is no longer open', [{ field: 'token', reason: 'superseded or unknown survey' }]);
      }
      if (survey.tokenHash !== command.tokenHash) throw invalid('token', 'not a valid survey token', 'Invalid survey token');
      if (survey.answered) throw new DomainError('conflict', 'This survey was already answered', [{ field: 'token', reason: 'already used' }]);
      if (Date.parse(command.now) >= Date.parse(survey.expiresAt)) {
        throw new DomainError('gone', 'This survey has expired', [{ field: 'token', reason: `expired at ${survey.expiresAt}` }]);
      }
      if (!Number.isInteger(command.score) || command.score < 1 || command.score > 5) throw invalid('score', 'an integer from 1 to 5');
      const comment = command.comment?.trim() ? command.comment.trim() : null;
      if (comment && comment.length > 10_000) throw invalid('comment', 'at most 10000 characters');
      return [
        {
          type: 'CsatReceived',
          data: { ticketId, surveyId: survey.surveyId, score: command.score, comment, assigneeId: state.assigneeId, queueId: state.queueId },
        },
      ];
    }
  }
}

function evolve(state: TicketState, event: TicketEvent): TicketState {
  switch (event.type) {
    case 'TicketOpened': {
      const { data } = event;
      return {
        ...initialState(),
        id: data.ticketId,
        lifecycle: 'active',
        channel: data.channel,
        subject: data.subject,
        description: data.description,
        requesterContactId: data.requesterContactId,
        requesterEmail: data.requesterEmail,
        companyId: data.companyId,
        priority: data.priority,
        category: data.category,
        tags: data.tags,
        status: 'new',
        queueId: data.queueId,
        externalMessageIds: data.externalMessageId ? [data.externalMessageId] : [],
        maintenanceOf: data.maintenanceOf ?? null,
        followUpOf: data.followUpOf ?? null,
        attachments: data.attachments ?? [],
      };
    }
    case 'TicketStatusChanged':
      return { ...state, status: event.data.to };
    case 'TicketPriorityChanged':
      return { ...state, priority: event.data.to };
    case 'TicketAssigned':
      return { ...state, queueId: event.data.queueId, assigneeId: event.data.assigneeId };
    case 'TicketReplied':
      return event.data.externalMessageId ? { ...state, externalMessageIds: [...state.externalMessageIds, event.data.externalMessageId] } : state;
    case 'TicketSubjectChanged':
      return { ...state, subject: event.data.subject };
    case 'TicketDescriptionChanged':
      return { ...state, description: event.data.description };
    case 'TicketRequesterChanged':
      return { ...state, requesterContactId: event.data.requesterContactId, requesterEmail: event.data.requesterEmail, companyId: event.data.companyId };
    case 'TicketCategorized':
      return { ...state, category: event.data.category };
    case 'TicketTagged':
      return { ...state, tags: state.tags.includes(event.data.tag) ? state.tags : [...state.tags, event.data.tag] };
    case 'TicketUntagged':
      return { ...state, tags: state.tags.filter((tag) => tag !== event.data.tag) };
    case 'TicketFlagged':
      return { ...state, flags: { ...state.flags, [event.data.flag]: event.data.reason } };
    case 'TicketUnflagged': {
      const flags = { ...state.flags };
      delete flags[event.data.flag];
      return { ...state, flags };
    }
    case 'CsatSurveyRequested':
      return { ...state, survey: { surveyId: event.data.surveyId, tokenHash: event.data.tokenHash, expiresAt: event.data.expiresAt, answered: false } };
    case 'CsatReceived':
      return { ...state, csatScore: event.data.score, survey: state.survey ? { ...state.survey, answered: true } : state.survey };
    default:
      return state;
  }
}

function initialState(): TicketState {
  return {
    id: null,
    lifecycle: 'absent',
    channel: null,
    subject: '',
    description: '',
    requesterContactId: null,
    requesterEmail: null,
    companyId: null,
    priority: 'normal',
    category: null,
    tags: [],
    status: null,
    queueId: null,
    assigneeId: null,
    flags: {},
    externalMessageIds: [],
    survey: null,
    csatScore: null,
    maintenanceOf: null,
    followUpOf: null,
    attachments: [],
  };
}

export const ticketDecider: Decider<TicketCommand, TicketState, TicketEvent> = { initialState, decide, evolve };

/** The short reference put in outgoing subjects (`[#T-7KQ2M9XD]`): the random tail of the ULID, so tickets opened in the same second differ. */
export function ticketShortId(ticketId: string): string {
  return `T-${ticketId.slice(-8).toUpperCase()}`;
}

import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { TICKET_STATUSES, TICKET_TRANSITIONS, ticketDecider, type TicketEvent, type TicketStatus, ticketShortId } from './ticket';

const T = 'TICKET0000000000000000ABCD';

const opened: TicketEvent = {
  type: 'TicketOpened',
  data: {
    ticketId: T,
    channel: 'web',
    subject: 'Printer jams',
    description: 'Every page',
    requesterContactId: 'c1',
    requesterEmail: 'ada@example.com',
    companyId: null,
    priority: 'normal',
    category: 'hardware',
    tags: [],
    queueId: 'q1',
    externalMessageId: null,
  },
};

const moved = (from: TicketStatus, to: TicketStatus, reason: string | null = null): TicketEvent => ({ type: 'TicketStatusChanged', data: { ticketId: T, from, to, reason } });

/** The shortest history that brings a ticket to `status`, through allowed transitions only. */
function historyTo(status: TicketStatus): TicketEvent[] {
  switch (status) {
    case 'new':
      return [opened];
    case 'open':
      return [opened, moved('new', 'open')];
    case 'pending':
      return [...historyTo('open'), moved('open', 'pending')];
    case 'on_hold':
      return [...historyTo('open'), moved('open', 'on_hold')];
    case 'solved':
      return [...historyTo('open'), moved('open', 'solved')];
    case 'closed':
      return [...historyTo('solved'), moved('solved', 'closed')];
  }
}

const survey = { surveyId: 'S1', tokenHash: 'hash-1', expiresAt: '2026-12-01T00:00:00.000Z' };

describe('ticket decider', () => {
  describe('opening', () => {
    it('opens a ticket with normalised category and tags, status new and normal priority by default', () => {
      given(ticketDecider)
        .when({ type: 'OpenTicket', ticketId: T, input: { channel: 'phone', subject: '  Printer jams ', category: ' Hardware', tags: ['VIP', 'vip ', ''] } })
        .then(([event]) => {
          expect(event).toMatchObject({ type: 'TicketOpened', data: { channel: 'phone', subject: 'Printer jams', category: 'hardware', tags: ['vip'], priority: 'normal' } });
        });
      expect(given(ticketDecider, [opened]).state.status).toBe('new');
    });

    it('needs a subject, a known channel and a known priority', () => {
      given(ticketDecider).when({ type: 'OpenTicket', ticketId: T, input: { channel: 'web', subject: '  ' } }).thenThrows(DomainError, /subject/);
      given(ticketDecider).when({ type: 'OpenTicket', ticketId: T, input: { channel: 'fax' as never, subject: 'x' } }).thenThrows(DomainError, /channel/);
      given(ticketDecider).when({ type: 'OpenTicket', ticketId: T, input: { channel: 'web', subject: 'x', priority: 'asap' as never } }).thenThrows(DomainError, /priority/);
    });

    it('checks attachments: references by http(s) URL with a size', () => {
      given(ticketDecider)
        .when({ type: 'OpenTicket', ticketId: T, input: { channel: 'web', subject: 'x', attachments: [{ name: 'a.pdf', url: 'file:///etc/passwd', contentType: 'application/pdf', size: 1 }] } })
        .thenThrows(DomainError, /url/);
    });

    it('opening an existing ticket again changes nothing (redelivered email, retried request)', () => {
      given(ticketDecider, [opened]).when({ type: 'OpenTicket', ticketId: T, input: { channel: 'web', subject: 'Other' } }).thenNothingHappens();
    });

    it('records the agent the queue picked together with the opening', () => {
      given(ticketDecider)
        .when({ type: 'OpenTicket', ticketId: T, input: { channel: 'web', subject: 'x', queueId: 'q1' }, assignee: { assigneeId: 'a1', method: 'round_robin' } })
        .then((events) => expect(events[1]).toEqual({ type: 'TicketAssigned', data: { ticketId: T, queueId: 'q1', assigneeId: 'a1', method: 'round_robin' } }));
      given(ticketDecider)
        .when({ type: 'OpenTicket', ticketId: T, input: { channel: 'web', subject: 'x' }, assignee: { assigneeId: 'a1', method: 'round_robin' } })
        .thenThrows(DomainError, /queue/);
    });

    it('keeps the asset of a maintenance ticket', () => {
      given(ticketDecider)
        .when({ type: 'OpenTicket', ticketId: T, input: { channel: 'api', subject: 'Yearly visit', maintenanceOf: 'asset-1' } })
        .then(([event]) => expect(event.data).toMatchObject({ maintenanceOf: 'asset-1' }));
    });

    it('a command on a ticket that was never opened is not found', () => {
      given(ticketDecider).when({ type: 'ChangeTicketPriority', priority: 'high', reason: null }).thenThrows(DomainError, /not found/);
    });
  });

  describe('status transitions', () => {
    // Every (from, to) pair: allowed ones produce exactly one TicketStatusChanged, the others are 409 conflicts.
    const table = TICKET_STATUSES.flatMap((from) => TICKET_STATUSES.filter((to) => to !== from).map((to) => ({ from, to, allowed: TICKET_TRANSITIONS[from].includes(to) })));

    it('covers the whole table', () => {
      expect(table).toHaveLength(30);
      expect(table.filter((row) => row.allowed).map((row) => `${row.from}->${row.to}`)).toEqual([
        'new->open',
        'new->pending',
        'new->on_hold',
        'new->solved',
        'open->pending',
        'open->on_hold',
        'open->solved',
        'pending->open',
        'pending->on_hold',
        'pending->solved',
        'on_hold->open',
        'on_hold->pending',
        'on_hold->solved',
        'solved->open',
        'solved->closed',
      ]);
    });

    it.each(table.filter((row) => row.allowed))('given a $from ticket, when it becomes $to, then the change is recorded', ({ from, to }) => {
      const state = given(ticketDecider, historyTo(from)).when({ type: 'ChangeTicketStatus', to, reason: 'because' }).then(([event]) => {
        expect(event).toEqual(moved(from, to, 'because'));
      });
      expect(state.status).toBe(to);
    });

    it.each(table.filter((row) => !row.allowed))('given a $from ticket, when it becomes $to, then it is refused as a conflict', ({ from, to }) => {
      const error = given(ticketDecider, historyTo(from)).when({ type: 'ChangeTicketStatus', to, reason: null }).thenThrows(DomainError) as DomainError;
      expect(error.kind).toBe('conflict');
    });

    it.each(TICKET_STATUSES)('given a %s ticket, when it is set to the same status, then nothing happens', (status) => {
      given(ticketDecider, historyTo(status)).when({ type: 'ChangeTicketStatus', to: status, reason: null }).thenNothingHappens();
    });

    it('reopens a solved ticket (solved → open) and can solve it again', () => {
      const state = given(ticketDecider, [...historyTo('solved'), moved('solved', 'open', 'reopened')]).state;
      expect(state.status).toBe('open');
      given(ticketDecider, [...historyTo('solved'), moved('solved', 'open')]).when({ type: 'ChangeTicketStatus', to: 'solved', reason: null }).then([moved('open', 'solved')]);
    });

    it('closed is final: no command changes a closed ticket but flags and notes', () => {
      const closed = historyTo('closed');
      given(ticketDecider, closed).when({ type: 'ChangeTicketStatus', to: 'open', reason: null }).thenThrows(DomainError, /closed ticket cannot become open/);
      given(ticketDecider, closed).when({ type: 'ChangeTicketPriority', priority: 'high', reason: null }).thenThrows(DomainError, /closed/);
      given(ticketDecider, closed).when({ type: 'AssignTicket', queueId: 'q2', assigneeId: null, method: 'manual' }).thenThrows(DomainError, /closed/);
      given(ticketDecider, closed).when({ type: 'ReplyToTicket', messageId: 'm', authorType: 'requester', authorId: 'c1', body: 'hi', attachments: [] }).thenThrows(DomainError, /closed/);
      given(ticketDecider, closed).when({ type: 'UpdateTicket', input: { subject: 'New' } }).thenThrows(DomainError, /closed/);
      given(ticketDecider, closed).when({ type: 'FlagTicket', flag: 'audited', reason: null }).then(([event]) => expect(event.type).toBe('TicketFlagged'));
      given(ticketDecider, closed).when({ type: 'AddTicketNote', noteId: 'n', authorId: 'a', body: 'for the record', attachments: [] }).then(([event]) => expect(event.type).toBe('TicketNoteAdded'));
    });

    it('rejects an unknown status as invalid input', () => {
      const error = given(ticketDecider, [opened]).when({ type: 'ChangeTicketStatus', to: 'done' as never, reason: null }).thenThrows(DomainError) as DomainError;
      expect(error.kind).toBe('invalid');
    });
  });

  describe('replies move the status the way a help desk expects', () => {
    const reply = (authorType: 'agent' | 'requester') => ({ type: 'ReplyToTicket' as const, messageId: 'm1', authorType, authorId: 'x', body: ' Hello ', attachments: [] });

    it('the first agent reply takes a new ticket into work (new → open)', () => {
      given(ticketDecider, [opened])
        .when(reply('agent'))
        .then([
          { type: 'TicketReplied', data: { ticketId: T, messageId: 'm1', authorType: 'agent', authorId: 'x', body: 'Hello', attachments: [] } },
          moved('new', 'open', 'agent_replied'),
        ]);
    });

    it('the requester answering a pending ticket puts it back to open', () => {
      given(ticketDecider, historyTo('pending')).when(reply('requester')).then((events) => expect(events[1]).toEqual(moved('pending', 'open', 'requester_replied')));
    });

    it('the requester answering a solved ticket reopens it', () => {
      given(ticketDecider, historyTo('solved')).when(reply('requester')).then((events) => expect(events[1]).toEqual(moved('solved', 'open', 'requester_replied')));
    });

    it.each(['open', 'on_hold'] as const)('a reply on a %s ticket leaves the status alone', (status) => {
      given(ticketDecider, historyTo(status)).when(reply('requester')).then((events) => expect(events).toHaveLength(1));
      given(ticketDecider, historyTo(status)).when(reply('agent')).then((events) => expect(events).toHaveLength(1));
    });

    it('an empty body is invalid', () => {
      given(ticketDecider, [opened]).when({ ...reply('agent'), body: '   ' }).thenThrows(DomainError, /body/);
    });

    it('the same inbound email twice is one reply', () => {
      const first = { ...reply('requester'), externalMessageId: 'abc@mail' };
      const state = given(ticketDecider, [opened]).when(first).then((events) => expect(events).toHaveLength(1));
      expect(state.externalMessageIds).toContain('abc@mail');
      given(ticketDecider, [opened, { type: 'TicketReplied', data: { ticketId: T, messageId: 'm1', authorType: 'requester', authorId: 'x', body: 'Hello', attachments: [], externalMessageId: 'abc@mail' } }])
        .when({ ...first, messageId: 'm2' })
        .thenNothingHappens();
    });

    it('the email that opened the ticket does not come back as a reply', () => {
      const byEmail: TicketEvent = { ...opened, data: { ...opened.data, channel: 'email', externalMessageId: 'first@mail' } } as TicketEvent;
      given(ticketDecider, [byEmail]).when({ ...reply('requester'), externalMessageId: 'first@mail' }).thenNothingHappens();
    });
  });

  describe('fields, priority, assignment and flags', () => {
    it('records each changed field as its own event', () => {
      given(ticketDecider, [opened])
        .when({ type: 'UpdateTicket', input: { subject: 'Printer jams badly', category: 'Printing', tags: ['urgent-customer'], requesterEmail: 'ADA@example.com' } })
        .then([
          { type: 'TicketSubjectChanged', data: { ticketId: T, subject: 'Printer jams badly' } },
          { type: 'TicketCategorized', data: { ticketId: T, category: 'printing' } },
          { type: 'TicketTagged', data: { ticketId: T, tag: 'urgent-customer' } },
        ]);
    });

    it('changes the requester links in one event', () => {
      given(ticketDecider, [opened])
        .when({ type: 'UpdateTicket', input: { requesterContactId: 'c2', companyId: 'k1' } })
        .then([{ type: 'TicketRequesterChanged', data: { ticketId: T, requesterContactId: 'c2', requesterEmail: 'ada@example.com', companyId: 'k1', reason: null } }]);
    });

    it('changes priority, and setting the same priority changes nothing', () => {
      given(ticketDecider, [opened])
        .when({ type: 'ChangeTicketPriority', priority: 'urgent', reason: 'escalated' })
        .then([{ type: 'TicketPriorityChanged', data: { ticketId: T, from: 'normal', to: 'urgent', reason: 'escalated' } }]);
      given(ticketDecider, [opened]).when({ type: 'ChangeTicketPriority', priority: 'normal', reason: null }).thenNothingHappens();
    });

    it('assigns, and assigning the same way again changes nothing', () => {
      const assigned: TicketEvent = { type: 'TicketAssigned', data: { ticketId: T, queueId: 'q1', assigneeId: 'a1', method: 'round_robin' } };
      given(ticketDecider, [opened]).when({ type: 'AssignTicket', queueId: 'q1', assigneeId: 'a1', method: 'round_robin' }).then([assigned]);
      given(ticketDecider, [opened, assigned]).when({ type: 'AssignTicket', queueId: 'q1', assigneeId: 'a1', method: 'manual' }).thenNothingHappens();
    });

    it('flags once and unflags what is flagged', () => {
      const flagged: TicketEvent = { type: 'TicketFlagged', data: { ticketId: T, flag: 'contract_expired', reason: 'ended 2026-01-01' } };
      given(ticketDecider, [opened]).when({ type: 'FlagTicket', flag: 'contract_expired', reason: 'ended 2026-01-01' }).then([flagged]);
      given(ticketDecider, [opened, flagged]).when({ type: 'FlagTicket', flag: 'contract_expired', reason: 'again' }).thenNothingHappens();
      given(ticketDecider, [opened, flagged]).when({ type: 'UnflagTicket', flag: 'contract_expired' }).then([{ type: 'TicketUnflagged', data: { ticketId: T, flag: 'contract_expired' } }]);
      given(ticketDecider, [opened]).when({ type: 'UnflagTicket', flag: 'contract_expired' }).thenNothingHappens();
      given(ticketDecider, [opened]).when({ type: 'FlagTicket', flag: 'Not A Flag', reason: null }).thenThrows(DomainError, /flag/);
    });
  });

  describe('CSAT', () => {
    const solvedWithSurvey = [...historyTo('solved'), { type: 'CsatSurveyRequested', data: { ticketId: T, ...survey } } as TicketEvent];
    const answer = (overrides: Partial<{ surveyId: string; tokenHash: string; score: number; now: string }> = {}) => ({
      type: 'RecordCsat' as const,
      surveyId: 'S1',
      tokenHash: 'hash-1',
      score: 5,
      comment: ' Great ',
      now: '2026-11-20T00:00:00.000Z',
      ...overrides,
    });

    it('solving a ticket requests a survey', () => {
      given(ticketDecider, historyTo('open'))
        .when({ type: 'ChangeTicketStatus', to: 'solved', reason: null, csatSurvey: survey })
        .then([moved('open', 'solved'), { type: 'CsatSurveyRequested', data: { ticketId: T, ...survey } }]);
    });

    it('a survey is requested only when the ticket becomes solved', () => {
      given(ticketDecider, historyTo('solved')).when({ type: 'ChangeTicketStatus', to: 'solved', reason: null, csatSurvey: survey }).thenNothingHappens();
      given(ticketDecider, historyTo('open')).when({ type: 'ChangeTicketStatus', to: 'pending', reason: null, csatSurvey: survey }).then((events) => expect(events).toHaveLength(1));
    });

    it('records the answer with the agent and queue that handled the ticket', () => {
      const assigned: TicketEvent = { type: 'TicketAssigned', data: { ticketId: T, queueId: 'q1', assigneeId: 'a1', method: 'manual' } };
      given(ticketDecider, [...solvedWithSurvey, assigned])
        .when(answer())
        .then([{ type: 'CsatReceived', data: { ticketId: T, surveyId: 'S1', score: 5, comment: 'Great', assigneeId: 'a1', queueId: 'q1' } }]);
    });

    it('a token whose hash does not match is invalid', () => {
      const error = given(ticketDecider, solvedWithSurvey).when(answer({ tokenHash: 'other' })).thenThrows(DomainError) as DomainError;
      expect(error.kind).toBe('invalid');
    });

    it('a used token is rejected as a conflict', () => {
      const answered: TicketEvent = { type: 'CsatReceived', data: { ticketId: T, surveyId: 'S1', score: 4, comment: null } };
      const error = given(ticketDecider, [...solvedWithSurvey, answered]).when(answer()).thenThrows(DomainError, /already answered/) as DomainError;
      expect(error.kind).toBe('conflict');
    });

    it('an expired token is gone', () => {
      const error = given(ticketDecider, solvedWithSurvey).when(answer({ now: '2026-12-01T00:00:00.000Z' })).thenThrows(DomainError, /expired/) as DomainError;
      expect(error.kind).toBe('gone');
    });

    it('a survey superseded by a later one (reopened and solved again) is gone', () => {
      const again = [...solvedWithSurvey, moved('solved', 'open'), moved('open', 'solved'), { type: 'CsatSurveyRequested', data: { ticketId: T, ...survey, surveyId: 'S2', tokenHash: 'hash-2' } } as TicketEvent];
      given(ticketDecider, again).when(answer()).thenThrows(DomainError, /no longer open/);
      given(ticketDecider, again).when(answer({ surveyId: 'S2', tokenHash: 'hash-2' })).then(([event]) => expect(event.type).toBe('CsatReceived'));
    });

    it('a ticket without a survey has nothing to answer', () => {
      given(ticketDecider, historyTo('open')).when(answer()).thenThrows(DomainError, /no longer open/);
    });

    it.each([0, 6, 3.5])('score %s is invalid', (score) => {
      given(ticketDecider, solvedWithSurvey).when(answer({ score })).thenThrows(DomainError, /score/);
    });
  });

  it('short ids are the random tail of the id, upper case', () => {
    expect(ticketShortId('01j9zq4m8x0000000000abcdef')).toBe('T-00ABCDEF');
  });
});

import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import {
  dueWindow,
  localDueTime,
  parseDueTime,
  pendingTimers,
  TASK_STATUSES,
  TASK_TRANSITIONS,
  taskDecider,
  type TaskEvent,
  type TaskStatus,
} from './task';

const NOW = '2026-11-23T10:00:00.000Z';

const created: TaskEvent = {
  type: 'TaskCreated',
  data: {
    taskId: 't1',
    title: 'Call Ada',
    description: null,
    assigneeId: 'sam',
    // 09:00 in Vilnius (UTC+2 in December).
    dueAt: '2026-12-01T07:00:00.000Z',
    timeZone: 'Europe/Vilnius',
    priority: 'normal',
    status: 'open',
    dealId: null,
    contactId: null,
    companyId: null,
    reminderOffsetsMinutes: [1440, 60],
  },
};

const deleted: TaskEvent = { type: 'TaskDeleted', data: {} };
const completed: TaskEvent = { type: 'TaskCompleted', data: { from: 'open', completedAt: NOW } };
const cancelled: TaskEvent = { type: 'TaskCancelled', data: { from: 'open' } };
const reminded = (offsetMinutes: number, dueAt = created.data.dueAt as string): TaskEvent => ({
  type: 'TaskReminderDue',
  data: { taskId: 't1', offsetMinutes, dueAt, firedAt: NOW },
});
const dueMoved = (dueAt: string, previousDueAt = created.data.dueAt as string): TaskEvent => ({
  type: 'TaskDueChanged',
  data: { dueAt, timeZone: 'Europe/Vilnius', previousDueAt },
});
const statusEvents = (status: TaskStatus): TaskEvent[] => {
  switch (status) {
    case 'open':
      return [];
    case 'done':
      return [completed];
    case 'cancelled':
      return [cancelled];
    default:
      return [{ type: 'TaskStatusChanged', data: { from: 'open', to: status } }];
  }
};

describe('task decider', () => {
  describe('creating', () => {
    it('stores a local due time as the instant it is in the given zone, with the zone, and sorts the reminders', () => {
      given(taskDecider)
        .when({
          type: 'CreateTask',
          taskId: 't1',
          input: { title: '  Call Ada ', dueAt: '2026-12-01T09:00', timeZone: 'europe/vilnius', reminderOffsetsMinutes: [60, 1440, 60] },
        })
        .then([
          {
            type: 'TaskCreated',
            data: {
              taskId: 't1',
              title: 'Call Ada',
              description: null,
              assigneeId: null,
              dueAt: '2026-12-01T07:00:00.000Z',
              timeZone: 'Europe/Vilnius',
              priority: 'normal',
              status: 'open',
              dealId: null,
              contactId: null,
              companyId: null,
              reminderOffsetsMinutes: [1440, 60],
            },
          },
        ]);
    });

    it('takes an instant with an offset as it is; without a zone the task is shown in UTC', () => {
      given(taskDecider)
        .when({ type: 'CreateTask', taskId: 't1', input: { title: 'A', dueAt: '2026-12-01T09:00:00+02:00', priority: 'urgent' } })
        .then(([event]) => expect(event.data).toMatchObject({ dueAt: '2026-12-01T07:00:00.000Z', timeZone: 'UTC', priority: 'urgent' }));
      given(taskDecider)
        .when({ type: 'CreateTask', taskId: 't1', input: { title: 'A', dueAt: '2026-07-01T09:00:00Z', timeZone: 'America/New_York' } })
        .then(([event]) => expect(event.data).toMatchObject({ dueAt: '2026-07-01T09:00:00.000Z', timeZone: 'America/New_York' }));
    });

    it('follows daylight-saving time: the same wall time is a different offset in summer', () => {
      given(taskDecider)
        .when({ type: 'CreateTask', taskId: 't1', input: { title: 'A', dueAt: '2026-07-01T09:00', timeZone: 'Europe/Vilnius' } })
        .then(([event]) => expect(event.data).toMatchObject({ dueAt: '2026-07-01T06:00:00.000Z' }));
    });

    it('needs a title, a due time, and a zone for a local due time', () => {
      given(taskDecider).when({ type: 'CreateTask', taskId: 't1', input: { title: ' ', dueAt: '2026-12-01T09:00Z' } }).thenThrows(DomainError, /title/);
      given(taskDecider).when({ type: 'CreateTask', taskId: 't1', input: { title: 'A' } }).thenThrows(DomainError, /dueAt/);
      given(taskDecider).when({ type: 'CreateTask', taskId: 't1', input: { title: 'A', dueAt: '2026-12-01T09:00' } }).thenThrows(DomainError, /timeZone/);
    });

    it('refuses unknown zones, malformed or impossible dates, and local times the clocks skip', () => {
      const attempt = (dueAt: string, timeZone?: string) => given(taskDecider).when({ type: 'CreateTask', taskId: 't1', input: { title: 'A', dueAt, timeZone } });
      attempt('2026-12-01T09:00', 'Mars/Olympus').thenThrows(DomainError, /IANA time zone/);
      attempt('2026-12-01T09:00', '+02:00').thenThrows(DomainError, /IANA time zone/);
      attempt('tomorrow', 'UTC').thenThrows(DomainError, /ISO-8601/);
      attempt('2026-12-01', 'UTC').thenThrows(DomainError, /ISO-8601/);
      attempt('2026-02-30T09:00', 'UTC').thenThrows(DomainError, /not a valid date-time/);
      attempt('2026-12-01T24:00', 'UTC').thenThrows(DomainError, /ISO-8601/);
      attempt('1969-12-01T09:00Z').thenThrows(DomainError, /1970/);
      // Clocks in Vilnius go from 03:00 to 04:00 on 29 March 2026.
      attempt('2026-03-29T03:30', 'Europe/Vilnius').thenThrows(DomainError, /does not exist in Europe\/Vilnius/);
    });

    it('allows at most five reminders, each 0 to 43200 minutes before the due time', () => {
      const attempt = (reminderOffsetsMinutes: number[]) =>
        given(taskDecider).when({ type: 'CreateTask', taskId: 't1', input: { title: 'A', dueAt: '2026-12-01T09:00Z', reminderOffsetsMinutes } });
      attempt([1, 2, 3, 4, 5, 6]).thenThrows(DomainError, /at most 5/);
      attempt([-5]).thenThrows(DomainError, /whole number/);
      attempt([1.5]).thenThrows(DomainError, /whole number/);
      attempt([43_201]).thenThrows(DomainError, /whole number/);
      attempt([0, 43_200]).then(([event]) => expect(event.data).toMatchObject({ reminderOffsetsMinutes: [43_200, 0] }));
    });

    it('creates a task only once', () => {
      given(taskDecider, [created]).when({ type: 'CreateTask', taskId: 't1', input: { title: 'A', dueAt: '2026-12-01T09:00Z' } }).thenThrows(DomainError, /already exists/);
    });
  });

  describe('changing', () => {
    it('records each changed field as its own event, and nothing for unchanged ones', () => {
      given(taskDecider, [created])
        .when({
          type: 'UpdateTask',
          input: { title: 'Call Ada back', description: 'About the offer', assigneeId: 'kim', priority: 'high', contactId: 'c1', reminderOffsetsMinutes: [60], dueAt: '2026-12-01T09:00' },
        })
        .then([
          { type: 'TaskRenamed', data: { title: 'Call Ada back' } },
          { type: 'TaskDescriptionChanged', data: { description: 'About the offer' } },
          { type: 'TaskAssigned', data: { assigneeId: 'kim' } },
          { type: 'TaskPriorityChanged', data: { priority: 'high' } },
          { type: 'TaskLinksChanged', data: { dealId: null, contactId: 'c1', companyId: null } },
          { type: 'TaskRemindersChanged', data: { reminderOffsetsMinutes: [60] } },
        ]);
      given(taskDecider, [created]).when({ type: 'UpdateTask', input: { title: 'Call Ada', reminderOffsetsMinutes: [60, 1440] } }).thenNothingHappens();
    });

    it('reads a new local due time in the task zone, and names the previous due time', () => {
      given(taskDecider, [created])
        .when({ type: 'UpdateTask', input: { dueAt: '2026-12-02T10:30' } })
        .then([{ type: 'TaskDueChanged', data: { dueAt: '2026-12-02T08:30:00.000Z', timeZone: 'Europe/Vilnius', previousDueAt: '2026-12-01T07:00:00.000Z' } }]);
    });

    it('moves the due time to another zone only together with a due time', () => {
      given(taskDecider, [created]).when({ type: 'UpdateTask', input: { timeZone: 'Asia/Tokyo' } }).thenThrows(DomainError, /together with dueAt/);
      given(taskDecider, [created])
        .when({ type: 'UpdateTask', input: { dueAt: '2026-12-01T09:00', timeZone: 'Asia/Tokyo' } })
        .then([{ type: 'TaskDueChanged', data: { dueAt: '2026-12-01T00:00:00.000Z', timeZone: 'Asia/Tokyo', previousDueAt: '2026-12-01T07:00:00.000Z' } }]);
    });

    it('clears optional fields with null', () => {
      given(taskDecider, [created, { type: 'TaskLinksChanged', data: { dealId: 'd1', contactId: null, companyId: 'k1' } }])
        .when({ type: 'UpdateTask', input: { assigneeId: null, dealId: null } })
        .then([
          { type: 'TaskAssigned', data: { assigneeId: null } },
          { type: 'TaskLinksChanged', data: { dealId: null, contactId: null, companyId: 'k1' } },
        ]);
    });
  });

  describe('status', () => {
    const pairs = TASK_STATUSES.flatMap((from) => TASK_STATUSES.map((to) => [from, to] as const));

    it.each(pairs)('%s → %s follows the transition table', (from, to) => {
      const scenario = given(taskDecider, [created, ...statusEvents(from)]).when({ type: 'ChangeTaskStatus', status: to, now: NOW });
      if (from === to) return scenario.thenNothingHappens();
      if (!TASK_TRANSITIONS[from].includes(to)) return void scenario.thenThrows(DomainError, new RegExp(`A ${from} task cannot become ${to}`));
      const expected: TaskEvent =
        to === 'done'
          ? { type: 'TaskCompleted', data: { from, completedAt: NOW } }
          : to === 'cancelled'
            ? { type: 'TaskCancelled', data: { from } }
            : from === 'done' || from === 'cancelled'
              ? { type: 'TaskReopened', data: { from } }
              : { type: 'TaskStatusChanged', data: { from, to } };
      const state = scenario.then([expected]);
      expect(state.status).toBe(to);
    });

    it('tells how to get out of done or cancelled: reopen to open', () => {
      given(taskDecider, [created, completed]).when({ type: 'ChangeTaskStatus', status: 'in_progress', now: NOW }).thenThrows(DomainError, /reopen it first/);
      const state = given(taskDecider, [created, completed]).when({ type: 'ChangeTaskStatus', status: 'open', now: NOW }).then([{ type: 'TaskReopened', data: { from: 'done' } }]);
      expect(state.completedAt).toBeNull();
    });
  });

  describe('comments', () => {
    it('records who said what and when, on open and finished tasks alike', () => {
      given(taskDecider, [created, completed])
        .when({ type: 'CommentOnTask', commentId: 'm1', authorId: 'sam', body: ' Left a voicemail ', now: NOW })
        .then([{ type: 'TaskCommented', data: { commentId: 'm1', authorId: 'sam', body: 'Left a voicemail', postedAt: NOW } }]);
    });

    it('needs text', () => {
      given(taskDecider, [created]).when({ type: 'CommentOnTask', commentId: 'm1', authorId: 'sam', body: '  ', now: NOW }).thenThrows(DomainError, /needs text/);
    });
  });

  describe('deleting', () => {
    it('deletes once; a deleted task takes no more changes', () => {
      given(taskDecider, [created]).when({ type: 'DeleteTask' }).then([deleted]);
      given(taskDecider, [created, deleted]).when({ type: 'DeleteTask' }).thenThrows(DomainError, /not found/);
      given(taskDecider, [created, deleted]).when({ type: 'UpdateTask', input: { title: 'B' } }).thenThrows(DomainError, /not found/);
      given(taskDecider, [created, deleted]).when({ type: 'ChangeTaskStatus', status: 'done', now: NOW }).thenThrows(DomainError, /not found/);
      given(taskDecider, [created, deleted]).when({ type: 'CommentOnTask', commentId: 'm', authorId: 'a', body: 'x', now: NOW }).thenThrows(DomainError, /not found/);
      given(taskDecider).when({ type: 'UpdateTask', input: { title: 'B' } }).thenThrows(DomainError, /not found/);
    });
  });

  describe('reminders and overdue', () => {
    const fire = (offsetMinutes: number, dueAt = created.data.dueAt as string) => ({ type: 'FireTaskReminder' as const, offsetMinutes, dueAt, now: NOW });
    const overdue = (dueAt = created.data.dueAt as string) => ({ type: 'MarkTaskOverdue' as const, dueAt, now: NOW });

    it('announces a reminder for its due time once, however often its timer fires', () => {
      given(taskDecider, [created]).when(fire(60)).then([reminded(60)]);
      given(taskDecider, [created, reminded(60)]).when(fire(60)).thenNothingHappens();
      given(taskDecider, [created, reminded(60)]).when(fire(1440)).then([reminded(1440)]);
    });

    it('ignores timers that no longer apply: another due time, a removed reminder, a finished or deleted task', () => {
      given(taskDecider, [created]).when(fire(60, '2026-11-30T07:00:00.000Z')).thenNothingHappens();
      given(taskDecider, [created, { type: 'TaskRemindersChanged', data: { reminderOffsetsMinutes: [1440] } }]).when(fire(60)).thenNothingHappens();
      given(taskDecider, [created, completed]).when(fire(60)).thenNothingHappens();
      given(taskDecider, [created, cancelled]).when(overdue()).thenNothingHappens();
      given(taskDecider, [created, deleted]).when(fire(60)).thenNothingHappens();
      given(taskDecider).when(overdue()).thenNothingHappens();
    });

    it('reminds again after the due time moves, but never twice for the same due time and offset', () => {
      const later = '2026-12-03T07:00:00.000Z';
      given(taskDecider, [created, reminded(60), dueMoved(later)]).when(fire(60, later)).then([reminded(60, later)]);
      // Moved back to the first due time: that reminder was already given.
      given(taskDecider, [created, reminded(60), dueMoved(later), dueMoved(created.data.dueAt as string, later)]).when(fire(60)).thenNothingHappens();
    });

    it('marks a task overdue once per due time', () => {
      given(taskDecider, [created]).when(overdue()).then([{ type: 'TaskOverdue', data: { taskId: 't1', dueAt: created.data.dueAt as string, firedAt: NOW } }]);
      const marked: TaskEvent = { type: 'TaskOverdue', data: { taskId: 't1', dueAt: created.data.dueAt as string, firedAt: NOW } };
      given(taskDecider, [created, marked]).when(overdue()).thenNothingHappens();
      const later = '2026-12-03T07:00:00.000Z';
      given(taskDecider, [created, marked, dueMoved(later)]).when(overdue(later)).then(([event]) => expect(event).toMatchObject({ type: 'TaskOverdue', data: { dueAt: later } }));
    });
  });

  describe('timers a task needs', () => {
    const stateAfter = (events: TaskEvent[]) => given(taskDecider, events).state;

    it('arms each reminder before the due time and the overdue mark just after it', () => {
      expect(pendingTimers(stateAfter([created]))).toEqual([
        { name: 'reminder:1440', kind: 'reminder', offsetMinutes: 1440, dueAt: '2026-12-01T07:00:00.000Z', fireAt: '2026-11-30T07:00:00.000Z' },
        { name: 'reminder:60', kind: 'reminder', offsetMinutes: 60, dueAt: '2026-12-01T07:00:00.000Z', fireAt: '2026-12-01T06:00:00.000Z' },
        { name: 'overdue', kind: 'overdue', offsetMinutes: null, dueAt: '2026-12-01T07:00:00.000Z', fireAt: '2026-12-01T07:00:00.001Z' },
      ]);
    });

    it('drops announced reminders, re-arms all of them for a new due time, and none for a finished task', () => {
      expect(pendingTimers(stateAfter([created, reminded(1440)])).map((timer) => timer.name)).toEqual(['reminder:60', 'overdue']);
      const moved = pendingTimers(stateAfter([created, reminded(1440), dueMoved('2026-12-05T07:00:00.000Z')]));
      expect(moved.map((timer) => [timer.name, timer.fireAt])).toEqual([
        ['reminder:1440', '2026-12-04T07:00:00.000Z'],
        ['reminder:60', '2026-12-05T06:00:00.000Z'],
        ['overdue', '2026-12-05T07:00:00.001Z'],
      ]);
      expect(pendingTimers(stateAfter([created, completed]))).toEqual([]);
      expect(pendingTimers(stateAfter([created, deleted]))).toEqual([]);
      expect(pendingTimers(stateAfter([created, reminded(1440), completed, { type: 'TaskReopened', data: { from: 'done' } }])).map((timer) => timer.name)).toEqual([
        'reminder:60',
        'overdue',
      ]);
    });
  });
});

describe('task time zones', () => {
  it('shows the due time on the wall clock of the task zone', () => {
    expect(localDueTime('2026-12-01T07:00:00.000Z', 'Europe/Vilnius')).toBe('2026-12-01T09:00:00+02:00');
    expect(localDueTime('2026-12-01T07:00:00.000Z', 'UTC')).toBe('2026-12-01T07:00:00Z');
  });

  it('makes "today" the caller\'s day: late evening in UTC is already tomorrow in Vilnius', () => {
    const now = new Date('2026-11-23T22:30:00Z');
    expect(dueWindow('today', now, 'UTC')).toEqual({ from: '2026-11-23T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z' });
    expect(dueWindow('today', now, 'Europe/Vilnius')).toEqual({ from: '2026-11-23T22:00:00.000Z', to: '2026-11-24T22:00:00.000Z' });
    expect(dueWindow('today', now, 'America/Los_Angeles')).toEqual({ from: '2026-11-23T08:00:00.000Z', to: '2026-11-24T08:00:00.000Z' });
  });

  it('makes "week" the caller\'s ISO week, Monday to Sunday', () => {
    // Sunday 29 November, 23:30 UTC, is Monday 30 November in Vilnius: a new week there.
    const now = new Date('2026-11-29T23:30:00Z');
    expect(dueWindow('week', now, 'UTC')).toEqual({ from: '2026-11-23T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' });
    expect(dueWindow('week', now, 'Europe/Vilnius')).toEqual({ from: '2026-11-29T22:00:00.000Z', to: '2026-12-06T22:00:00.000Z' });
  });

  it('counts a day with a clock change whole: 23 hours in spring', () => {
    const { from, to } = dueWindow('today', new Date('2026-03-29T12:00:00Z'), 'Europe/Vilnius');
    expect((Date.parse(to) - Date.parse(from)) / 3_600_000).toBe(23);
  });

  it('reads an offset instant exactly whatever zone it is shown in', () => {
    expect(parseDueTime('2026-12-01T09:00:00.250+0530', 'Asia/Kolkata')).toEqual({ dueAt: '2026-12-01T03:30:00.250Z', timeZone: 'Asia/Kolkata' });
  });
});

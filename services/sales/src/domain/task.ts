import { type Decider, DomainError } from '@crm/decider';
import { DateTime, IANAZone } from 'luxon';

export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

export const TASK_STATUSES = ['open', 'in_progress', 'waiting', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses in which a task still has to be done: only these can be overdue or remind anyone. */
export const ACTIVE_TASK_STATUSES: readonly TaskStatus[] = ['open', 'in_progress', 'waiting'];

/**
 * Where each status may go. A done or cancelled task only comes back by being reopened explicitly
 * (to `open`), so that finishing work is never undone by a stray "in progress" click.
 */
export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  open: ['in_progress', 'waiting', 'done', 'cancelled'],
  in_progress: ['open', 'waiting', 'done', 'cancelled'],
  waiting: ['open', 'in_progress', 'done', 'cancelled'],
  done: ['open'],
  cancelled: ['open'],
};

export const MAX_REMINDERS = 5;
/** Thirty days: a reminder further ahead than that is a task of its own. */
export const MAX_REMINDER_OFFSET_MINUTES = 43_200;
export const MAX_COMMENTS = 500;
export const MAX_COMMENT_LENGTH = 5000;
export const MAX_TITLE_LENGTH = 200;

/**
 * The overdue timer fires this long after the due instant: strictly after it, as "overdue" means in
 * lists (due before now), and after a reminder set at the due time itself (offset 0).
 */
export const OVERDUE_DELAY_MS = 1;

export interface TaskComment {
  commentId: string;
  authorId: string;
  body: string;
  postedAt: string;
}

export interface TaskFields {
  title: string;
  description: string | null;
  assigneeId: string | null;
  /** The due instant, ISO-8601 UTC with milliseconds (what `Date#toISOString` writes). */
  dueAt: string;
  /** The IANA zone the due time was given in, e.g. `Europe/Vilnius`: "today" and display follow it. */
  timeZone: string;
  priority: TaskPriority;
  dealId: string | null;
  contactId: string | null;
  companyId: string | null;
  /** Minutes before the due time at which to remind, largest first. */
  reminderOffsetsMinutes: number[];
}

export interface TaskState extends TaskFields {
  id: string | null;
  lifecycle: 'absent' | 'active' | 'deleted';
  status: TaskStatus;
  completedAt: string | null;
  comments: TaskComment[];
  /** `reminderKey(dueAt, offset)` of every reminder announced: each fires once per due time. */
  firedReminders: string[];
  /** Due instants for which the task was announced overdue. */
  overdueAnnouncedFor: string[];
}

/** What a caller sends to create or change a task; on change, absent fields stay as they are and null clears. */
export interface TaskInput {
  title?: string;
  description?: string | null;
  assigneeId?: string | null;
  /** ISO-8601 local date-time (`2026-12-01T09:00`, read in `timeZone`) or an instant with an offset. */
  dueAt?: string;
  timeZone?: string;
  priority?: TaskPriority;
  dealId?: string | null;
  contactId?: string | null;
  companyId?: string | null;
  reminderOffsetsMinutes?: number[];
}

export type TaskCommand =
  | { type: 'CreateTask'; taskId: string; input: TaskInput }
  | { type: 'UpdateTask'; input: TaskInput }
  | { type: 'ChangeTaskStatus'; status: TaskStatus; now: string }
  | { type: 'CommentOnTask'; commentId: string; authorId: string; body: string; now: string }
  | { type: 'DeleteTask' }
  /** From the reminder timer: `dueAt` is the due time the timer was armed for. */
  | { type: 'FireTaskReminder'; offsetMinutes: number; dueAt: string; now: string }
  | { type: 'MarkTaskOverdue'; dueAt: string; now: string };

export type TaskEvent =
  | { type: 'TaskCreated'; data: { taskId: string; status: TaskStatus } & TaskFields }
  | { type: 'TaskRenamed'; data: { title: string } }
  | { type: 'TaskDescriptionChanged'; data: { description: string | null } }
  | { type: 'TaskAssigned'; data: { assigneeId: string | null } }
  | { type: 'TaskDueChanged'; data: { dueAt: string; timeZone: string; previousDueAt: string } }
  | { type: 'TaskPriorityChanged'; data: { priority: TaskPriority } }
  | { type: 'TaskLinksChanged'; data: { dealId: string | null; contactId: string | null; companyId: string | null } }
  | { type: 'TaskRemindersChanged'; data: { reminderOffsetsMinutes: number[] } }
  | { type: 'TaskStatusChanged'; data: { from: TaskStatus; to: TaskStatus } }
  | { type: 'TaskCompleted'; data: { from: TaskStatus; completedAt: string } }
  | { type: 'TaskCancelled'; data: { from: TaskStatus } }
  | { type: 'TaskReopened'; data: { from: TaskStatus } }
  | { type: 'TaskCommented'; data: TaskComment }
  | { type: 'TaskDeleted'; data: Record<string, never> }
  | { type: 'TaskReminderDue'; data: { taskId: string; offsetMinutes: number; dueAt: string; firedAt: string } }
  | { type: 'TaskOverdue'; data: { taskId: string; dueAt: string; firedAt: string } };

export type TaskEventType = TaskEvent['type'];

export const TASK_EVENT_TYPES: TaskEventType[] = [
  'TaskCreated',
  'TaskRenamed',
  'TaskDescriptionChanged',
  'TaskAssigned',
  'TaskDueChanged',
  'TaskPriorityChanged',
  'TaskLinksChanged',
  'TaskRemindersChanged',
  'TaskStatusChanged',
  'TaskCompleted',
  'TaskCancelled',
  'TaskReopened',
  'TaskCommented',
  'TaskDeleted',
  'TaskReminderDue',
  'TaskOverdue',
];

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

// ---- time ----

// Region/City names (and UTC): newer runtimes also accept bare offsets such as "+02:00", which follow no clock changes.
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * An IANA zone name as given, with its letter case fixed (`europe/vilnius` → `Europe/Vilnius`).
 * Other spellings are kept: ICU would turn `Asia/Kolkata` into its old name `Asia/Calcutta`.
 */
export function canonicalTimeZone(zone: string, field = 'timeZone'): string {
  if (!zone || !IANA_NAME.test(zone) || !IANAZone.isValidZone(zone)) {
    throw invalid(field, `${JSON.stringify(zone)} is not an IANA time zone such as Europe/Vilnius`);
  }
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads a due time: an instant with an offset (`…Z`, `…+02:00`) stands as it is, and `timeZone` only
 * says how to show it; a local date-time (`2026-12-01T09:00`) is read in `timeZone`, or in
 * `currentZone` when changing a task that already has one. A local time that does not exist (the hour
 * skipped when clocks go forward) is refused rather than moved; an ambiguous one (clocks going back)
 * takes one of its two instants, and callers who care send an offset.
 */
export function parseDueTime(dueAt: string, timeZone: string | undefined, currentZone?: string): { dueAt: string; timeZone: string } {
  const match = DATE_TIME.exec(dueAt);
  if (!match) throw invalid('dueAt', 'must be an ISO-8601 date-time such as 2026-12-01T09:00 (with timeZone) or 2026-12-01T09:00:00+02:00');
  const zone = timeZone !== undefined ? canonicalTimeZone(timeZone) : undefined;
  const [, year, , day, hour, minute] = match;
  const hasOffset = match[8] !== undefined;
  let parsed: DateTime;
  if (hasOffset) {
    parsed = DateTime.fromISO(dueAt, { setZone: true });
  } else {
    const readIn = zone ?? currentZone;
    if (!readIn) throw invalid('timeZone', 'a local due time needs a time zone, e.g. "timeZone": "Europe/Vilnius"');
    parsed = DateTime.fromISO(dueAt, { zone: readIn });
    if (parsed.isValid && (parsed.hour !== Number(hour) || parsed.minute !== Number(minute) || parsed.day !== Number(day))) {
      throw invalid('dueAt', `${dueAt} does not exist in ${readIn}: the clocks skip it`);
    }
  }
  if (!parsed.isValid) throw invalid('dueAt', `${dueAt} is not a valid date-time`);
  if (Number(year) < 1970 || parsed.toUTC().year > 9999) throw invalid('dueAt', 'must be between 1970 and 9999');
  return { dueAt: parsed.toJSDate().toISOString(), timeZone: zone ?? currentZone ?? 'UTC' };
}

/** The due time as the wall clock shows it in the task's zone, e.g. `2026-12-01T09:00:00+02:00`. */
export function localDueTime(dueAt: string, timeZone: string): string {
  return DateTime.fromISO(dueAt, { zone: 'utc' }).setZone(timeZone).toISO({ suppressMilliseconds: true }) ?? dueAt;
}

/**
 * The instants bounding "today" or "this week" (ISO weeks, Monday to Sunday) for someone in `timeZone`
 * at `now`: [from, to). Days are the caller's, so a 23- or 25-hour day around a clock change counts whole.
 */
export function dueWindow(period: 'today' | 'week', now: Date, timeZone: string): { from: string; to: string } {
  const local = DateTime.fromJSDate(now).setZone(timeZone);
  const start = period === 'today' ? local.startOf('day') : local.startOf('week');
  const end = period === 'today' ? start.plus({ days: 1 }) : start.plus({ weeks: 1 });
  return { from: start.toJSDate().toISOString(), to: end.toJSDate().toISOString() };
}

export const isActive = (status: TaskStatus): boolean => ACTIVE_TASK_STATUSES.includes(status);

// ---- reminders ----

export const reminderKey = (dueAt: string, offsetMinutes: number): string => `${dueAt}|${offsetMinutes}`;

/** A timer a task needs right now: a reminder before its due time, or the overdue mark after it. */
export interface TaskTimer {
  /** Stable per task: re-arming a reminder for a new due time moves the same timer. */
  name: string;
  kind: 'reminder' | 'overdue';
  offsetMinutes: number | null;
  /** The task's due time the timer belongs to. */
  dueAt: string;
  fireAt: string;
}

export const reminderTimerName = (offsetMinutes: number): string => `reminder:${offsetMinutes}`;
export const OVERDUE_TIMER_NAME = 'overdue';

/** Every timer name a task in this state could have had, so that the ones it no longer needs are cancelled. */
export function timerNames(state: Pick<TaskState, 'reminderOffsetsMinutes'>): string[] {
  return [...state.reminderOffsetsMinutes.map(reminderTimerName), OVERDUE_TIMER_NAME];
}

/**
 * The timers a task needs: one per reminder not yet announced for its current due time, and the
 * overdue mark, while it is still to be done. Reminders whose time has already passed are kept: they
 * fire at once (a task created late, or a service that was down), because dropping them silently is worse.
 */
export function pendingTimers(state: TaskState): TaskTimer[] {
  if (state.lifecycle !== 'active' || !isActive(state.status)) return [];
  const due = Date.parse(state.dueAt);
  const timers: TaskTimer[] = state.reminderOffsetsMinutes
    .filter((offset) => !state.firedReminders.includes(reminderKey(state.dueAt, offset)))
    .map((offset) => ({
      name: reminderTimerName(offset),
      kind: 'reminder' as const,
      offsetMinutes: offset,
      dueAt: state.dueAt,
      fireAt: new Date(due - offset * 60_000).toISOString(),
    }));
  if (!state.overdueAnnouncedFor.includes(state.dueAt)) {
    timers.push({ name: OVERDUE_TIMER_NAME, kind: 'overdue', offsetMinutes: null, dueAt: state.dueAt, fireAt: new Date(due + OVERDUE_DELAY_MS).toISOString() });
  }
  return timers;
}

// ---- normalisation ----

function normaliseTitle(title: string | undefined): string {
  const trimmed = title?.trim() ?? '';
  if (!trimmed) throw invalid('title', 'a task needs a title');
  if (trimmed.length > MAX_TITLE_LENGTH) throw invalid('title', `at most ${MAX_TITLE_LENGTH} characters`);
  return trimmed;
}

const trimOrNull = (value: string | null | undefined): string | null => value?.trim() || null;

function normaliseOffsets(offsets: number[]): number[] {
  if (offsets.length > MAX_REMINDERS) throw invalid('reminderOffsetsMinutes', `at most ${MAX_REMINDERS} reminders`);
  for (const offset of offsets) {
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_REMINDER_OFFSET_MINUTES) {
      throw invalid('reminderOffsetsMinutes', `each offset is a whole number of minutes from 0 to ${MAX_REMINDER_OFFSET_MINUTES}`);
    }
  }
  return [...new Set(offsets)].sort((a, b) => b - a);
}

const sameList = (a: number[], b: number[]) => a.length === b.length && a.every((value, index) => value === b[index]);

// ---- decider ----

function assertExists(state: TaskState): void {
  if (state.lifecycle !== 'active') throw new DomainError('not_found', 'Task not found');
}

function create(command: Extract<TaskCommand, { type: 'CreateTask' }>, state: TaskState): TaskEvent[] {
  if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Task ${command.taskId} already exists`);
  const { input } = command;
  const title = normaliseTitle(input.title);
  if (input.dueAt === undefined) throw invalid('dueAt', 'a task needs a due time');
  const due = parseDueTime(input.dueAt, input.timeZone);
  return [
    {
      type: 'TaskCreated',
      data: {
        taskId: command.taskId,
        title,
        description: trimOrNull(input.description),
        assigneeId: trimOrNull(input.assigneeId),
        dueAt: due.dueAt,
        timeZone: due.timeZone,
        priority: input.priority ?? 'normal',
        status: 'open',
        dealId: input.dealId ?? null,
        contactId: input.contactId ?? null,
        companyId: input.companyId ?? null,
        reminderOffsetsMinutes: normaliseOffsets(input.reminderOffsetsMinutes ?? []),
      },
    },
  ];
}

function update(input: TaskInput, state: TaskState): TaskEvent[] {
  const events: TaskEvent[] = [];
  if (input.title !== undefined && normaliseTitle(input.title) !== state.title) events.push({ type: 'TaskRenamed', data: { title: normaliseTitle(input.title) } });
  if (input.description !== undefined && trimOrNull(input.description) !== state.description) {
    events.push({ type: 'TaskDescriptionChanged', data: { description: trimOrNull(input.description) } });
  }
  if (input.assigneeId !== undefined && trimOrNull(input.assigneeId) !== state.assigneeId) {
    events.push({ type: 'TaskAssigned', data: { assigneeId: trimOrNull(input.assigneeId) } });
  }
  if (input.timeZone !== undefined && input.dueAt === undefined) {
    // Alone, a new zone could mean "same instant, shown elsewhere" or "same wall time, elsewhere": ask for both.
    throw invalid('timeZone', 'change timeZone together with dueAt');
  }
  if (input.dueAt !== undefined) {
    const due = parseDueTime(input.dueAt, input.timeZone, state.timeZone);
    if (due.dueAt !== state.dueAt || due.timeZone !== state.timeZone) {
      events.push({ type: 'TaskDueChanged', data: { ...due, previousDueAt: state.dueAt } });
    }
  }
  if (input.priority !== undefined && input.priority !== state.priority) events.push({ type: 'TaskPriorityChanged', data: { priority: input.priority } });
  const links = {
    dealId: input.dealId !== undefined ? input.dealId : state.dealId,
    contactId: input.contactId !== undefined ? input.contactId : state.contactId,
    companyId: input.companyId !== undefined ? input.companyId : state.companyId,
  };
  if (links.dealId !== state.dealId || links.contactId !== state.contactId || links.companyId !== state.companyId) {
    events.push({ type: 'TaskLinksChanged', data: links });
  }
  if (input.reminderOffsetsMinutes !== undefined) {
    const offsets = normaliseOffsets(input.reminderOffsetsMinutes);
    if (!sameList(offsets, state.reminderOffsetsMinutes)) events.push({ type: 'TaskRemindersChanged', data: { reminderOffsetsMinutes: offsets } });
  }
  return events;
}

function changeStatus(command: Extract<TaskCommand, { type: 'ChangeTaskStatus' }>, state: TaskState): TaskEvent[] {
  const from = state.status;
  const to = command.status;
  if (from === to) return [];
  if (!TASK_TRANSITIONS[from].includes(to)) {
    const hint = isActive(from) ? '' : ': reopen it first (status open)';
    throw new DomainError('conflict', `A ${from} task cannot become ${to}${hint}`, [{ field: 'status', reason: `allowed from ${from}: ${TASK_TRANSITIONS[from].join(', ')}` }]);
  }
  if (to === 'done') return [{ type: 'TaskCompleted', data: { from, completedAt: command.now } }];
  if (to === 'cancelled') return [{ type: 'TaskCancelled', data: { from } }];
  if (!isActive(from)) return [{ type: 'TaskReopened', data: { from } }];
  return [{ type: 'TaskStatusChanged', data: { from, to } }];
}

function comment(command: Extract<TaskCommand, { type: 'CommentOnTask' }>, state: TaskState): TaskEvent[] {
  const body = command.body.trim();
  if (!body) throw invalid('body', 'a comment needs text');
  if (body.length > MAX_COMMENT_LENGTH) throw invalid('body', `at most ${MAX_COMMENT_LENGTH} characters`);
  if (state.comments.length >= MAX_COMMENTS) throw new DomainError('conflict', `A task holds at most ${MAX_COMMENTS} comments`);
  return [{ type: 'TaskCommented', data: { commentId: command.commentId, authorId: command.authorId, body, postedAt: command.now } }];
}

/**
 * Timers are delivered at least once and may be stale (armed for a due time that has since moved, a
 * reminder since removed, a task since finished): each of those is ignored without an error, so the
 * scheduler drops it, and a reminder already announced for this due time is never announced twice.
 */
function fireReminder(command: Extract<TaskCommand, { type: 'FireTaskReminder' }>, state: TaskState): TaskEvent[] {
  const stale =
    state.lifecycle !== 'active' ||
    !isActive(state.status) ||
    command.dueAt !== state.dueAt ||
    !state.reminderOffsetsMinutes.includes(command.offsetMinutes) ||
    state.firedReminders.includes(reminderKey(command.dueAt, command.offsetMinutes));
  if (stale) return [];
  return [{ type: 'TaskReminderDue', data: { taskId: state.id as string, offsetMinutes: command.offsetMinutes, dueAt: command.dueAt, firedAt: command.now } }];
}

function markOverdue(command: Extract<TaskCommand, { type: 'MarkTaskOverdue' }>, state: TaskState): TaskEvent[] {
  const stale = state.lifecycle !== 'active' || !isActive(state.status) || command.dueAt !== state.dueAt || state.overdueAnnouncedFor.includes(command.dueAt);
  if (stale) return [];
  return [{ type: 'TaskOverdue', data: { taskId: state.id as string, dueAt: command.dueAt, firedAt: command.now } }];
}

function decide(command: TaskCommand, state: TaskState): TaskEvent[] {
  switch (command.type) {
    case 'CreateTask':
      return create(command, state);
    case 'FireTaskReminder':
      return fireReminder(command, state);
    case 'MarkTaskOverdue':
      return markOverdue(command, state);
    case 'UpdateTask':
      assertExists(state);
      return update(command.input, state);
    case 'ChangeTaskStatus':
      assertExists(state);
      return changeStatus(command, state);
    case 'CommentOnTask':
      assertExists(state);
      return comment(command, state);
    case 'DeleteTask':
      assertExists(state);
      return [{ type: 'TaskDeleted', data: {} }];
  }
}

const emptyState = (): TaskState => ({
  id: null,
  lifecycle: 'absent',
  title: '',
  description: null,
  assigneeId: null,
  dueAt: '',
  timeZone: 'UTC',
  priority: 'normal',
  status: 'open',
  dealId: null,
  contactId: null,
  companyId: null,
  reminderOffsetsMinutes: [],
  completedAt: null,
  comments: [],
  firedReminders: [],
  overdueAnnouncedFor: [],
});

function evolve(state: TaskState, event: TaskEvent): TaskState {
  switch (event.type) {
    case 'TaskCreated': {
      const { taskId, ...fields } = event.data;
      return { ...emptyState(), ...fields, id: taskId, lifecycle: 'active' };
    }
    case 'TaskRenamed':
      return { ...state, title: event.data.title };
    case 'TaskDescriptionChanged':
      return { ...state, description: event.data.description };
    case 'TaskAssigned':
      return { ...state, assigneeId: event.data.assigneeId };
    case 'TaskDueChanged':
      return { ...state, dueAt: event.data.dueAt, timeZone: event.data.timeZone };
    case 'TaskPriorityChanged':
      return { ...state, priority: event.data.priority };
    case 'TaskLinksChanged':
      return { ...state, ...event.data };
    case 'TaskRemindersChanged':
      return { ...state, reminderOffsetsMinutes: event.data.reminderOffsetsMinutes };
    case 'TaskStatusChanged':
      return { ...state, status: event.data.to };
    case 'TaskCompleted':
      return { ...state, status: 'done', completedAt: event.data.completedAt };
    case 'TaskCancelled':
      return { ...state, status: 'cancelled', completedAt: null };
    case 'TaskReopened':
      return { ...state, status: 'open', completedAt: null };
    case 'TaskCommented':
      return { ...state, comments: [...state.comments, event.data] };
    case 'TaskDeleted':
      // The reminder offsets stay, so that whoever folds this event knows which timers to cancel.
      return { ...emptyState(), id: state.id, lifecycle: 'deleted', reminderOffsetsMinutes: state.reminderOffsetsMinutes };
    case 'TaskReminderDue':
      return { ...state, firedReminders: [...state.firedReminders, reminderKey(event.data.dueAt, event.data.offsetMinutes)] };
    case 'TaskOverdue':
      return { ...state, overdueAnnouncedFor: [...state.overdueAnnouncedFor, event.data.dueAt] };
    default:
      return state;
  }
}

export const taskDecider: Decider<TaskCommand, TaskState, TaskEvent> = {
  initialState: emptyState,
  decide,
  evolve,
};

/** The fields each event changes, for `GET /tasks/{id}/history`. */
export const TASK_FIELDS_BY_EVENT: Record<TaskEventType, string[]> = {
  TaskCreated: [],
  TaskRenamed: ['title'],
  TaskDescriptionChanged: ['description'],
  TaskAssigned: ['assigneeId'],
  TaskDueChanged: ['dueAt', 'timeZone'],
  TaskPriorityChanged: ['priority'],
  TaskLinksChanged: ['dealId', 'contactId', 'companyId'],
  TaskRemindersChanged: ['reminderOffsetsMinutes'],
  TaskStatusChanged: ['status'],
  TaskCompleted: ['status', 'completedAt'],
  TaskCancelled: ['status'],
  TaskReopened: ['status', 'completedAt'],
  TaskCommented: ['comments'],
  TaskDeleted: [],
  TaskReminderDue: ['reminders'],
  TaskOverdue: ['overdue'],
};

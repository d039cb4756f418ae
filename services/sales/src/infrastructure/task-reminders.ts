import { type DueTimer, DurableTimerSet } from '@crm/runtime';
import type { ReadStore } from '@crm/readstore';
import { pendingTimers, type TaskEventType, type TaskState, type TaskTimer, timerNames } from '../domain/task';
import type { TasksService } from '../application/tasks.service';

/** The durable timers of tasks: reminders before the due time and the overdue mark after it. */
// Keys are `<tenant>:task:<id>:<name>` and names may hold a `:` (`reminder:60`): the record is the first three parts.
export const createTaskReminderSet = (): DurableTimerSet => new DurableTimerSet('task-reminders', { recordOf: (key) => key.split(':').slice(0, 3).join(':') });

export const TASK_REMINDERS = Symbol('TASK_REMINDERS');

/** What a task timer carries: enough to run its command without reading anything else. */
export interface TaskTimerPayload extends Record<string, unknown> {
  taskId: string;
  kind: TaskTimer['kind'];
  offsetMinutes: number | null;
  /** The task's due time the timer was armed for: a timer armed for an older due time is ignored. */
  dueAt: string;
}

/** `<tenant>:task:<id>:reminder:60`, `<tenant>:task:<id>:overdue`: one timer per reminder, moved when the due time moves. */
export const taskTimerKey = (tenantId: string, taskId: string, name: string): string => `${tenantId}:task:${taskId}:${name}`;

/** Events after which the task's timers are (re)armed from its state: a new due time re-arms every reminder. */
const ARMING: ReadonlySet<TaskEventType> = new Set(['TaskCreated', 'TaskDueChanged', 'TaskRemindersChanged', 'TaskReopened']);
/** Events after which some timers are no longer needed. */
const DISARMING: ReadonlySet<TaskEventType> = new Set(['TaskRemindersChanged', 'TaskDueChanged', 'TaskCompleted', 'TaskCancelled', 'TaskDeleted', 'TaskReminderDue', 'TaskOverdue']);

/**
 * Brings a task's timers in line with the event just projected (`before` → `after`), idempotently for
 * the event's position: the timers a task needs are derived from its state alone, so a rebuild that
 * replays the log arms only those still pending. Timers untouched by an event keep their retry state.
 */
export async function syncTaskTimers(
  set: DurableTimerSet,
  store: ReadStore,
  event: { type: string; position: number },
  tenantId: string,
  before: TaskState,
  after: TaskState,
): Promise<void> {
  const type = event.type as TaskEventType;
  if (!ARMING.has(type) && !DISARMING.has(type)) return;
  const wanted = new Map(pendingTimers(after).map((timer) => [timer.name, timer]));
  const taskId = (after.id ?? before.id) as string;
  for (const name of new Set([...timerNames(before), ...timerNames(after)])) {
    if (!wanted.has(name)) await set.cancel(store, taskTimerKey(tenantId, taskId, name), event.position);
  }
  if (!ARMING.has(type)) return;
  for (const timer of wanted.values()) {
    const payload: TaskTimerPayload = { taskId, kind: timer.kind, offsetMinutes: timer.offsetMinutes, dueAt: timer.dueAt };
    await set.schedule(store, { key: taskTimerKey(tenantId, taskId, timer.name), tenantId, dueAt: timer.fireAt, payload }, event.position);
  }
}

/** Runs the command a due task timer stands for. */
export function taskTimerHandler(tasks: TasksService): (timer: DueTimer) => Promise<void> {
  return async (timer) => {
    const payload = timer.payload as TaskTimerPayload;
    if (payload.kind === 'overdue') await tasks.markOverdue(timer.tenantId, payload.taskId, payload.dueAt, timer.key);
    else await tasks.fireReminder(timer.tenantId, payload.taskId, payload.offsetMinutes ?? 0, payload.dueAt, timer.key);
  };
}

import type { RecordedEvent } from '@crm/eventstore';
import type { IndexSpec, Projection, ReadStore } from '@crm/readstore';
import type { DurableTimerSet } from '@crm/runtime';
import { stateOfDocument, type TaskDocument, taskDocumentId, TASKS_COLLECTION } from '../application/task-views';
import { parseStreamName } from '../domain/streams';
import { isActive, TASK_EVENT_TYPES, taskDecider, type TaskEvent } from '../domain/task';
import { syncTaskTimers } from './task-reminders';

export const TASKS_PROJECTION = 'sales.tasks.v1';

export const TASK_INDEXES: IndexSpec[] = [
  // Every list sorts by due time within a tenant; the usual filters lead their own index.
  { keys: { tenantId: 1, dueAt: 1 } },
  { keys: { tenantId: 1, assigneeId: 1, dueAt: 1 } },
  { keys: { tenantId: 1, dealId: 1, dueAt: 1 } },
  { keys: { tenantId: 1, contactId: 1, dueAt: 1 } },
  { keys: { tenantId: 1, companyId: 1, dueAt: 1 } },
];

/**
 * The task list read model and the task timers, from the task events. The timers belong to the same
 * projection so that a rebuild drops and re-derives both together.
 */
export function tasksProjection(reminders: DurableTimerSet): Projection {
  return {
    name: TASKS_PROJECTION,
    filter: { eventTypes: TASK_EVENT_TYPES },
    indexes: { [TASKS_COLLECTION]: TASK_INDEXES, [reminders.collectionName]: reminders.indexes },
    apply: (event, store) => applyTaskEvent(event, store, reminders),
  };
}

/**
 * Folds one event into its task's document with the decider's `evolve`. The timers are brought in line
 * first and the document written last: a crash in between re-delivers the event, which the document's
 * `_position` has not yet seen, and the timer writes are idempotent for that position.
 */
export async function applyTaskEvent(event: RecordedEvent, store: ReadStore, reminders: DurableTimerSet): Promise<void> {
  const stream = parseStreamName(event.streamName);
  if (!stream || stream.kind !== 'task') return;
  const collection = store.collection<TaskDocument>(TASKS_COLLECTION);
  const _id = taskDocumentId(stream.tenantId, stream.id);
  const current = await collection.findOne({ _id });
  if (current && current._position >= event.position) return;
  const before = current ? stateOfDocument(current) : taskDecider.initialState();
  const after = taskDecider.evolve(before, { type: event.type, data: event.data } as TaskEvent);
  await syncTaskTimers(reminders, store, event, stream.tenantId, before, after);
  const { comments: _comments, ...state } = after;
  const document: TaskDocument = {
    ...state,
    _id,
    _position: event.position,
    tenantId: stream.tenantId,
    deleted: after.lifecycle !== 'active',
    active: after.lifecycle === 'active' && isActive(after.status),
    commentCount: (current?.commentCount ?? 0) + (event.type === 'TaskCommented' ? 1 : 0),
    revision: event.revision,
    createdAt: current?.createdAt ?? event.metadata.occurredAt,
    updatedAt: event.metadata.occurredAt,
  };
  await collection.replaceOne({ _id }, document, { upsert: true });
}

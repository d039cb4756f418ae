import { integrationEventFrom, type OutgoingIntegrationEvent } from '@crm/bus';
import {
  SALES_SOURCE,
  SALES_TASK_SCHEMAS,
  SALES_TASK_TOPIC,
  type SalesTaskChange,
  type SalesTaskCompletedJson,
  type SalesTaskCreatedJson,
  salesTaskEventType,
  type SalesTaskJson,
  type SalesTaskOverdueJson,
  type SalesTaskReminderDueJson,
} from '@crm/contracts';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import { parseStreamName } from '../domain/streams';
import { taskDecider, type TaskEvent, type TaskState } from '../domain/task';

/** The domain events announced outside, and as what. */
const CHANGES: Partial<Record<TaskEvent['type'], SalesTaskChange>> = {
  TaskCreated: 'created',
  TaskCompleted: 'completed',
  TaskReminderDue: 'reminder_due',
  TaskOverdue: 'overdue',
};

function taskJson(tenantId: string, state: TaskState, revision: number, createdAt: string, updatedAt: string): SalesTaskJson {
  return {
    id: state.id ?? '',
    tenantId,
    title: state.title,
    description: state.description ?? '',
    assigneeId: state.assigneeId ?? '',
    dueAt: state.dueAt,
    timeZone: state.timeZone,
    priority: state.priority,
    status: state.status,
    dealId: state.dealId ?? '',
    contactId: state.contactId ?? '',
    companyId: state.companyId ?? '',
    reminderOffsetsMinutes: state.reminderOffsetsMinutes,
    revision: String(revision),
    createdAt,
    updatedAt,
  };
}

/**
 * Maps task events to `crm.sales.task.v1`: created and completed (for analytics), reminder due and overdue
 * (for whoever notifies people). Each message carries the task as it is after the event, so a consumer
 * can say what is due and to whom without calling back; that state is folded from the stream up to the event.
 */
export class TaskIntegrationEventMapper {
  constructor(private readonly store: EventStore) {}

  readonly map = async (event: RecordedEvent): Promise<OutgoingIntegrationEvent[]> => {
    const change = CHANGES[event.type as TaskEvent['type']];
    const stream = change && parseStreamName(event.streamName);
    if (!change || !stream || stream.kind !== 'task') return [];
    const history = event.revision === 0 ? [event] : await this.store.readStream(event.streamName, { maxCount: event.revision + 1 });
    const state = history.reduce((folded, recorded) => taskDecider.evolve(folded, { type: recorded.type, data: recorded.data } as TaskEvent), taskDecider.initialState());
    const task = taskJson(stream.tenantId, state, event.revision, history[0]?.metadata.occurredAt ?? event.metadata.occurredAt, event.metadata.occurredAt);
    const domainEvent = { type: event.type, data: event.data } as TaskEvent;
    let data: SalesTaskCreatedJson | SalesTaskCompletedJson | SalesTaskReminderDueJson | SalesTaskOverdueJson;
    switch (domainEvent.type) {
      case 'TaskCreated':
        data = { taskId: stream.id, task, occurredAt: event.metadata.occurredAt };
        break;
      case 'TaskCompleted':
        data = { taskId: stream.id, task, completedBy: event.metadata.actorId, completedAt: domainEvent.data.completedAt, previousStatus: domainEvent.data.from };
        break;
      case 'TaskReminderDue':
        data = { taskId: stream.id, offsetMinutes: domainEvent.data.offsetMinutes, dueAt: domainEvent.data.dueAt, firedAt: domainEvent.data.firedAt, task };
        break;
      case 'TaskOverdue':
        data = { taskId: stream.id, dueAt: domainEvent.data.dueAt, firedAt: domainEvent.data.firedAt, task };
        break;
      default:
        return [];
    }
    const envelope = integrationEventFrom(event, { source: SALES_SOURCE, type: salesTaskEventType(change), dataschema: SALES_TASK_SCHEMAS[change], subject: stream.id, data });
    return [{ topic: SALES_TASK_TOPIC, event: envelope }];
  };
}

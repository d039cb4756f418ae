import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import { type HistoryEntry, loadView, timestamps, timestampsAfter, toHistory, type WriteResult } from '@crm/runtime';
import { taskStream } from '../domain/streams';
import { TASK_FIELDS_BY_EVENT, type TaskCommand, taskDecider, type TaskEvent, type TaskInput, type TaskState, type TaskStatus } from '../domain/task';
import type { ContactMergeChange } from './contact-directory';
import type { TaskLinkChecker } from './task-links';
import type { TaskListQueries } from './task-list.queries';
import { type TaskCommentView, type TaskView, toTaskView } from './task-views';

/** Who acts when a timer fires: no person did. */
export const TASK_REMINDER_ACTOR = 'system:task-reminders';
const CONTACT_MERGE_ACTOR = 'system:contact-merge';

/** Command and single-task query handlers for tasks, their comments and their reminder timers. */
export class TasksService {
  private readonly tasks: EventSourcedCommandHandler<TaskCommand, TaskState, TaskEvent>;

  constructor(
    store: EventStore,
    private readonly links: TaskLinkChecker,
    private readonly newId: () => string = newRecordId,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.tasks = new EventSourcedCommandHandler(store, taskDecider);
  }

  /** Without an assignee in the input the task is the caller's; an explicit null leaves it unassigned. */
  async createTask(context: CommandContext, input: TaskInput): Promise<WriteResult<TaskView>> {
    const resolved = await this.links.resolve(context.tenantId, { assigneeId: context.actorId, ...input });
    const taskId = this.newId();
    return this.run(context, taskId, { type: 'CreateTask', taskId, input: resolved });
  }

  async updateTask(context: CommandContext, taskId: string, input: TaskInput): Promise<WriteResult<TaskView>> {
    return this.run(context, taskId, { type: 'UpdateTask', input: await this.links.resolve(context.tenantId, input) });
  }

  changeStatus(context: CommandContext, taskId: string, status: TaskStatus): Promise<WriteResult<TaskView>> {
    const now = this.clock();
    return this.run({ ...context, now: () => now }, taskId, { type: 'ChangeTaskStatus', status, now: now.toISOString() });
  }

  async comment(context: CommandContext, taskId: string, body: string): Promise<WriteResult<TaskCommentView>> {
    const now = this.clock();
    const commentId = this.newId();
    const result = await this.run({ ...context, now: () => now }, taskId, { type: 'CommentOnTask', commentId, authorId: context.actorId, body, now: now.toISOString() });
    const comment = result.view.comments.find((candidate) => candidate.id === commentId);
    if (!comment) throw new DomainError('conflict', 'The comment was not recorded');
    return { view: comment, revision: result.revision, position: result.position };
  }

  async deleteTask(context: CommandContext, taskId: string): Promise<{ position: number }> {
    const result = await this.tasks.handle(taskStream(context.tenantId, taskId), { type: 'DeleteTask' }, context);
    return { position: result.position };
  }

  getTask(tenantId: string, taskId: string, asOf?: string): Promise<TaskView> {
    const now = asOf ? new Date(asOf) : this.clock();
    return loadView(this.tasks, taskStream(tenantId, taskId), 'Task', (state, revision, events) => toTaskView(state, { revision, ...timestamps(events) }, now), asOf);
  }

  async history(tenantId: string, taskId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.tasks.load(taskStream(tenantId, taskId));
    if (state.lifecycle !== 'active') throw new DomainError('not_found', 'Task not found');
    return toHistory(events, TASK_FIELDS_BY_EVENT, 'taskId');
  }

  /**
   * A reminder timer fired. The decider ignores it when it no longer applies or was already announced
   * for this due time, so a timer delivered twice (a crash after this command, a replay) has one effect.
   */
  async fireReminder(tenantId: string, taskId: string, offsetMinutes: number, dueAt: string, timerKey: string): Promise<void> {
    await this.tasks.handle(taskStream(tenantId, taskId), { type: 'FireTaskReminder', offsetMinutes, dueAt, now: this.clock().toISOString() }, this.timerContext(tenantId, timerKey));
  }

  async markOverdue(tenantId: string, taskId: string, dueAt: string, timerKey: string): Promise<void> {
    await this.tasks.handle(taskStream(tenantId, taskId), { type: 'MarkTaskOverdue', dueAt, now: this.clock().toISOString() }, this.timerContext(tenantId, timerKey));
  }

  /** A contact was merged into another: the tasks linked to it follow the survivor (an unmerge leaves them there). */
  async relinkMergedContact(change: ContactMergeChange, lists: TaskListQueries): Promise<void> {
    if (!change.merged) return;
    const context: CommandContext = { tenantId: change.tenantId, actorId: CONTACT_MERGE_ACTOR, correlationId: change.correlationId, causationId: change.eventId };
    for (const taskId of await lists.taskIdsLinkedToContact(change.tenantId, change.sourceContactId)) {
      try {
        await this.tasks.handle(taskStream(change.tenantId, taskId), { type: 'UpdateTask', input: { contactId: change.survivorContactId } }, context);
      } catch (error) {
        // Deleted since the list was read: nothing left to relink.
        if (!(error instanceof DomainError && error.kind === 'not_found')) throw error;
      }
    }
  }

  private timerContext(tenantId: string, timerKey: string): CommandContext {
    return { tenantId, actorId: TASK_REMINDER_ACTOR, correlationId: timerKey, causationId: timerKey };
  }

  private async run(context: CommandContext, taskId: string, command: TaskCommand): Promise<WriteResult<TaskView>> {
    const result = await this.tasks.handle(taskStream(context.tenantId, taskId), command, context);
    const view = toTaskView(result.state, { revision: result.revision, ...timestampsAfter(result) }, this.clock());
    return { view, revision: result.revision, position: result.position };
  }
}

import type { Document } from '@crm/readstore';
import { isActive, localDueTime, reminderKey, type TaskPriority, type TaskState, type TaskStatus } from '../domain/task';

export interface TaskReminderView {
  offsetMinutes: number;
  /** When the reminder fires: the due time minus the offset. */
  remindAt: string;
  /** Whether it was already announced for the current due time. */
  fired: boolean;
}

export interface TaskCommentView {
  id: string;
  authorId: string;
  body: string;
  postedAt: string;
}

/** A task as lists show it. */
export interface TaskSummaryView {
  id: string;
  title: string;
  description: string | null;
  assigneeId: string | null;
  dueAt: string;
  timeZone: string;
  /** The due time on the wall clock of `timeZone`, e.g. `2026-12-01T09:00:00+02:00`. */
  dueLocal: string;
  priority: TaskPriority;
  status: TaskStatus;
  /** Due before now (or before `asOf`) and not done or cancelled. */
  overdue: boolean;
  dealId: string | null;
  contactId: string | null;
  companyId: string | null;
  reminderOffsetsMinutes: number[];
  reminders: TaskReminderView[];
  completedAt: string | null;
  commentCount: number;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** A task read on its own: the summary and its comments. */
export interface TaskView extends TaskSummaryView {
  comments: TaskCommentView[];
}

export interface TaskListResult {
  items: TaskSummaryView[];
  nextCursor: string | null;
}

export interface RecordFacts {
  revision: number;
  createdAt: string;
  updatedAt: string;
  commentCount: number;
}

export function toTaskSummary(state: TaskState, facts: RecordFacts, now: Date): TaskSummaryView {
  const due = Date.parse(state.dueAt);
  return {
    id: state.id as string,
    title: state.title,
    description: state.description,
    assigneeId: state.assigneeId,
    dueAt: state.dueAt,
    timeZone: state.timeZone,
    dueLocal: localDueTime(state.dueAt, state.timeZone),
    priority: state.priority,
    status: state.status,
    overdue: isActive(state.status) && due < now.getTime(),
    dealId: state.dealId,
    contactId: state.contactId,
    companyId: state.companyId,
    reminderOffsetsMinutes: state.reminderOffsetsMinutes,
    reminders: state.reminderOffsetsMinutes.map((offsetMinutes) => ({
      offsetMinutes,
      remindAt: new Date(due - offsetMinutes * 60_000).toISOString(),
      fired: state.firedReminders.includes(reminderKey(state.dueAt, offsetMinutes)),
    })),
    completedAt: state.completedAt,
    commentCount: facts.commentCount,
    revision: facts.revision,
    createdAt: facts.createdAt,
    updatedAt: facts.updatedAt,
  };
}

export function toTaskView(state: TaskState, facts: Omit<RecordFacts, 'commentCount'>, now: Date): TaskView {
  return {
    ...toTaskSummary(state, { ...facts, commentCount: state.comments.length }, now),
    comments: state.comments.map((comment) => ({ id: comment.commentId, authorId: comment.authorId, body: comment.body, postedAt: comment.postedAt })),
  };
}

// ---- the list read model ----

/** Versioned: a new projection version builds beside the old one, then takes over. */
export const TASKS_COLLECTION = 'sales_tasks_v1';

/**
 * A task in the list read model: the decider state without its comments (lists show only their count),
 * so the projection folds the next event with the decider's own `evolve`. `_id` is `<tenant>:<id>`.
 */
export type TaskDocument = Document &
  Omit<TaskState, 'comments'> & {
    tenantId: string;
    deleted: boolean;
    /** Not done or cancelled: what "overdue" considers. */
    active: boolean;
    commentCount: number;
    revision: number;
    createdAt: string;
    updatedAt: string;
    _position: number;
  };

export const taskDocumentId = (tenantId: string, taskId: string): string => `${tenantId}:${taskId}`;

export function stateOfDocument(document: TaskDocument): TaskState {
  const { _id, _position, tenantId, deleted, active, commentCount, revision, createdAt, updatedAt, ...state } = document;
  return { ...(state as unknown as Omit<TaskState, 'comments'>), comments: [] };
}

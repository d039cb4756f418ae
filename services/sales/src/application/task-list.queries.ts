import { type Filter, InvalidCursorError, type ReadStore } from '@crm/readstore';
import { canonicalTimeZone, dueWindow, type TaskPriority, type TaskStatus } from '../domain/task';
import { stateOfDocument, type TaskDocument, type TaskListResult, TASKS_COLLECTION, toTaskSummary } from './task-views';

export const TASK_DUE_FILTERS = ['today', 'overdue', 'week'] as const;
export type TaskDueFilter = (typeof TASK_DUE_FILTERS)[number];

export interface TaskListFilter {
  assignee?: string;
  due?: TaskDueFilter;
  status?: TaskStatus[];
  priority?: TaskPriority;
  dealId?: string;
  contactId?: string;
  companyId?: string;
  /** The caller's IANA zone: whose "today" and "week". UTC when absent. */
  tz?: string;
  limit?: number;
  cursor?: string;
}

export const DEFAULT_TASK_LIMIT = 50;

/**
 * A list cursor is `<instant>.<read-store cursor>`: the instant the first page was computed at travels
 * along, so "today", "week" and "overdue" mean the same window on every page of one listing (and the
 * read store's cursor check, which covers the window, rejects a tampered instant).
 */
function splitCursor(cursor: string | undefined): { at: Date | undefined; inner: string | undefined } {
  if (cursor === undefined || cursor === '') return { at: undefined, inner: undefined };
  const separator = cursor.indexOf('.');
  const at = Number.parseInt(cursor.slice(0, separator), 36);
  if (separator <= 0 || !Number.isSafeInteger(at)) throw new InvalidCursorError();
  return { at: new Date(at), inner: cursor.slice(separator + 1) };
}

/** Task lists, read from the projected collection: eventually consistent, bounded by the consistency token. */
export class TaskListQueries {
  constructor(
    private readonly readStore: ReadStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private get tasks() {
    return this.readStore.collection<TaskDocument>(TASKS_COLLECTION);
  }

  async list(tenantId: string, filter: TaskListFilter): Promise<TaskListResult> {
    const zone = canonicalTimeZone(filter.tz ?? 'UTC', 'tz');
    const { at, inner } = splitCursor(filter.cursor);
    const now = at ?? this.clock();
    const query: Filter = { tenantId, deleted: false };
    if (filter.assignee) query.assigneeId = filter.assignee;
    if (filter.status?.length) query.status = { $in: filter.status };
    if (filter.priority) query.priority = filter.priority;
    if (filter.dealId) query.dealId = filter.dealId;
    if (filter.contactId) query.contactId = filter.contactId;
    if (filter.companyId) query.companyId = filter.companyId;
    if (filter.due === 'overdue') {
      query.dueAt = { $lt: now.toISOString() };
      query.active = true;
    } else if (filter.due) {
      const window = dueWindow(filter.due, now, zone);
      query.dueAt = { $gte: window.from, $lt: window.to };
    }
    const page = await this.tasks.findPage(query, { sort: { dueAt: 1 }, limit: filter.limit ?? DEFAULT_TASK_LIMIT, cursor: inner });
    return {
      items: page.items.map((document) =>
        toTaskSummary(stateOfDocument(document), { revision: document.revision, createdAt: document.createdAt, updatedAt: document.updatedAt, commentCount: document.commentCount }, now),
      ),
      nextCursor: page.nextCursor ? `${now.getTime().toString(36)}.${page.nextCursor}` : null,
    };
  }

  /** Ids of the live tasks linked to a contact: what a contact merge relinks. */
  async taskIdsLinkedToContact(tenantId: string, contactId: string): Promise<string[]> {
    const documents = await this.tasks.find({ tenantId, contactId, deleted: false }, { projection: { id: 1 } });
    return documents.map((document) => document.id as string);
  }
}

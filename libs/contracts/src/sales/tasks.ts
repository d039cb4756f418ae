// Topic names, CloudEvents types and schema references of the sales service's tasks events (see topics.ts for the naming rules); the source is SALES_SOURCE (deals.ts).

/** Every task event, keyed by task id so that one task's events stay in order. */
export const SALES_TASK_TOPIC = 'crm.sales.task.v1';

export type SalesTaskChange = 'created' | 'completed' | 'reminder_due' | 'overdue';

export const salesTaskEventType = (change: SalesTaskChange): string => `crm.sales.task.${change}.v1`;

const schema = (message: string) => `proto/crm/sales/v1/task_events.proto#crm.sales.v1.${message}`;

export const SALES_TASK_SCHEMAS: Readonly<Record<SalesTaskChange, string>> = {
  created: schema('SalesTaskCreated'),
  completed: schema('SalesTaskCompleted'),
  reminder_due: schema('SalesTaskReminderDue'),
  overdue: schema('SalesTaskOverdue'),
};

import { fromJson } from '@bufbuild/protobuf';
import type { CommandContext } from '@crm/decider';
import { SALES_TASK_TOPIC, SalesTaskCompletedSchema, SalesTaskCreatedSchema, SalesTaskOverdueSchema, SalesTaskReminderDueSchema } from '@crm/contracts';
import { InMemoryEventStore } from '@crm/eventstore';
import { createInMemoryReadStore, type ReadStore } from '@crm/readstore';
import { DurableTimerScheduler, type DurableTimerSet, ProjectionHost, ReplicatedDirectory } from '@crm/runtime';
import { TaskIntegrationEventMapper } from '../infrastructure/task-integration-events';
import { createTaskReminderSet, taskTimerHandler } from '../infrastructure/task-reminders';
import { TASKS_PROJECTION, tasksProjection } from '../infrastructure/tasks.projection';
import { ContactDirectory } from './contact-directory';
import { TaskLinkChecker } from './task-links';
import { TaskListQueries } from './task-list.queries';
import { TasksService } from './tasks.service';

/**
 * Tasks with their projection and timers on in-memory stores and a hand-moved clock: what the service
 * runs, minus HTTP, so that arming, re-arming, cancelling and de-duplicating reminders can be checked exactly.
 */
describe('task reminders end to end in one process', () => {
  let events: InMemoryEventStore;
  let readStore: ReadStore;
  let host: ProjectionHost;
  let reminders: DurableTimerSet;
  let scheduler: DurableTimerScheduler;
  let tasks: TasksService;
  let lists: TaskListQueries;
  let now: number;
  let ids: number;
  const clock = () => new Date(now);
  const context: CommandContext = { tenantId: 'acme', actorId: 'sam', correlationId: 'c', causationId: 'r' };

  beforeEach(async () => {
    now = Date.parse('2026-11-30T12:00:00.000Z');
    ids = 0;
    events = new InMemoryEventStore();
    readStore = createInMemoryReadStore();
    host = new ProjectionHost(events, readStore);
    reminders = createTaskReminderSet();
    host.add(tasksProjection(reminders));
    const directory = new ContactDirectory(new ReplicatedDirectory(readStore));
    tasks = new TasksService(events, new TaskLinkChecker(events, directory), () => `task${++ids}`, clock);
    lists = new TaskListQueries(readStore, clock);
    scheduler = new DurableTimerScheduler(readStore, { now: clock, observer: () => undefined });
    scheduler.register(reminders, taskTimerHandler(tasks));
    await host.start();
  });

  afterEach(async () => {
    await scheduler.stop();
    await host.stop();
    await readStore.close();
  });

  const caughtUp = async () => expect(await host.waitForPosition(await events.headPosition(), 5000)).toBe(true);
  const pending = async () => {
    await caughtUp();
    return (await reminders.pending(readStore, 'acme')).map((timer) => [timer._id.replace('acme:task:', ''), timer.dueAt]);
  };
  const historyTypes = async (taskId: string) => (await tasks.history('acme', taskId)).map((entry) => entry.type);
  const fireDue = async () => {
    await caughtUp();
    return scheduler.fireDue();
  };

  it('arms the reminders and the overdue mark, re-arms them when the due time moves, and fires each once', async () => {
    const { view } = await tasks.createTask(context, { title: 'Call Ada', dueAt: '2026-12-01T09:00', timeZone: 'Europe/Vilnius', reminderOffsetsMinutes: [60, 1440] });
    expect(view).toMatchObject({ dueAt: '2026-12-01T07:00:00.000Z', dueLocal: '2026-12-01T09:00:00+02:00', assigneeId: 'sam' });
    expect(await pending()).toEqual([
      ['task1:reminder:1440', '2026-11-30T07:00:00.000Z'],
      ['task1:reminder:60', '2026-12-01T06:00:00.000Z'],
      ['task1:overdue', '2026-12-01T07:00:00.001Z'],
    ]);

    // The day-before reminder is already late when the task is created: it fires at once.
    expect(await fireDue()).toBe(1);
    expect(await historyTypes('task1')).toEqual(['TaskCreated', 'TaskReminderDue']);

    await tasks.updateTask(context, 'task1', { dueAt: '2026-12-02T09:00' });
    expect(await pending()).toEqual([
      ['task1:reminder:1440', '2026-12-01T07:00:00.000Z'],
      ['task1:reminder:60', '2026-12-02T06:00:00.000Z'],
      ['task1:overdue', '2026-12-02T07:00:00.001Z'],
    ]);

    now = Date.parse('2026-12-02T07:00:01.000Z');
    expect(await fireDue()).toBe(3);
    await caughtUp();
    const history = await tasks.history('acme', 'task1');
    expect(history.map((entry) => entry.type)).toEqual(['TaskCreated', 'TaskReminderDue', 'TaskDueChanged', 'TaskReminderDue', 'TaskReminderDue', 'TaskOverdue']);
    expect(history.slice(3).map((entry) => entry.data)).toEqual([
      { taskId: 'task1', offsetMinutes: 1440, dueAt: '2026-12-02T07:00:00.000Z', firedAt: '2026-12-02T07:00:01.000Z' },
      { taskId: 'task1', offsetMinutes: 60, dueAt: '2026-12-02T07:00:00.000Z', firedAt: '2026-12-02T07:00:01.000Z' },
      { taskId: 'task1', dueAt: '2026-12-02T07:00:00.000Z', firedAt: '2026-12-02T07:00:01.000Z' },
    ]);
    expect(history[5].actorId).toBe('system:task-reminders');
    expect(await pending()).toEqual([]);
  });

  it('has one effect when a timer is delivered again (a crash after the command, a replay)', async () => {
    await tasks.createTask(context, { title: 'A', dueAt: '2026-11-30T12:30:00Z', reminderOffsetsMinutes: [60] });
    await caughtUp();
    const [timer] = await reminders.pending(readStore, 'acme');
    const handler = taskTimerHandler(tasks);
    const due = { key: timer._id, tenantId: 'acme', dueAt: timer.dueAt, attempts: 0, payload: timer.payload };
    await handler(due);
    await handler(due);
    expect(await historyTypes('task1')).toEqual(['TaskCreated', 'TaskReminderDue']);
  });

  it('cancels the timers of a finished or deleted task, and re-arms what is left when it is reopened', async () => {
    await tasks.createTask(context, { title: 'A', dueAt: '2026-11-30T12:30:00Z', reminderOffsetsMinutes: [60, 10] });
    expect(await fireDue()).toBe(1); // the 60-minute reminder was already due
    await tasks.changeStatus(context, 'task1', 'done');
    expect(await pending()).toEqual([]);
    await tasks.changeStatus(context, 'task1', 'open');
    expect(await pending()).toEqual([
      ['task1:reminder:10', '2026-11-30T12:20:00.000Z'],
      ['task1:overdue', '2026-11-30T12:30:00.001Z'],
    ]);
    await tasks.updateTask(context, 'task1', { reminderOffsetsMinutes: [5] });
    expect(await pending()).toEqual([
      ['task1:reminder:5', '2026-11-30T12:25:00.000Z'],
      ['task1:overdue', '2026-11-30T12:30:00.001Z'],
    ]);
    await tasks.deleteTask(context, 'task1');
    expect(await pending()).toEqual([]);
    now = Date.parse('2026-12-01T00:00:00Z');
    expect(await fireDue()).toBe(0);
  });

  it('ignores a timer armed for an earlier due time that fires after the task moved', async () => {
    await tasks.createTask(context, { title: 'A', dueAt: '2026-11-30T12:30:00Z' });
    await caughtUp();
    const [stale] = await reminders.pending(readStore, 'acme');
    await tasks.updateTask(context, 'task1', { dueAt: '2026-12-05T12:30:00Z' });
    await taskTimerHandler(tasks)({ key: stale._id, tenantId: 'acme', dueAt: stale.dueAt, attempts: 0, payload: stale.payload });
    expect(await historyTypes('task1')).toEqual(['TaskCreated', 'TaskDueChanged']);
  });

  it('derives only the pending timers again when the projection is rebuilt', async () => {
    await tasks.createTask(context, { title: 'A', dueAt: '2026-11-30T12:30:00Z', reminderOffsetsMinutes: [60, 10] });
    await tasks.createTask(context, { title: 'B', dueAt: '2026-11-30T13:30:00Z' });
    await fireDue();
    await tasks.changeStatus(context, 'task2', 'cancelled');
    const before = await pending();
    expect(before.map(([key]) => key)).toEqual(['task1:reminder:10', 'task1:overdue']);
    await host.get(TASKS_PROJECTION)!.rebuild();
    expect(await pending()).toEqual(before);
  });

  it('lists the tasks of today, this week and overdue in the caller zone, by due time, page by page', async () => {
    now = Date.parse('2026-11-30T21:30:00Z'); // Monday 23:30 in Vilnius, Monday 21:30 in UTC
    const create = (title: string, dueAt: string, assigneeId = 'sam') => tasks.createTask(context, { title, dueAt, assigneeId });
    await create('vilnius tomorrow', '2026-11-30T22:30:00Z'); // Tuesday 00:30 in Vilnius, still Monday in UTC
    await create('late', '2026-11-30T20:00:00Z');
    await create('next week', '2026-12-08T10:00:00Z');
    await create('kim today', '2026-11-30T21:45:00Z', 'kim');
    await create('done late', '2026-11-30T19:00:00Z');
    await tasks.changeStatus(context, 'task5', 'done');
    await caughtUp();
    const titles = async (filter: Parameters<TaskListQueries['list']>[1]) => (await lists.list('acme', filter)).items.map((task) => task.title);

    expect(await titles({ due: 'today', tz: 'UTC' })).toEqual(['done late', 'late', 'kim today', 'vilnius tomorrow']);
    expect(await titles({ due: 'today', tz: 'Europe/Vilnius' })).toEqual(['done late', 'late', 'kim today']);
    expect(await titles({ due: 'today', tz: 'Europe/Vilnius', assignee: 'sam', status: ['open'] })).toEqual(['late']);
    expect(await titles({ due: 'overdue' })).toEqual(['late']);
    expect(await titles({ due: 'week', tz: 'Europe/Vilnius' })).toEqual(['done late', 'late', 'kim today', 'vilnius tomorrow']);
    expect((await lists.list('acme', { due: 'overdue' })).items[0]).toMatchObject({ title: 'late', overdue: true, commentCount: 0 });

    const first = await lists.list('acme', { limit: 2 });
    expect(first.items.map((task) => task.title)).toEqual(['done late', 'late']);
    now += 3_600_000; // later pages keep the window of the first
    const second = await lists.list('acme', { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((task) => task.title)).toEqual(['kim today', 'vilnius tomorrow']);
    const third = await lists.list('acme', { limit: 2, cursor: second.nextCursor! });
    expect(third).toMatchObject({ items: [{ title: 'next week' }], nextCursor: null });
  });

  it('announces created, completed, reminder due and overdue as crm.sales.task.v1 messages that match the proto schema', async () => {
    const mapper = new TaskIntegrationEventMapper(events);
    await tasks.createTask(context, { title: 'A', dueAt: '2026-11-30T12:00:00Z', reminderOffsetsMinutes: [0] });
    now += 1000;
    await fireDue();
    await tasks.changeStatus(context, 'task1', 'in_progress');
    await tasks.changeStatus(context, 'task1', 'done');
    const outgoing = (await Promise.all((await events.readStream('acme.task-task1')).map((event) => mapper.map(event)))).flat();
    expect(outgoing.map((message) => [message.topic, message.event.type])).toEqual([
      [SALES_TASK_TOPIC, 'crm.sales.task.created.v1'],
      [SALES_TASK_TOPIC, 'crm.sales.task.reminder_due.v1'],
      [SALES_TASK_TOPIC, 'crm.sales.task.overdue.v1'],
      [SALES_TASK_TOPIC, 'crm.sales.task.completed.v1'],
    ]);
    const [created, reminder, overdue, completed] = outgoing.map((message) => message.event);
    expect(fromJson(SalesTaskCreatedSchema, created.data as never).task?.title).toBe('A');
    expect(fromJson(SalesTaskReminderDueSchema, reminder.data as never)).toMatchObject({ offsetMinutes: 0, dueAt: '2026-11-30T12:00:00.000Z' });
    expect(fromJson(SalesTaskOverdueSchema, overdue.data as never).task?.status).toBe('open');
    expect(fromJson(SalesTaskCompletedSchema, completed.data as never)).toMatchObject({ completedBy: 'sam', previousStatus: 'in_progress', task: { status: 'done', revision: 4n } });
    expect(completed).toMatchObject({ source: '/crm/sales', subject: 'task1', tenantid: 'acme', dataschema: 'proto/crm/sales/v1/task_events.proto#crm.sales.v1.SalesTaskCompleted' });
    // Deterministic ids: mapping again (a relay restart) announces the same messages.
    expect((await mapper.map((await events.readStream('acme.task-task1'))[0]))[0].event.id).toBe(created.id);
  });
});

import { EmbeddedMessageBus, type IntegrationEvent } from '@crm/bus';
import { SALES_TASK_TOPIC } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { DateTime } from 'luxon';
import { join } from 'node:path';
import { RunningCrm } from '../../tools/running-crm';
import { expectProblem, type Page, uniqueTenant } from './support';

type Task = {
  id: string;
  title: string;
  assigneeId: string | null;
  dueAt: string;
  timeZone: string;
  dueLocal: string;
  priority: string;
  status: string;
  overdue: boolean;
  contactId: string | null;
  companyId: string | null;
  reminderOffsetsMinutes: number[];
  reminders: { offsetMinutes: number; remindAt: string; fired: boolean }[];
  comments: { id: string; authorId: string; body: string }[];
  commentCount: number;
  revision: number;
  createdAt: string;
  updatedAt: string;
};
type HistoryEntry = { type: string; actorId: string; data: Record<string, unknown> };

/** A zone other than UTC whose wall clock is well inside the day right now, so "today" cannot flip mid-test. */
function zoneAwayFromMidnight(): string {
  const candidates = ['Europe/Vilnius', 'Asia/Tokyo', 'America/New_York', 'Pacific/Kiritimati', 'Pacific/Honolulu', 'Asia/Kolkata', 'America/Sao_Paulo'];
  const zone = candidates.find((candidate) => {
    const local = DateTime.now().setZone(candidate);
    return local.offset !== 0 && local.hour >= 3 && local.hour <= 20;
  });
  if (!zone) throw new Error('no candidate zone is away from midnight');
  return zone;
}

describe('sales tasks through the gateway', () => {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await RunningCrm.start();
  }, 120_000);

  afterAll(async () => {
    await crm?.stop();
  });

  const call = <T = Task>(tenant: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    crm.call<T>(method, `/api/v1${path}`, { tenant, body, headers, actor: 'sam' });
  const history = async (tenant: string, id: string) => (await call<{ items: HistoryEntry[] }>(tenant, 'GET', `/tasks/${id}/history`)).body.items;

  it('creates, reads, changes, comments on, completes, reopens and deletes a task', async () => {
    const tenant = uniqueTenant('tasks');
    const created = await call(tenant, 'POST', '/tasks', {
      title: 'Call Ada about the renewal',
      dueAt: '2036-12-01T09:00',
      timeZone: 'Europe/Vilnius',
      priority: 'high',
      reminderOffsetsMinutes: [60, 1440],
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/v1/tasks/${created.body.id}`);
    expect(created.headers.etag).toBe('"0"');
    expect(created.body).toMatchObject({
      title: 'Call Ada about the renewal',
      assigneeId: 'sam',
      dueAt: '2036-12-01T07:00:00.000Z',
      timeZone: 'Europe/Vilnius',
      dueLocal: '2036-12-01T09:00:00+02:00',
      priority: 'high',
      status: 'open',
      reminderOffsetsMinutes: [1440, 60],
      reminders: [
        { offsetMinutes: 1440, remindAt: '2036-11-30T07:00:00.000Z', fired: false },
        { offsetMinutes: 60, remindAt: '2036-12-01T06:00:00.000Z', fired: false },
      ],
    });
    const id = created.body.id;
    const asOfCreation = created.body.updatedAt;

    const read = await call(tenant, 'GET', `/tasks/${id}`);
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"0"');
    expect(read.body).toEqual(created.body);

    const patched = await call(tenant, 'PATCH', `/tasks/${id}`, { title: 'Call Ada', dueAt: '2036-12-02T10:30', assigneeId: 'kim' }, { 'if-match': '"0"' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'Call Ada', dueAt: '2036-12-02T08:30:00.000Z', dueLocal: '2036-12-02T10:30:00+02:00', assigneeId: 'kim' });
    const revision = patched.body.revision;
    expect(patched.headers.etag).toBe(`"${revision}"`);

    const comment = await call<{ id: string; authorId: string; body: string }>(tenant, 'POST', `/tasks/${id}/comments`, { body: 'Left a voicemail' });
    expect(comment.status).toBe(201);
    expect(comment.body).toMatchObject({ authorId: 'sam', body: 'Left a voicemail' });

    expect((await call(tenant, 'POST', `/tasks/${id}/status`, { status: 'in_progress' })).body.status).toBe('in_progress');
    const done = await call(tenant, 'POST', `/tasks/${id}/status`, { status: 'done' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', commentCount: 1, comments: [{ body: 'Left a voicemail', authorId: 'sam' }] });
    expectProblem(await call(tenant, 'POST', `/tasks/${id}/status`, { status: 'waiting' }), 409, ['status']);
    expect((await call(tenant, 'POST', `/tasks/${id}/status`, { status: 'open' })).body.status).toBe('open');

    const before = await call(tenant, 'GET', `/tasks/${id}?asOf=${encodeURIComponent(asOfCreation)}`);
    expect(before.body).toMatchObject({ title: 'Call Ada about the renewal', assigneeId: 'sam', revision: 0 });

    expect((await history(tenant, id)).map((entry) => entry.type)).toEqual([
      'TaskCreated',
      'TaskRenamed',
      'TaskAssigned',
      'TaskDueChanged',
      'TaskCommented',
      'TaskStatusChanged',
      'TaskCompleted',
      'TaskReopened',
    ]);

    const removed = await call(tenant, 'DELETE', `/tasks/${id}`);
    expect(removed.status).toBe(204);
    expectProblem(await call(tenant, 'GET', `/tasks/${id}`), 404);
    expectProblem(await call(tenant, 'GET', `/tasks/${id}/history`), 404);
    expectProblem(await call(tenant, 'PATCH', `/tasks/${id}`, { title: 'x' }), 404);
    expectProblem(await call(tenant, 'POST', `/tasks/${id}/status`, { status: 'open' }), 404);
    expectProblem(await call(tenant, 'DELETE', `/tasks/${id}`), 404);
    const list = await call<Page<Task>>(tenant, 'GET', '/tasks', undefined, { 'x-consistency-token': removed.headers['x-consistency-token'] });
    expect(list.body.items).toEqual([]);
  });

  it('answers a stale If-Match with 412 and changes nothing', async () => {
    const tenant = uniqueTenant('tasks-412');
    const created = await call(tenant, 'POST', '/tasks', { title: 'A', dueAt: '2036-12-01T09:00:00Z' });
    await call(tenant, 'PATCH', `/tasks/${created.body.id}`, { priority: 'low' }, { 'if-match': '"0"' });
    for (const [method, path, body] of [
      ['PATCH', '', { title: 'B' }],
      ['POST', '/status', { status: 'done' }],
      ['POST', '/comments', { body: 'hello' }],
      ['DELETE', '', undefined],
    ] as const) {
      const stale = await call(tenant, method, `/tasks/${created.body.id}${path}`, body, { 'if-match': '"0"' });
      expectProblem(stale, 412);
      expect(stale.body).toMatchObject({ currentRevision: 1 });
    }
    const read = await call(tenant, 'GET', `/tasks/${created.body.id}`);
    expect(read.body).toMatchObject({ title: 'A', priority: 'low', status: 'open', revision: 1, commentCount: 0 });
  });

  it('answers bad input with 4xx problem+json and stores nothing', async () => {
    const tenant = uniqueTenant('tasks-bad');
    const valid = { title: 'A', dueAt: '2036-12-01T09:00', timeZone: 'Europe/Vilnius' };
    const badCreations: [Record<string, unknown>, string[]][] = [
      [{ dueAt: '2036-12-01T09:00Z' }, ['title']],
      [{ ...valid, title: '   ' }, ['title']],
      [{ title: 'A' }, ['dueAt']],
      [{ ...valid, timeZone: undefined }, ['timeZone']],
      [{ ...valid, timeZone: 'Mars/Olympus_Mons' }, ['timeZone']],
      [{ ...valid, dueAt: 'next tuesday' }, ['dueAt']],
      [{ ...valid, dueAt: '2026-02-30T09:00' }, ['dueAt']],
      [{ ...valid, dueAt: '2026-03-29T03:30' }, ['dueAt']],
      [{ ...valid, priority: 'asap' }, ['priority']],
      [{ ...valid, reminderOffsetsMinutes: [-1] }, ['reminderOffsetsMinutes']],
      [{ ...valid, reminderOffsetsMinutes: [1, 2, 3, 4, 5, 6] }, ['reminderOffsetsMinutes']],
      [{ ...valid, reminderOffsetsMinutes: 'soon' }, ['reminderOffsetsMinutes']],
      [{ ...valid, contactId: 'nobody' }, ['contactId']],
      [{ ...valid, companyId: 'nothing' }, ['companyId']],
      [{ ...valid, dealId: 'no-such-deal' }, ['dealId']],
      [{ ...valid, dealId: 'bad id!' }, ['dealId']],
      [{ ...valid, assigneeId: 'has spaces' }, ['assigneeId']],
      [{ ...valid, status: 'done' }, ['status']],
    ];
    for (const [body, fields] of badCreations) {
      const response = await call(tenant, 'POST', '/tasks', body);
      try {
        expectProblem(response, 400, fields);
      } catch (error) {
        throw new Error(`${JSON.stringify(body)} answered ${response.status} ${response.text}: ${String(error)}`);
      }
    }
    expectProblem(await crm.call('POST', '/api/v1/tasks', { tenant, rawBody: '{"title":', headers: { 'content-type': 'application/json' } }), 400);

    // One real task, to try bad changes on.
    const created = await call(tenant, 'POST', '/tasks', valid);
    expect(created.status).toBe(201);
    const id = created.body.id;
    const badChanges: [string, string, unknown, number, string[]][] = [
      ['PATCH', `/tasks/${id}`, { timeZone: 'Asia/Tokyo' }, 400, ['timeZone']],
      ['PATCH', `/tasks/${id}`, { dueAt: null }, 400, ['dueAt']],
      ['PATCH', `/tasks/${id}`, { priority: null }, 400, ['priority']],
      ['PATCH', `/tasks/${id}`, { title: 'B' }, 400, ['If-Match']],
      ['POST', `/tasks/${id}/status`, { status: 'finished' }, 400, ['status']],
      ['POST', `/tasks/${id}/comments`, { body: ' ' }, 400, ['body']],
      ['POST', `/tasks/${id}/comments`, {}, 400, ['body']],
      ['PATCH', '/tasks/not%20an%20id', { title: 'B' }, 404, []],
      ['GET', '/tasks/unknown', undefined, 404, []],
      ['GET', `/tasks/${id}?asOf=yesterday`, undefined, 400, ['asOf']],
      ['GET', '/tasks?due=tomorrow', undefined, 400, ['due']],
      ['GET', '/tasks?due=today&tz=Mars/Base', undefined, 400, ['tz']],
      ['GET', '/tasks?status=open,finished', undefined, 400, ['status']],
      ['GET', '/tasks?priority=asap', undefined, 400, ['priority']],
      ['GET', '/tasks?limit=500', undefined, 400, ['limit']],
      ['GET', '/tasks?cursor=forged', undefined, 400, ['cursor']],
    ];
    for (const [method, path, body, status, fields] of badChanges) {
      const headers = fields.includes('If-Match') ? { 'if-match': 'three' } : undefined;
      const response = await call(tenant, method, path, body, headers);
      try {
        expectProblem(response, status, fields);
      } catch (error) {
        throw new Error(`${method} ${path} ${JSON.stringify(body)} answered ${response.status} ${response.text}: ${String(error)}`);
      }
    }

    const read = await call(tenant, 'GET', `/tasks/${id}`);
    expect(read.body).toMatchObject({ revision: 0, title: 'A', commentCount: 0 });
    const list = await call<Page<Task>>(tenant, 'GET', '/tasks', undefined, { 'x-consistency-token': created.headers['x-consistency-token'] });
    expect(list.body.items.map((task) => task.id)).toEqual([id]);
  });

  it('links tasks to contacts and companies the sales service knows, and filters by them', async () => {
    const tenant = uniqueTenant('tasks-links');
    const company = await crm.call<{ id: string }>('POST', '/api/v1/companies', { tenant, body: { name: 'Acme' } });
    const contact = await crm.call<{ id: string }>('POST', '/api/v1/contacts', { tenant, body: { firstName: 'Ada', lastName: 'Lovelace', companyId: company.body.id } });
    expect([company.status, contact.status]).toEqual([201, 201]);
    // Sales learns of them from the contacts integration events: a moment later.
    const linked = await eventually(
      async () => {
        const response = await call(tenant, 'POST', '/tasks', { title: 'Send the offer', dueAt: '2036-12-01T09:00:00Z', contactId: contact.body.id, companyId: company.body.id });
        return response.status === 201 ? response : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'the contact and company to reach sales' },
    );
    expect(linked.body).toMatchObject({ contactId: contact.body.id, companyId: company.body.id });
    const other = await call(tenant, 'POST', '/tasks', { title: 'Unlinked', dueAt: '2036-12-01T08:00:00Z' });
    const token = { 'x-consistency-token': other.headers['x-consistency-token'] };
    expect((await call<Page<Task>>(tenant, 'GET', `/tasks?contactId=${contact.body.id}`, undefined, token)).body.items.map((task) => task.title)).toEqual(['Send the offer']);
    expect((await call<Page<Task>>(tenant, 'GET', `/tasks?companyId=${company.body.id}`, undefined, token)).body.items.map((task) => task.title)).toEqual(['Send the offer']);
    expect((await call<Page<Task>>(tenant, 'GET', '/tasks', undefined, token)).body.items.map((task) => task.title)).toEqual(['Unlinked', 'Send the offer']);
    const unlinked = await call(tenant, 'PATCH', `/tasks/${linked.body.id}`, { contactId: null });
    expect(unlinked.body).toMatchObject({ contactId: null, companyId: company.body.id });
  });

  it("lists today's, this week's and overdue tasks in the caller's zone, sorted by due time, page by page", async () => {
    const tenant = uniqueTenant('tasks-due');
    const zone = zoneAwayFromMidnight();
    const now = DateTime.now().setZone(zone);
    const startOfDay = now.startOf('day');
    const local = (time: DateTime) => time.toFormat("yyyy-MM-dd'T'HH:mm");
    const plan: [string, DateTime, string?][] = [
      ['yesterday', startOfDay.minus({ hours: 2 })],
      ['early today', startOfDay.plus({ hours: 1 })],
      ['done early today', startOfDay.plus({ hours: 1, minutes: 30 }), 'done'],
      ['later today', now.plus({ minutes: 40 }).startOf('minute')],
      ['tomorrow', startOfDay.plus({ days: 1, hours: 10 })],
      ['next month', now.plus({ days: 31 })],
    ];
    const created: Record<string, Task> = {};
    let token = '';
    for (const [title, due, status] of plan) {
      const response = await call(tenant, 'POST', '/tasks', { title, dueAt: local(due), timeZone: zone, assigneeId: 'kim' });
      expect(response.status).toBe(201);
      created[title] = response.body;
      token = response.headers['x-consistency-token'];
      if (status) token = (await call(tenant, 'POST', `/tasks/${response.body.id}/status`, { status })).headers['x-consistency-token'];
    }
    const titles = async (query: string) => {
      const response = await call<Page<Task>>(tenant, 'GET', `/tasks?${query}`, undefined, { 'x-consistency-token': token });
      expect(response.status).toBe(200);
      return response.body.items.map((task) => task.title);
    };
    const tz = `tz=${encodeURIComponent(zone)}`;
    expect(await titles(`assignee=kim&due=today&${tz}`)).toEqual(['early today', 'done early today', 'later today']);
    expect(await titles(`assignee=kim&due=today&status=open,in_progress,waiting&${tz}`)).toEqual(['early today', 'later today']);
    expect(await titles('assignee=kim&due=overdue')).toEqual(['yesterday', 'early today']);
    const weekStart = now.startOf('week');
    const inWeek = plan.filter(([, due]) => due >= weekStart && due < weekStart.plus({ weeks: 1 })).map(([title]) => title);
    expect(await titles(`assignee=kim&due=week&${tz}`)).toEqual(inWeek);
    expect(await titles('assignee=sam')).toEqual([]);

    const overdueTask = (await call<Page<Task>>(tenant, 'GET', '/tasks?due=overdue')).body.items[0];
    expect(overdueTask).toMatchObject({ title: 'yesterday', overdue: true, timeZone: zone, dueLocal: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T22:00:00/) });

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const response: { body: Page<Task> } = await call<Page<Task>>(tenant, 'GET', `/tasks?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      pages.push(response.body.items.map((task) => task.title));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([
      ['yesterday', 'early today', 'done early today', 'later today'],
      ['tomorrow', 'next month'],
    ]);
  });

  it('documents every task route in the gateway OpenAPI document', async () => {
    const document = await crm.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json');
    expect(document.status).toBe(200);
    const paths = document.body.paths;
    expect(Object.keys(paths['/api/v1/tasks']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/v1/tasks/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(paths['/api/v1/tasks/{id}/status'])).toEqual(['post']);
    expect(Object.keys(paths['/api/v1/tasks/{id}/comments'])).toEqual(['post']);
    expect(Object.keys(paths['/api/v1/tasks/{id}/history'])).toEqual(['get']);
    const listParameters = ((paths['/api/v1/tasks'].get as { parameters?: { name: string }[] }).parameters ?? []).map((parameter) => parameter.name);
    expect(listParameters).toEqual(expect.arrayContaining(['assignee', 'due', 'tz', 'status', 'dealId', 'contactId', 'companyId', 'priority', 'limit', 'cursor']));
  });

  it('fires the reminder and the overdue mark once each after a hard restart, when they fell due while it was down', async () => {
    const tenant = uniqueTenant('tasks-restart');
    const dueAt = new Date(Date.now() + 15_000).toISOString();
    const created = await call(tenant, 'POST', '/tasks', { title: 'Due while the CRM is down', dueAt, reminderOffsetsMinutes: [0] });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await history(tenant, id)).map((entry) => entry.type)).toEqual(['TaskCreated']);
    // Let the projection write the timers (read-your-writes on the list), then cut the power before the due time.
    await call<Page<Task>>(tenant, 'GET', '/tasks', undefined, { 'x-consistency-token': created.headers['x-consistency-token'] });
    await crm.killHard();
    expect(Date.now()).toBeLessThan(Date.parse(dueAt));
    // Down until both timers have fallen due: they must fire when the service comes back.
    await eventually(() => Date.now() > Date.parse(dueAt) + 100, { timeoutMs: 30_000, intervalMs: 100, description: 'the due time to pass while the CRM is down' });

    await crm.launch();
    const fired = await eventually(
      async () => {
        const entries = await history(tenant, id);
        return entries.some((entry) => entry.type === 'TaskOverdue') ? entries : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'TaskReminderDue and TaskOverdue in the task history' },
    );
    expect(fired.map((entry) => entry.type)).toEqual(['TaskCreated', 'TaskReminderDue', 'TaskOverdue']);
    const [, reminder, overdue] = fired;
    expect(reminder).toMatchObject({ actorId: 'system:task-reminders', data: { taskId: id, offsetMinutes: 0, dueAt } });
    expect(overdue).toMatchObject({ data: { taskId: id, dueAt } });
    expect(Date.parse(reminder.data.firedAt as string)).toBeGreaterThanOrEqual(Date.parse(dueAt));
    expect(Date.parse(overdue.data.firedAt as string)).toBeGreaterThan(Date.parse(dueAt));

    const read = await call(tenant, 'GET', `/tasks/${id}`);
    expect(read.body).toMatchObject({ overdue: true, reminders: [{ offsetMinutes: 0, fired: true }] });

    // Both were announced to other services, once each.
    const bus = new EmbeddedMessageBus({ path: join(crm.dataDir, 'bus.db') });
    const announced = new Map<string, IntegrationEvent>();
    const consumer = await bus.consume({
      group: `tasks-restart-${tenant}`,
      topics: [SALES_TASK_TOPIC],
      handler: async (event) => {
        if (event.tenantid === tenant) announced.set(event.id, event);
      },
    });
    try {
      await eventually(() => announced.size >= 3, { timeoutMs: 30_000, description: 'created, reminder due and overdue on crm.sales.task.v1' });
      expect([...announced.values()].map((event) => event.type).sort()).toEqual([
        'crm.sales.task.created.v1',
        'crm.sales.task.overdue.v1',
        'crm.sales.task.reminder_due.v1',
      ]);
    } finally {
      await consumer.close();
      await bus.close();
    }

    // Nothing fires a second time once the timers are done with.
    const later = await call<Page<Task>>(tenant, 'GET', '/tasks?due=overdue');
    expect(later.body.items.map((task) => task.id)).toEqual([id]);
    expect((await history(tenant, id)).map((entry) => entry.type)).toEqual(['TaskCreated', 'TaskReminderDue', 'TaskOverdue']);
  }, 180_000);
});

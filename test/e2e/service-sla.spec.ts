import { EmbeddedMessageBus, type IntegrationEvent } from '@crm/bus';
import { fromJson } from '@bufbuild/protobuf';
import { SLA_TOPIC, SlaBreachSchema, slaEventType, SlaWarningSchema } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { join } from 'node:path';
import { RunningCrm } from '../../tools/running-crm';
import { expectProblem, type Page, uniqueTenant } from './support';

type MetricExplanation = {
  state: string;
  outcome: string;
  targetMinutes: number | null;
  elapsedBusinessMinutes: number;
  warningAt: string | null;
  breachAt: string | null;
  warningsIssued: { issuedAt: string; warningAt: string }[];
  breached: { issuedAt: string; targetAt: string } | null;
  met: { issuedAt: string; stoppedAt: string } | null;
  countedIntervals: { from: string; to: string; minutes: number }[];
  pauses: { from: string; to: string | null; reason: string }[];
};
type Explanation = {
  ticketId: string;
  started: boolean;
  policy: { id: string; name: string; revision: number } | null;
  calendar: { id: string; name: string; revision: number; timeZone: string } | null;
  applications: { trigger: string; priority: string }[];
  metrics: Record<'first_response' | 'resolution', MetricExplanation>;
  events: { revision: number; type: string; occurredAt: string; metric: string | null }[];
};
type Definition = { id: string; revision: number; name: string };

const ALL_WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, from: '00:00', to: '24:00' }));

/** SLA calendars, policies, durable timers across a crash, the explain route and recompute, through the gateway. */
describe('service desk SLA through the gateway', () => {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await RunningCrm.start();
  });

  afterAll(async () => {
    await crm?.stop();
  });

  const post = <T = Definition>(tenant: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    crm.call<T>('POST', `/api/v1${path}`, { tenant, actor: 'agent-alice', body, headers });
  const put = <T = Definition>(tenant: string, path: string, body: unknown, headers: Record<string, string> = {}) => crm.call<T>('PUT', `/api/v1${path}`, { tenant, body, headers });
  const get = <T = Definition>(tenant: string, path: string) => crm.call<T>('GET', `/api/v1${path}`, { tenant });

  async function calendar(tenant: string): Promise<Definition> {
    const created = await post(tenant, '/business-calendars', { name: '24/7', timeZone: 'UTC', workingHours: ALL_WEEK });
    expect(created.status).toBe(201);
    return created.body;
  }

  async function policy(tenant: string, body: Record<string, unknown>): Promise<Definition> {
    const created = await post(tenant, '/sla/policies', { name: 'Standard', ...body });
    expect(created.status).toBe(201);
    // The clock chooses among the policies of the read model: wait until this one is listed.
    await eventually(async () => (await get<Page<Definition>>(tenant, '/sla/policies')).body.items.some((item) => item.id === created.body.id && item.revision === created.body.revision), {
      description: 'the policy to be listed',
    });
    return created.body;
  }

  async function openTicket(tenant: string, priority = 'normal'): Promise<string> {
    const opened = await post<{ id: string }>(tenant, '/tickets', { channel: 'api', subject: 'Printer jams', priority });
    expect(opened.status).toBe(201);
    return opened.body.id;
  }

  const explain = async (tenant: string, ticketId: string) => {
    const response = await get<Explanation>(tenant, `/tickets/${ticketId}/sla`);
    expect(response.status).toBe(200);
    return response.body;
  };
  const countOf = (explanation: Explanation, type: string, metric: string) => explanation.events.filter((event) => event.type === type && event.metric === metric).length;

  it('keeps every revision of calendars and policies', async () => {
    const tenant = uniqueTenant('sla-defs');
    const office = await post(tenant, '/business-calendars', {
      name: 'Vilnius office',
      timeZone: 'Europe/Vilnius',
      workingHours: [
        { day: 'mon', from: '13:00', to: '17:00' },
        { day: 'mon', from: '08:00', to: '12:00' },
      ],
      holidays: ['2026-12-25'],
    });
    expect(office.status).toBe(201);
    expect(office.headers.location).toBe(`/api/v1/business-calendars/${office.body.id}`);
    expect(office.body).toMatchObject({ revision: 0, workingHours: [{ from: '08:00' }, { from: '13:00' }] });
    const revised = await put(tenant, `/business-calendars/${office.body.id}`, { name: 'Vilnius office', timeZone: 'Europe/Vilnius', workingHours: ALL_WEEK }, { 'if-match': '"0"' });
    expect(revised.status).toBe(200);
    expect(revised.headers.etag).toBe('"1"');
    expect((await get(tenant, `/business-calendars/${office.body.id}?revision=0`)).body).toMatchObject({ revision: 0, holidays: ['2026-12-25'] });
    expect((await get<{ items: unknown[] }>(tenant, `/business-calendars/${office.body.id}/revisions`)).body.items).toHaveLength(2);
    expectProblem(await put(tenant, `/business-calendars/${office.body.id}`, { name: 'Stale', timeZone: 'UTC', workingHours: ALL_WEEK }, { 'if-match': '"0"' }), 412);

    const second = await policy(tenant, { name: 'Second', rank: 200, calendarId: office.body.id, targets: { normal: { firstResponseMinutes: 60 } } });
    const first = await policy(tenant, { name: 'First', rank: 10, calendarId: office.body.id, conditions: { priorities: ['urgent'] }, targets: { urgent: { firstResponseMinutes: 15, resolutionMinutes: 240 } } });
    const listed = (await get<Page<Definition>>(tenant, '/sla/policies')).body.items.map((item) => item.id);
    expect(listed).toEqual([first.id, second.id]);
  });

  it('answers bad input with problem+json and stores nothing', async () => {
    const tenant = uniqueTenant('sla-bad');
    expectProblem(await post(tenant, '/business-calendars', { name: 'X', timeZone: 'Mars/Olympus', workingHours: ALL_WEEK }), 400, ['timeZone']);
    expectProblem(
      await post(tenant, '/business-calendars', {
        name: 'X',
        timeZone: 'UTC',
        workingHours: [
          { day: 'mon', from: '09:00', to: '13:00' },
          { day: 'mon', from: '12:00', to: '17:00' },
        ],
      }),
      400,
      ['workingHours.1'],
    );
    expectProblem(await post(tenant, '/business-calendars', { name: 'X', timeZone: 'UTC', workingHours: [{ day: 'funday', from: '09:00', to: '17:00' }] }), 400, ['workingHours.0.day']);
    expectProblem(await post(tenant, '/business-calendars', { name: 'X', timeZone: 'UTC', workingHours: ALL_WEEK, holidays: ['2026-02-30'] }), 400, ['holidays.0']);
    expect((await get<Page<unknown>>(tenant, '/business-calendars')).body.items).toEqual([]);

    expectProblem(await post(tenant, '/sla/policies', { name: 'P', calendarId: 'nope', targets: { normal: { firstResponseMinutes: 5 } } }), 400, ['calendarId']);
    const hours = await calendar(tenant);
    expectProblem(await post(tenant, '/sla/policies', { name: 'P', calendarId: hours.id, targets: { normal: { firstResponseMinutes: 5 } }, warningAt: 1.5 }), 400, ['warningAt']);
    expectProblem(await post(tenant, '/sla/policies', { name: 'P', calendarId: hours.id, targets: {} }), 400, ['targets']);
    expectProblem(await post(tenant, '/sla/policies', { name: 'P', calendarId: hours.id, targets: { normal: { firstResponseMinutes: -1 } } }), 400, ['targets.normal.firstResponseMinutes']);
    expectProblem(await post(tenant, '/sla/policies', { name: 'P', calendarId: hours.id, targets: { normal: { firstResponseMinutes: 5 } }, pauseOn: ['solved'] }), 400, ['pauseOn']);
    expect((await get<Page<unknown>>(tenant, '/sla/policies')).body.items).toEqual([]);

    expectProblem(await post(tenant, '/escalation-rules', { name: 'R', on: 'breach', actions: [{ type: 'reassign' }] }), 400, ['actions.0.queueId']);
    expectProblem(await post(tenant, '/escalation-rules', { name: 'R', on: 'late', actions: [{ type: 'notify', target: 'lead' }] }), 400, ['on']);
    expectProblem(await post(tenant, '/escalation-rules', { name: 'R', on: 'breach', actions: [] }), 400, ['actions']);
    expect((await get<Page<unknown>>(tenant, '/escalation-rules')).body.items).toEqual([]);

    expectProblem(await post(tenant, '/sla/recompute'), 400, ['from']);
    expectProblem(await post(tenant, '/sla/recompute?from=yesterday'), 400, ['from']);
    expectProblem(await get(tenant, '/sla/outcomes?recomputed=maybe'), 400, ['recomputed']);
    expectProblem(await get(tenant, '/tickets/unknown-ticket/sla'), 404);
  });

  it('fires the SLA warning and breach exactly once although the CRM was killed before they fell due', async () => {
    const tenant = uniqueTenant('sla-crash');
    const hours = await calendar(tenant);
    // Tiny targets so the test runs in seconds: fractional minutes are allowed (0.3 min = 18 s, warning at 9 s).
    await policy(tenant, { calendarId: hours.id, targets: { urgent: { firstResponseMinutes: 0.3, resolutionMinutes: 600 } }, warningAt: 0.5 });
    await post(tenant, '/escalation-rules', { name: 'Tell the lead', on: 'breach', metric: 'first_response', actions: [{ type: 'notify', target: 'team-lead' }] });
    const ticketId = await openTicket(tenant, 'urgent');
    const started = await eventually(async () => ((await explain(tenant, ticketId)).started ? explain(tenant, ticketId) : undefined), { description: 'the SLA clock to start' });
    const warningAt = Date.parse(started.metrics.first_response.warningAt!);
    const breachAt = Date.parse(started.metrics.first_response.breachAt!);
    expect(breachAt - warningAt).toBe(9_000);

    await crm.killHard();
    expect(Date.now()).toBeLessThan(warningAt); // the timers were still pending when everything died
    await crm.launch();

    const fired = await eventually(
      async () => {
        const explanation = await explain(tenant, ticketId);
        return explanation.metrics.first_response.breached ? explanation : undefined;
      },
      { timeoutMs: 60_000, description: 'the warning and the breach' },
    );
    expect(countOf(fired, 'SlaWarningIssued', 'first_response')).toBe(1);
    expect(countOf(fired, 'SlaBreached', 'first_response')).toBe(1);
    expect(countOf(fired, 'SlaEscalationTriggered', 'first_response')).toBe(1);
    expect(fired.metrics.first_response).toMatchObject({ outcome: 'breached', breached: { targetAt: new Date(breachAt).toISOString() } });
    expect(fired.metrics.first_response.warningsIssued).toEqual([{ issuedAt: expect.any(String), warningAt: new Date(warningAt).toISOString(), targetMinutes: 0.3 }]);

    // Published once each on crm.service.sla.v1 (a relay repeat after the crash carries the same id), agent and queue included.
    const bus = new EmbeddedMessageBus({ path: join(crm.dataDir, 'bus.db') });
    const published = new Map<string, IntegrationEvent>();
    const consumer = await bus.consume({
      group: `sla-test-${tenant}`,
      topics: [SLA_TOPIC],
      handler: async (event) => {
        if (event.tenantid === tenant) published.set(event.id, event);
      },
    });
    try {
      await eventually(() => [...published.values()].some((event) => event.type === slaEventType('escalated')), { timeoutMs: 20_000, description: 'the SLA events on the bus' });
      const ofType = (type: string) => [...published.values()].filter((event) => event.type === type);
      expect(ofType(slaEventType('warning'))).toHaveLength(1);
      expect(ofType(slaEventType('breached'))).toHaveLength(1);
      expect(fromJson(SlaWarningSchema, ofType(slaEventType('warning'))[0].data as never)).toMatchObject({ ticketId, metric: 'first_response', priority: 'urgent' });
      expect(fromJson(SlaBreachSchema, ofType(slaEventType('breached'))[0].data as never)).toMatchObject({ ticketId, targetAt: new Date(breachAt).toISOString() });
      expect(ofType(slaEventType('escalated'))[0].data).toMatchObject({ ticketId, target: 'team-lead', trigger: 'breach' });
    } finally {
      await consumer.close();
      await bus.close();
    }
  }, 180_000);

  it('explains the clock: policy and calendar revisions, counted intervals, pauses while pending', async () => {
    const tenant = uniqueTenant('sla-explain');
    const hours = await calendar(tenant);
    const standard = await policy(tenant, { calendarId: hours.id, targets: { normal: { firstResponseMinutes: 10, resolutionMinutes: 60 } } });
    const ticketId = await openTicket(tenant);
    await eventually(async () => (await explain(tenant, ticketId)).started, { description: 'the SLA clock to start' });
    expect((await post(tenant, `/tickets/${ticketId}/replies`, { body: 'On it' })).status).toBe(201);
    expect((await post(tenant, `/tickets/${ticketId}/status`, { status: 'pending' })).status).toBe(200);
    await eventually(async () => (await explain(tenant, ticketId)).metrics.resolution.state === 'paused', { description: 'the pause' });
    expect((await post(tenant, `/tickets/${ticketId}/status`, { status: 'open' })).status).toBe(200);

    const explanation = await eventually(async () => {
      const current = await explain(tenant, ticketId);
      return current.metrics.first_response.met ? current : undefined;
    });
    expect(explanation.policy).toEqual({ id: standard.id, name: 'Standard', revision: 0 });
    expect(explanation.calendar).toMatchObject({ id: hours.id, name: '24/7', revision: 0, timeZone: 'UTC' });
    expect(explanation.metrics.first_response).toMatchObject({ state: 'stopped', outcome: 'met', targetMinutes: 10 });
    const resolution = explanation.metrics.resolution;
    expect(resolution).toMatchObject({ state: 'running', outcome: 'in_progress', targetMinutes: 60 });
    expect(resolution.pauses).toEqual([{ from: expect.any(String), to: expect.any(String), reason: 'pending' }]);
    expect(resolution.countedIntervals).toHaveLength(2);
    expect(resolution.countedIntervals[0].to).toBe(resolution.pauses[0].from);
    expect(resolution.countedIntervals[1].from).toBe(resolution.pauses[0].to);
  });

  it('recomputes past outcomes after a policy change without touching any event', async () => {
    const tenant = uniqueTenant('sla-recompute');
    const hours = await calendar(tenant);
    const before = new Date(Date.now() - 60_000).toISOString();
    const strict = await policy(tenant, { calendarId: hours.id, targets: { normal: { firstResponseMinutes: 0.03, resolutionMinutes: 600 } }, warningAt: 0.5 });
    const ticketId = await openTicket(tenant);
    await eventually(async () => (await explain(tenant, ticketId)).metrics.first_response.breached !== null, { description: 'the first response to breach' });
    expect((await post(tenant, `/tickets/${ticketId}/replies`, { body: 'Sorry for the wait' })).status).toBe(201);
    const recorded = await explain(tenant, ticketId);
    const history = (await get<{ items: unknown[] }>(tenant, `/tickets/${ticketId}/history`)).body.items;

    const relaxed = await put(tenant, `/sla/policies/${strict.id}`, { name: 'Standard', calendarId: hours.id, targets: { normal: { firstResponseMinutes: 600, resolutionMinutes: 6000 } } });
    expect(relaxed.status).toBe(200);
    await eventually(async () => (await get<Page<Definition>>(tenant, '/sla/policies')).body.items[0]?.revision === 1, { description: 'the revised policy' });

    const summary = await post<{ tickets: number; changed: number; outcomes: Record<string, Record<string, number>> }>(tenant, `/sla/recompute?from=${encodeURIComponent(before)}`);
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ tickets: 1, changed: 1, outcomes: { first_response: { met: 1, breached: 0 } } });
    const outcomes = await get<Page<{ ticketId: string; changed: boolean; policy: { revision: number }; metrics: Record<string, { outcome: string }>; recorded: Record<string, { outcome: string }> }>>(
      tenant,
      '/sla/outcomes?recomputed=true',
    );
    expect(outcomes.body.items).toEqual([
      expect.objectContaining({ ticketId, changed: true, policy: expect.objectContaining({ revision: 1 }), metrics: expect.objectContaining({ first_response: expect.objectContaining({ outcome: 'met' }) }), recorded: expect.objectContaining({ first_response: expect.objectContaining({ outcome: 'breached' }) }) }),
    ]);

    // The live record is what it was: same SLA events, same ticket history, still breached under the policy it ran with.
    const after = await explain(tenant, ticketId);
    expect(after.events).toEqual(recorded.events);
    expect(after.policy).toEqual(recorded.policy);
    expect((await get<{ items: unknown[] }>(tenant, `/tickets/${ticketId}/history`)).body.items).toEqual(history);
    const live = await get<Page<{ ticketId: string; metrics: Record<string, { outcome: string }> }>>(tenant, '/sla/outcomes');
    expect(live.body.items.find((item) => item.ticketId === ticketId)?.metrics.first_response.outcome).toBe('breached');
  });

  it('lists the SLA routes in the OpenAPI document of the gateway', async () => {
    const document = (await crm.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json')).body;
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/business-calendars',
        '/api/v1/business-calendars/{id}',
        '/api/v1/business-calendars/{id}/revisions',
        '/api/v1/sla/policies',
        '/api/v1/sla/policies/{id}',
        '/api/v1/sla/recompute',
        '/api/v1/sla/outcomes',
        '/api/v1/escalation-rules',
        '/api/v1/escalation-rules/{id}',
        '/api/v1/tickets/{id}/sla',
      ]),
    );
    expect(Object.keys(document.paths['/api/v1/sla/policies/{id}']).sort()).toEqual(['get', 'put']);
  });
});

import { type CommandContext, newEventId } from '@crm/decider';
import { InMemoryEventStore, type RecordedEvent } from '@crm/eventstore';
import { createInMemoryReadStore, type EmbeddedReadStore } from '@crm/readstore';
import { DurableTimerScheduler, ProjectionHost } from '@crm/runtime';
import { NO_CONTRACT_TIERS } from '../application/sla-contract-tiers';
import type { SlaTicketActions } from '../application/sla-ticket-actions';
import { ticketFactsFrom } from '../application/sla.service';
import { type SlaPriority, slaTicketView } from '../domain/sla-clock';
import { ticketSlaStream, ticketStream } from '../domain/streams';
import { SlaEngine } from './sla-engine';
import { mapSlaIntegrationEvents } from './sla-integration-events';

const TENANT = 'acme';
const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const allWeek = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({ day, from: '00:00', to: '24:00' }));
const admin: CommandContext = { tenantId: TENANT, actorId: 'admin', correlationId: 'c', causationId: 'c' };

/** The SLA engine on in-memory stores, with a test clock: timers fire when the test says so. */
class Harness {
  readonly eventStore = new InMemoryEventStore();
  readonly readStore: EmbeddedReadStore = createInMemoryReadStore();
  clock = new Date(T0);
  readonly host = new ProjectionHost(this.eventStore, this.readStore);
  readonly scheduler = new DurableTimerScheduler(this.readStore, { now: () => this.clock });
  readonly tickets: SlaTicketActions = {
    changePriority: async (context, ticketId, priority, reason) => {
      const current = slaTicketView(ticketFactsFrom(await this.facts(ticketId)))!.priority;
      await this.ticketEvent(ticketId, 'TicketPriorityChanged', { ticketId, from: current, to: priority, reason }, context.now?.().toISOString());
    },
    assign: async (context, ticketId, assignment) => {
      await this.ticketEvent(ticketId, 'TicketAssigned', { ticketId, ...assignment }, context.now?.().toISOString());
    },
  };
  readonly engine = new SlaEngine(this.eventStore, this.readStore, NO_CONTRACT_TIERS, this.tickets, () => this.clock);

  async start() {
    this.host.add(this.engine.projection);
    this.engine.registerTimers(this.scheduler);
    await this.host.start();
    for (const collection of [this.engine.timers.collectionName]) await this.readStore.collection(collection).createIndexes(this.engine.timers.indexes);
  }

  async stop() {
    await this.host.stop();
    await this.readStore.close();
    await this.eventStore.close();
  }

  async settle() {
    await this.host.waitForPosition(await this.eventStore.headPosition(), 5_000);
  }

  /** Moves the clock and fires what falls due, until nothing more does. */
  async advanceTo(instant: string) {
    this.clock = new Date(instant);
    await this.settle();
    while ((await this.scheduler.fireDue()) > 0) await this.settle();
  }

  async ticketEvent(ticketId: string, type: string, data: Record<string, unknown>, occurredAt = this.clock.toISOString()) {
    const stream = ticketStream(TENANT, ticketId);
    const revision = (await this.eventStore.readStream(stream)).length - 1;
    await this.eventStore.append(
      stream,
      [{ eventId: newEventId(), type, data, metadata: { tenantId: TENANT, actorId: 'agent', correlationId: 'c', causationId: 'c', occurredAt, schemaVersion: 1 } }],
      revision === -1 ? 'no_stream' : revision,
    );
  }

  async open(ticketId: string, priority: SlaPriority = 'normal', category: string | null = null) {
    await this.ticketEvent(ticketId, 'TicketOpened', { ticketId, channel: 'web', subject: 'Help', priority, category, queueId: 'q1', requesterContactId: null, companyId: null, tags: [] });
  }

  facts(ticketId: string): Promise<RecordedEvent[]> {
    return this.eventStore.readStream(ticketStream(TENANT, ticketId));
  }

  /** The ticket's SLA events as `type:metric`; escalation bookkeeping only when asked. */
  async slaEvents(ticketId: string, withEscalations = false): Promise<string[]> {
    return (await this.eventStore.readStream(ticketSlaStream(TENANT, ticketId)))
      .filter((event) => withEscalations || !event.type.startsWith('SlaEscalation'))
      .map((event) => {
        const data = event.data as { metric?: string; trigger?: { metric: string } };
        const metric = data.metric ?? data.trigger?.metric;
        return metric ? `${event.type}:${metric}` : event.type;
      });
  }

  async pendingTimers() {
    return (await this.engine.timers.pending(this.readStore, TENANT)).map((timer) => `${timer._id.split(':').slice(2).join(':')}@${timer.dueAt}`);
  }
}

describe('SLA engine (projection, durable timers, escalations, recompute)', () => {
  let h: Harness;
  let policyId: string;
  let calendarId: string;

  beforeEach(async () => {
    h = new Harness();
    await h.start();
    calendarId = (await h.engine.calendars.create(admin, { name: '24/7', timeZone: 'UTC', workingHours: allWeek })).view.id;
    const policy = await h.engine.policies.create(admin, {
      name: 'Standard',
      calendarId,
      targets: { normal: { firstResponseMinutes: 10, resolutionMinutes: 60 }, urgent: { firstResponseMinutes: 4, resolutionMinutes: 30 } },
      warningAt: 0.5,
    });
    policyId = policy.view.id;
    await h.settle();
  });

  afterEach(async () => {
    await h.stop();
  });

  it('starts the clock when a ticket opens and schedules warning and breach timers', async () => {
    await h.open('t1');
    await h.advanceTo(at(0));
    expect(await h.slaEvents('t1')).toEqual(['SlaClockStarted']);
    expect(await h.pendingTimers()).toEqual([`first_response:warning@${at(5)}`, `first_response:breach@${at(10)}`, `resolution:warning@${at(30)}`, `resolution:breach@${at(60)}`]);
  });

  it('fires the warning and the breach once each, even when a timer is delivered again', async () => {
    await h.open('t1');
    await h.advanceTo(at(0));
    await h.advanceTo(at(5));
    expect(await h.slaEvents('t1')).toEqual(['SlaClockStarted', 'SlaWarningIssued:first_response']);
    await h.advanceTo(at(10));
    expect(await h.slaEvents('t1')).toEqual(['SlaClockStarted', 'SlaWarningIssued:first_response', 'SlaBreached:first_response']);

    // The same timers delivered once more (a crash after the command, another replica): nothing new.
    for (const name of ['first_response:warning', 'first_response:breach']) {
      await h.engine.timers.schedule(h.readStore, { key: `${TENANT}:t1:${name}`, tenantId: TENANT, dueAt: at(5), payload: { ticketId: 't1', timer: name } }, Number.MAX_SAFE_INTEGER);
    }
    await h.advanceTo(at(11));
    await h.engine.sla.synchronise(TENANT, 't1', new Date(at(11)));
    expect(await h.slaEvents('t1')).toEqual(['SlaClockStarted', 'SlaWarningIssued:first_response', 'SlaBreached:first_response']);
  });

  it('records the first response met and cancels its timers', async () => {
    await h.open('t1');
    await h.advanceTo(at(0));
    await h.advanceTo(at(3));
    await h.ticketEvent('t1', 'TicketReplied', { ticketId: 't1', messageId: 'm1', authorType: 'agent' });
    await h.advanceTo(at(3));
    expect(await h.slaEvents('t1')).toEqual(['SlaClockStarted', 'SlaTargetMet:first_response']);
    expect(await h.pendingTimers()).toEqual([`resolution:warning@${at(30)}`, `resolution:breach@${at(60)}`]);
  });

  it('moves the timers when the clock pauses while pending and resumes', async () => {
    await h.open('t1');
    await h.advanceTo(at(0));
    await h.ticketEvent('t1', 'TicketReplied', { ticketId: 't1', messageId: 'm1', authorType: 'agent' });
    await h.ticketEvent('t1', 'TicketStatusChanged', { ticketId: 't1', from: 'new', to: 'pending', reason: null }, at(20));
    await h.advanceTo(at(20));
    expect(await h.pendingTimers()).toEqual([]);
    await h.ticketEvent('t1', 'TicketStatusChanged', { ticketId: 't1', from: 'pending', to: 'open', reason: null }, at(50));
    await h.advanceTo(at(50));
    // 20 minutes counted before the pause: warning 10 min and breach 40 min after the resume.
    expect(await h.pendingTimers()).toEqual([`resolution:warning@${at(60)}`, `resolution:breach@${at(90)}`]);
    const explanation = await h.engine.sla.explain(TENANT, 't1', new Date(at(55)));
    expect(explanation.metrics.resolution).toMatchObject({
      elapsedBusinessMinutes: 25,
      pauses: [{ from: at(20), to: at(50), reason: 'pending' }],
      countedIntervals: [
        { from: at(0), to: at(20), minutes: 20 },
        { from: at(50), to: at(55), minutes: 5 },
      ],
    });
    expect(explanation.policy).toEqual({ id: policyId, name: 'Standard', revision: 0 });
    expect(explanation.calendar).toMatchObject({ id: calendarId, revision: 0, timeZone: 'UTC' });
  });

  it('re-applies the policy on a priority change and escalates a breach once, through the ticket commands', async () => {
    await h.engine.rules.create(admin, { name: 'Raise on breach', on: 'breach', metric: 'first_response', actions: [{ type: 'raise_priority' }, { type: 'notify', target: 'team-lead' }] });
    await h.settle();
    await h.open('t1', 'normal');
    await h.advanceTo(at(0));
    await h.ticketEvent('t1', 'TicketPriorityChanged', { ticketId: 't1', from: 'normal', to: 'urgent', reason: null }, at(2));
    await h.advanceTo(at(2));
    expect(await h.slaEvents('t1')).toEqual(['SlaClockStarted', 'SlaPolicyReapplied', 'SlaWarningIssued:first_response']);
    await h.advanceTo(at(4));
    const events = await h.slaEvents('t1', true);
    // The rules the breach triggered are recorded with the breach; the ticket action after it, once.
    expect(events).toEqual([
      'SlaClockStarted',
      'SlaPolicyReapplied',
      'SlaWarningIssued:first_response',
      'SlaBreached:first_response',
      'SlaEscalationTriggered:first_response',
      'SlaEscalationActionApplied:first_response',
    ]);
    // Already urgent: the raise is skipped and recorded; the notification is an integration event.
    const stream = await h.eventStore.readStream(ticketSlaStream(TENANT, 't1'));
    const evaluated = stream.find((event) => event.type === 'SlaEscalationTriggered')!;
    expect(mapSlaIntegrationEvents(evaluated).map((outgoing) => [outgoing.topic, outgoing.event.type, (outgoing.event.data as { target: string }).target])).toEqual([
      ['crm.service.sla.v1', 'crm.service.sla.escalated.v1', 'team-lead'],
    ]);
    const applied = (await h.eventStore.readStream(ticketSlaStream(TENANT, 't1'))).filter((event) => event.type === 'SlaEscalationActionApplied');
    expect(applied.map((event) => event.data)).toMatchObject([{ actionType: 'raise_priority', outcome: 'skipped' }]);
  });

  it('raises the priority once through the tickets feature, and the new targets apply from then on', async () => {
    await h.engine.rules.create(admin, { name: 'Raise on warning', on: 'warning', actions: [{ type: 'raise_priority' }] });
    await h.settle();
    await h.open('t1', 'normal');
    await h.advanceTo(at(0));
    await h.advanceTo(at(5));
    await h.advanceTo(at(5));
    const priorityChanges = (await h.facts('t1')).filter((event) => event.type === 'TicketPriorityChanged');
    expect(priorityChanges.map((event) => event.data)).toEqual([{ ticketId: 't1', from: 'normal', to: 'high', reason: expect.stringMatching(/^SLA escalation /) }]);
    // No policy has targets for high: the re-application leaves the ticket without targets (and no more timers).
    expect(await h.slaEvents('t1')).toContain('SlaPolicyReapplied');
    expect(await h.pendingTimers()).toEqual([]);
  });

  it('recomputes past outcomes with a changed policy: same events, different outcome, events untouched', async () => {
    await h.open('t1');
    for (const minute of [0, 5, 10]) await h.advanceTo(at(minute));
    await h.ticketEvent('t1', 'TicketReplied', { ticketId: 't1', messageId: 'm1', authorType: 'agent' }, at(15));
    await h.advanceTo(at(30));
    await h.ticketEvent('t1', 'TicketStatusChanged', { ticketId: 't1', from: 'new', to: 'solved', reason: null }, at(40));
    await h.advanceTo(at(40));
    expect(await h.slaEvents('t1')).toEqual(['SlaClockStarted', 'SlaWarningIssued:first_response', 'SlaBreached:first_response', 'SlaWarningIssued:resolution', 'SlaTargetMet:resolution']);
    const before = [...(await h.facts('t1')), ...(await h.eventStore.readStream(ticketSlaStream(TENANT, 't1')))].map((event) => event.eventId);
    const head = await h.eventStore.headPosition();

    await h.engine.policies.revise(admin, policyId, { name: 'Standard', calendarId, targets: { normal: { firstResponseMinutes: 20, resolutionMinutes: 30 } }, warningAt: 0.5 });
    await h.settle();
    const summary = await h.engine.recompute.recompute(TENANT, { from: at(-60) }, new Date(at(100)));
    expect(summary).toMatchObject({ tickets: 1, changed: 1, outcomes: { first_response: { met: 1 }, resolution: { breached: 1 } } });
    const { items } = await h.engine.recompute.list(TENANT, {});
    expect(items[0]).toMatchObject({
      ticketId: 't1',
      policy: { id: policyId, revision: 1 },
      metrics: { first_response: { outcome: 'met', breachAt: null }, resolution: { outcome: 'breached', breachAt: at(30) } },
      recorded: { first_response: { outcome: 'breached', breachAt: at(10) }, resolution: { outcome: 'met', breachAt: null } },
      changed: true,
    });
    // Nothing was written: the same events, and no new ones anywhere in the log.
    const after = [...(await h.facts('t1')), ...(await h.eventStore.readStream(ticketSlaStream(TENANT, 't1')))].map((event) => event.eventId);
    expect(after).toEqual(before);
    expect(await h.eventStore.headPosition()).toBe(head + 1); // only the policy revision
  });

  it('explains a ticket that does not exist as not found', async () => {
    await expect(h.engine.sla.explain(TENANT, 'nope', new Date(at(0)))).rejects.toThrow(/not found/);
  });
});

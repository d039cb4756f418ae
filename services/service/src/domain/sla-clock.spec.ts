import type { WorkingHours } from './business-hours';
import { readSlaClock, type SlaApplication, type SlaPriority, type TicketFact, ticketFactsOf } from './sla-clock';

const weekdays = (from: string, to: string): WorkingHours[] => (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, from, to }));

const TARGETS: Record<SlaPriority, { firstResponseMinutes: number; resolutionMinutes: number }> = {
  low: { firstResponseMinutes: 480, resolutionMinutes: 2400 },
  normal: { firstResponseMinutes: 240, resolutionMinutes: 960 },
  high: { firstResponseMinutes: 60, resolutionMinutes: 480 },
  urgent: { firstResponseMinutes: 30, resolutionMinutes: 120 },
};

/** A policy on a UTC 9-17 weekday calendar, applied at a ticket event. */
function applied(triggerRevision: number, effectiveAt: string, priority: SlaPriority, overrides: Partial<SlaApplication> = {}): SlaApplication {
  return {
    effectiveAt,
    trigger: triggerRevision === 0 ? 'opened' : 'priority_changed',
    triggerRevision,
    policy: { id: 'standard', name: 'Standard', revision: 0 },
    calendar: { id: 'office', name: 'Office', revision: 0, timeZone: 'UTC', workingHours: weekdays('09:00', '17:00'), holidays: [] },
    priority,
    category: null,
    contractTier: null,
    targets: TARGETS[priority],
    warningAt: 0.75,
    pauseOn: ['pending'],
    ...overrides,
  };
}

const opened = (at: string, priority: SlaPriority = 'normal'): TicketFact => ({
  type: 'opened',
  revision: 0,
  at,
  priority,
  category: null,
  requesterContactId: null,
  companyId: null,
  queueId: 'q1',
});
const status = (revision: number, at: string, to: 'open' | 'pending' | 'on_hold' | 'solved' | 'closed'): TicketFact => ({ type: 'status_changed', revision, at, to });
const reply = (revision: number, at: string): TicketFact => ({ type: 'agent_replied', revision, at });

// Monday 2026-11-23, 09:00 UTC.
const MONDAY_9 = '2026-11-23T09:00:00.000Z';

describe('SLA clock', () => {
  it('maps ticket events to facts, keeping only the first agent reply', () => {
    const facts = ticketFactsOf([
      { type: 'TicketOpened', data: { ticketId: 't', priority: 'high', category: 'billing', queueId: 'q1' }, revision: 0, occurredAt: MONDAY_9 },
      { type: 'TicketReplied', data: { authorType: 'requester' }, revision: 1, occurredAt: '2026-11-23T09:05:00.000Z' },
      { type: 'TicketReplied', data: { authorType: 'agent' }, revision: 2, occurredAt: '2026-11-23T09:10:00.000Z' },
      { type: 'TicketNoteAdded', data: {}, revision: 3, occurredAt: '2026-11-23T09:11:00.000Z' },
      { type: 'TicketReplied', data: { authorType: 'agent' }, revision: 4, occurredAt: '2026-11-23T09:20:00.000Z' },
    ]);
    expect(facts.map((fact) => fact.type)).toEqual(['opened', 'agent_replied']);
    expect(facts[0]).toMatchObject({ priority: 'high', category: 'billing', queueId: 'q1' });
  });

  it('counts business time from the opening and projects warning and breach', () => {
    const clock = readSlaClock([opened(MONDAY_9)], [applied(0, MONDAY_9, 'normal')], '2026-11-23T10:00:00.000Z')!;
    expect(clock.metrics.first_response).toMatchObject({
      state: 'running',
      outcome: 'in_progress',
      targetMinutes: 240,
      elapsedMs: 60 * 60_000,
      warningAt: '2026-11-23T12:00:00.000Z',
      breachAt: '2026-11-23T13:00:00.000Z',
      countedIntervals: [{ from: MONDAY_9, to: '2026-11-23T10:00:00.000Z', minutes: 60 }],
      pauses: [],
    });
    // Resolution (960 min = two working days) falls due on Tuesday at 17:00.
    expect(clock.metrics.resolution.breachAt).toBe('2026-11-24T17:00:00.000Z');
  });

  it('stops first response at the first agent reply while resolution keeps running', () => {
    const facts = [opened(MONDAY_9), reply(1, '2026-11-23T09:45:00.000Z')];
    const clock = readSlaClock(facts, [applied(0, MONDAY_9, 'normal')], '2026-11-23T11:00:00.000Z')!;
    expect(clock.metrics.first_response).toMatchObject({ state: 'stopped', outcome: 'met', stoppedAt: '2026-11-23T09:45:00.000Z', elapsedMs: 45 * 60_000 });
    expect(clock.metrics.resolution).toMatchObject({ state: 'running', elapsedMs: 120 * 60_000 });
  });

  it('pauses while pending, explains the pause, and pushes the target back by its business length', () => {
    const facts = [opened(MONDAY_9), reply(1, '2026-11-23T09:10:00.000Z'), status(2, '2026-11-23T09:10:00.000Z', 'pending'), status(3, '2026-11-23T11:10:00.000Z', 'open')];
    const clock = readSlaClock(facts, [applied(0, MONDAY_9, 'high')], '2026-11-23T12:00:00.000Z')!;
    expect(clock.metrics.resolution).toMatchObject({
      state: 'running',
      elapsedMs: 60 * 60_000,
      pauses: [{ from: '2026-11-23T09:10:00.000Z', to: '2026-11-23T11:10:00.000Z', reason: 'pending' }],
      countedIntervals: [
        { from: MONDAY_9, to: '2026-11-23T09:10:00.000Z', minutes: 10 },
        { from: '2026-11-23T11:10:00.000Z', to: '2026-11-23T12:00:00.000Z', minutes: 50 },
      ],
      // 480 min target: 7 h left at 12:00 → 17:00 Monday is 5 h, so Tuesday 11:00.
      breachAt: '2026-11-24T11:00:00.000Z',
    });
  });

  it('reports an open pause and no projected breach while still pending', () => {
    const facts = [opened(MONDAY_9), status(1, '2026-11-23T10:00:00.000Z', 'pending')];
    const clock = readSlaClock(facts, [applied(0, MONDAY_9, 'high')], '2026-11-23T15:00:00.000Z')!;
    expect(clock.metrics.resolution).toMatchObject({ state: 'paused', breachAt: null, pauses: [{ from: '2026-11-23T10:00:00.000Z', to: null, reason: 'pending' }] });
  });

  it('does not pause on hold unless the policy says so', () => {
    const facts = [opened(MONDAY_9), status(1, '2026-11-23T10:00:00.000Z', 'on_hold')];
    const now = '2026-11-23T11:00:00.000Z';
    expect(readSlaClock(facts, [applied(0, MONDAY_9, 'high')], now)!.metrics.resolution).toMatchObject({ state: 'running', elapsedMs: 120 * 60_000 });
    expect(readSlaClock(facts, [applied(0, MONDAY_9, 'high', { pauseOn: ['pending', 'on_hold'] })], now)!.metrics.resolution).toMatchObject({
      state: 'paused',
      elapsedMs: 60 * 60_000,
    });
  });

  it('stops resolution at solved and resumes it on reopen with the time already counted', () => {
    const facts = [
      opened(MONDAY_9),
      reply(1, '2026-11-23T09:30:00.000Z'),
      status(2, '2026-11-23T10:00:00.000Z', 'solved'),
      status(3, '2026-11-23T14:00:00.000Z', 'open'),
    ];
    const beforeReopen = readSlaClock(facts.slice(0, 3), [applied(0, MONDAY_9, 'urgent')], '2026-11-23T13:00:00.000Z')!;
    expect(beforeReopen.metrics.resolution).toMatchObject({ state: 'stopped', outcome: 'met', stoppedAt: '2026-11-23T10:00:00.000Z', elapsedMs: 60 * 60_000 });

    const afterReopen = readSlaClock(facts, [applied(0, MONDAY_9, 'urgent')], '2026-11-23T14:30:00.000Z')!;
    expect(afterReopen.metrics.resolution).toMatchObject({
      state: 'running',
      elapsedMs: 90 * 60_000,
      pauses: [{ from: '2026-11-23T10:00:00.000Z', to: '2026-11-23T14:00:00.000Z', reason: 'solved' }],
      breachAt: '2026-11-23T15:00:00.000Z',
    });
    // The first response stays stopped at the reply: a reopen does not ask for a new first response.
    expect(afterReopen.metrics.first_response).toMatchObject({ state: 'stopped', stoppedAt: '2026-11-23T09:30:00.000Z' });
  });

  it('applies the new priority target from the moment it changes, measured from the opening', () => {
    const facts: TicketFact[] = [opened(MONDAY_9, 'low'), { type: 'priority_changed', revision: 1, at: '2026-11-23T11:00:00.000Z', to: 'urgent' }];
    const applications = [applied(0, MONDAY_9, 'low'), applied(1, '2026-11-23T11:00:00.000Z', 'urgent')];
    // Before the change: low's 480 min first response target.
    expect(readSlaClock(facts.slice(0, 1), applications.slice(0, 1), '2026-11-23T10:59:00.000Z')!.metrics.first_response.breachAt).toBe('2026-11-23T17:00:00.000Z');
    // Urgent's 30 min were already behind at 11:00 (2 h elapsed): breached at the change; resolution (120 min) at 11:00 too.
    const clock = readSlaClock(facts, applications, '2026-11-23T11:30:00.000Z')!;
    expect(clock.metrics.first_response).toMatchObject({ targetMinutes: 30, outcome: 'breached', breachAt: '2026-11-23T11:00:00.000Z' });
    expect(clock.metrics.resolution).toMatchObject({ targetMinutes: 120, outcome: 'breached', breachAt: '2026-11-23T11:00:00.000Z' });
  });

  it('moves the deadline later when the priority is lowered before the target', () => {
    const facts: TicketFact[] = [opened(MONDAY_9, 'urgent'), { type: 'priority_changed', revision: 1, at: '2026-11-23T09:10:00.000Z', to: 'normal' }];
    const applications = [applied(0, MONDAY_9, 'urgent'), applied(1, '2026-11-23T09:10:00.000Z', 'normal')];
    const clock = readSlaClock(facts, applications, '2026-11-23T09:20:00.000Z')!;
    expect(clock.metrics.first_response).toMatchObject({ targetMinutes: 240, outcome: 'in_progress', warningAt: '2026-11-23T12:00:00.000Z', breachAt: '2026-11-23T13:00:00.000Z' });
  });

  it('keeps a breach once reached, even if solved later', () => {
    const facts = [opened(MONDAY_9), status(1, '2026-11-23T15:00:00.000Z', 'solved')];
    const clock = readSlaClock(facts, [applied(0, MONDAY_9, 'urgent')], '2026-11-23T16:00:00.000Z')!;
    expect(clock.metrics.resolution).toMatchObject({ state: 'stopped', outcome: 'breached', breachAt: '2026-11-23T11:00:00.000Z' });
    // Solved without any agent reply: the first-response clock stops too (documented in ADR 0022).
    expect(clock.metrics.first_response).toMatchObject({ state: 'stopped', outcome: 'breached', breachAt: '2026-11-23T09:30:00.000Z' });
  });

  it('has no target when no policy applies', () => {
    const clock = readSlaClock([opened(MONDAY_9)], [applied(0, MONDAY_9, 'normal', { policy: null, calendar: null, targets: { firstResponseMinutes: null, resolutionMinutes: null } })], MONDAY_9)!;
    expect(clock.metrics.first_response).toMatchObject({ state: 'no_target', outcome: 'none', breachAt: null });
  });
});

import { given } from '@crm/decider/testing';
import type { SlaApplication, SlaPriority, TicketFact } from './sla-clock';
import { type EscalationRuleCandidate, hasEscalationWork, ticketSlaDecider, type TicketSlaEvent } from './ticket-sla';

const TICKET = 't1';
const OPENED_AT = '2026-11-23T09:00:00.000Z';
const allWeek = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({ day, from: '00:00', to: '24:00' }));

function application(triggerRevision: number, effectiveAt: string, priority: SlaPriority, targets = { firstResponseMinutes: 10, resolutionMinutes: 60 }): SlaApplication {
  return {
    effectiveAt,
    trigger: triggerRevision === 0 ? 'opened' : 'priority_changed',
    triggerRevision,
    policy: { id: 'p1', name: 'Always on', revision: 0 },
    calendar: { id: 'c1', name: '24/7', revision: 0, timeZone: 'UTC', workingHours: allWeek, holidays: [] },
    priority,
    category: null,
    contractTier: null,
    targets,
    warningAt: 0.5,
    pauseOn: ['pending'],
  };
}

const opened: TicketFact = { type: 'opened', revision: 0, at: OPENED_AT, priority: 'normal', category: null, requesterContactId: null, companyId: null, queueId: 'q1' };
const started: TicketSlaEvent = {
  type: 'SlaClockStarted',
  data: { ticketId: TICKET, policyId: 'p1', policyRevision: 0, calendarId: 'c1', calendarRevision: 0, application: application(0, OPENED_AT, 'normal') },
};
const minutesAfterOpening = (minutes: number) => new Date(Date.parse(OPENED_AT) + minutes * 60_000).toISOString();
const announcement = { ticketId: TICKET, policyId: 'p1', priority: 'normal' as const, queueId: 'q1', assigneeId: null };

const frWarning: TicketSlaEvent = {
  type: 'SlaWarningIssued',
  data: { ...announcement, metric: 'first_response', targetMinutes: 10, elapsedMinutes: 5, warningAt: minutesAfterOpening(5), targetAt: minutesAfterOpening(10) },
};
const frBreach: TicketSlaEvent = {
  type: 'SlaBreached',
  data: { ...announcement, metric: 'first_response', targetMinutes: 10, elapsedMinutes: 10, targetAt: minutesAfterOpening(10) },
};

describe('ticket SLA decider', () => {
  describe('choosing the policy', () => {
    it('starts the clock with the policy chosen at the opening', () => {
      given(ticketSlaDecider).when({ type: 'ApplySlaPolicy', ticketId: TICKET, application: application(0, OPENED_AT, 'normal') }).then([started]);
    });

    it('re-applies on a later trigger, and ignores a trigger it already handled', () => {
      const urgent = application(3, minutesAfterOpening(2), 'urgent', { firstResponseMinutes: 4, resolutionMinutes: 30 });
      given(ticketSlaDecider, [started])
        .when({ type: 'ApplySlaPolicy', ticketId: TICKET, application: urgent })
        .then([{ type: 'SlaPolicyReapplied', data: { ticketId: TICKET, policyId: 'p1', policyRevision: 0, calendarId: 'c1', calendarRevision: 0, application: urgent, previousPolicyId: 'p1' } }]);
      given(ticketSlaDecider, [started]).when({ type: 'ApplySlaPolicy', ticketId: TICKET, application: application(0, OPENED_AT, 'normal') }).thenNothingHappens();
    });
  });

  describe('timers', () => {
    it('announces nothing before the clock started or before anything is due', () => {
      given(ticketSlaDecider).when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(30), facts: [opened], rules: [] }).thenNothingHappens();
      given(ticketSlaDecider, [started]).when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(4), facts: [opened], rules: [] }).thenNothingHappens();
    });

    it('issues the warning at the warning share of the target', () => {
      given(ticketSlaDecider, [started]).when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(5), facts: [opened], rules: [] }).then([frWarning]);
    });

    it('issues the breach at the target, once per metric', () => {
      given(ticketSlaDecider, [started, frWarning])
        .when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(10), facts: [opened], rules: [] })
        .then([frBreach]);
    });

    it('announces a late warning before the breach when both fell due while the service was down', () => {
      given(ticketSlaDecider, [started])
        .when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(12), facts: [opened], rules: [] })
        .then([{ ...frWarning, data: { ...frWarning.data, elapsedMinutes: 12 } }, { ...frBreach, data: { ...frBreach.data, elapsedMinutes: 12 } }]);
    });

    it('de-duplicates: a timer delivered again after its announcement announces nothing', () => {
      given(ticketSlaDecider, [started, frWarning]).when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(6), facts: [opened], rules: [] }).thenNothingHappens();
      given(ticketSlaDecider, [started, frWarning, frBreach]).when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(11), facts: [opened], rules: [] }).thenNothingHappens();
    });

    it('does not warn again when a pause moved the deadline but not the target', () => {
      const paused: TicketFact[] = [opened, { type: 'status_changed', revision: 1, at: minutesAfterOpening(6), to: 'pending' }, { type: 'status_changed', revision: 2, at: minutesAfterOpening(20), to: 'open' }];
      given(ticketSlaDecider, [started, frWarning]).when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(21), facts: paused, rules: [] }).thenNothingHappens();
    });

    it('records the target met when the first agent reply comes in time', () => {
      const replied: TicketFact[] = [opened, { type: 'agent_replied', revision: 1, at: minutesAfterOpening(3) }];
      given(ticketSlaDecider, [started])
        .when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(3), facts: replied, rules: [] })
        .then([{ type: 'SlaTargetMet', data: { ...announcement, metric: 'first_response', targetMinutes: 10, elapsedMinutes: 3, stoppedAt: minutesAfterOpening(3) } }]);
    });

    it('warns again for a stricter target after a priority change, and breaches once', () => {
      const urgent = application(1, minutesAfterOpening(6), 'urgent', { firstResponseMinutes: 8, resolutionMinutes: 30 });
      const reapplied: TicketSlaEvent = {
        type: 'SlaPolicyReapplied',
        data: { ticketId: TICKET, policyId: 'p1', policyRevision: 0, calendarId: 'c1', calendarRevision: 0, application: urgent, previousPolicyId: 'p1' },
      };
      const facts: TicketFact[] = [opened, { type: 'priority_changed', revision: 1, at: minutesAfterOpening(6), to: 'urgent' }];
      given(ticketSlaDecider, [started, frWarning, reapplied])
        .when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(6), facts, rules: [] })
        .then(([warning]) => expect(warning).toMatchObject({ type: 'SlaWarningIssued', data: { metric: 'first_response', targetMinutes: 8, warningAt: minutesAfterOpening(6), priority: 'urgent' } }));
    });

    it('keeps a reopened ticket met until it goes past its target, then breaches it', () => {
      const facts: TicketFact[] = [
        opened,
        { type: 'agent_replied', revision: 1, at: minutesAfterOpening(1) },
        { type: 'status_changed', revision: 2, at: minutesAfterOpening(20), to: 'solved' },
        { type: 'status_changed', revision: 3, at: minutesAfterOpening(100), to: 'open' },
      ];
      const met: TicketSlaEvent = { type: 'SlaTargetMet', data: { ...announcement, metric: 'resolution', targetMinutes: 60, elapsedMinutes: 20, stoppedAt: minutesAfterOpening(20) } };
      const frMet: TicketSlaEvent = { type: 'SlaTargetMet', data: { ...announcement, metric: 'first_response', targetMinutes: 10, elapsedMinutes: 1, stoppedAt: minutesAfterOpening(1) } };
      given(ticketSlaDecider, [started, frMet, met]).when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(105), facts, rules: [] }).thenNothingHappens();
      // 20 min counted before solved, so the 30-min warning comes 10 min after the reopen…
      const warning = given(ticketSlaDecider, [started, frMet, met]).when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(110), facts, rules: [] }).then(([event]) =>
        expect(event).toMatchObject({ type: 'SlaWarningIssued', data: { metric: 'resolution', warningAt: minutesAfterOpening(110), targetAt: minutesAfterOpening(140) } }),
      );
      expect(warning.metrics.resolution.warnedTargets).toEqual([60]);
      const warned: TicketSlaEvent = {
        type: 'SlaWarningIssued',
        data: { ...announcement, metric: 'resolution', targetMinutes: 60, elapsedMinutes: 30, warningAt: minutesAfterOpening(110), targetAt: minutesAfterOpening(140) },
      };
      // …and the breach 40 min after it.
      given(ticketSlaDecider, [started, frMet, met, warned])
        .when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(140), facts, rules: [] })
        .then([{ type: 'SlaBreached', data: { ...announcement, metric: 'resolution', targetMinutes: 60, elapsedMinutes: 60, targetAt: minutesAfterOpening(140) } }]);
    });
  });

  describe('escalations', () => {
    const ticket = { priority: 'normal' as const, category: null, queueId: 'q1', assigneeId: null };
    const rule = (id: string, on: 'warning' | 'breach', overrides: Partial<EscalationRuleCandidate> = {}): EscalationRuleCandidate => ({
      id,
      revision: 0,
      name: `Rule ${id}`,
      on,
      metric: null,
      conditions: { priorities: [], categories: [], queueIds: [] },
      actions: [{ type: 'raise_priority' }, { type: 'notify', target: 'team-lead' }],
      rank: 100,
      enabled: true,
      ...overrides,
    });
    const matched = (candidate: EscalationRuleCandidate) => ({ ruleId: candidate.id, ruleRevision: candidate.revision, ruleName: candidate.name, actions: candidate.actions });
    const triggered: TicketSlaEvent = {
      type: 'SlaEscalationTriggered',
      data: { ticketId: TICKET, trigger: { key: 'breach:first_response', on: 'breach', metric: 'first_response' }, ticket, rules: [matched(rule('r1', 'breach'))] },
    };

    it('records the rules a breach triggers with the breach itself, leaving ticket actions pending', () => {
      const state = given(ticketSlaDecider, [started, frWarning])
        .when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(10), facts: [opened], rules: [rule('r1', 'breach'), rule('r2', 'warning')] })
        .then([frBreach, triggered]);
      expect(state.escalation.pending.map((action) => action.key)).toEqual(['r1:first_response:0']);
      expect(hasEscalationWork(state)).toBe(true);
    });

    it('records nothing for rules that do not match', () => {
      given(ticketSlaDecider, [started, frWarning])
        .when({
          type: 'EvaluateSla',
          ticketId: TICKET,
          now: minutesAfterOpening(10),
          facts: [opened],
          rules: [rule('r1', 'breach', { conditions: { priorities: ['urgent'], categories: [], queueIds: [] } }), rule('r2', 'breach', { metric: 'resolution' }), rule('r3', 'breach', { enabled: false })],
        })
        .then([frBreach]);
    });

    it('applies a rule at most once per metric, so escalations cannot cascade', () => {
      const onWarning = rule('r1', 'warning');
      const firstWarning: TicketSlaEvent = {
        type: 'SlaEscalationTriggered',
        data: { ticketId: TICKET, trigger: { key: 'warning:first_response:10', on: 'warning', metric: 'first_response' }, ticket, rules: [matched(onWarning)] },
      };
      const urgent = application(1, minutesAfterOpening(6), 'urgent', { firstResponseMinutes: 8, resolutionMinutes: 30 });
      const reapplied: TicketSlaEvent = {
        type: 'SlaPolicyReapplied',
        data: { ticketId: TICKET, policyId: 'p1', policyRevision: 0, calendarId: 'c1', calendarRevision: 0, application: urgent, previousPolicyId: 'p1' },
      };
      const facts: TicketFact[] = [opened, { type: 'priority_changed', revision: 1, at: minutesAfterOpening(6), to: 'urgent' }];
      given(ticketSlaDecider, [started, frWarning, firstWarning, reapplied])
        .when({ type: 'EvaluateSla', ticketId: TICKET, now: minutesAfterOpening(6), facts, rules: [onWarning] })
        .then((events) => expect(events.map((event) => event.type)).toEqual(['SlaWarningIssued']));
    });

    it('records each ticket action once', () => {
      const done: TicketSlaEvent = {
        type: 'SlaEscalationActionApplied',
        data: { ticketId: TICKET, key: 'r1:first_response:0', ruleId: 'r1', metric: 'first_response', actionIndex: 0, actionType: 'raise_priority', outcome: 'applied', detail: null },
      };
      const state = given(ticketSlaDecider, [started, frWarning, frBreach, triggered])
        .when({ type: 'RecordEscalationAction', ticketId: TICKET, key: 'r1:first_response:0', outcome: 'applied', detail: null })
        .then([done]);
      expect(hasEscalationWork(state)).toBe(false);
      given(ticketSlaDecider, [started, frWarning, frBreach, triggered, done]).when({ type: 'RecordEscalationAction', ticketId: TICKET, key: 'r1:first_response:0', outcome: 'applied', detail: null }).thenNothingHappens();
    });
  });
});

import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { escalationRuleDecider, escalationRuleMatches, nextPriority } from './escalation-rule';

const input = { name: 'Late urgent tickets', on: 'breach' as const, actions: [{ type: 'reassign', queueId: 'leads' }, { type: 'notify', target: 'team-lead' }, { type: 'raise_priority' }] };

describe('escalation rule decider', () => {
  it('creates a rule with its actions normalised', () => {
    given(escalationRuleDecider)
      .when({ type: 'CreateEscalationRule', ruleId: 'r1', input })
      .then(([event]) =>
        expect(event.data).toMatchObject({
          ruleId: 'r1',
          on: 'breach',
          metric: null,
          actions: [{ type: 'reassign', queueId: 'leads', assigneeId: null }, { type: 'notify', target: 'team-lead' }, { type: 'raise_priority' }],
          enabled: true,
        }),
      );
  });

  it('rejects rules without actions, with unknown actions or triggers, and reassignments without a queue', () => {
    const create = (changes: object) => given(escalationRuleDecider).when({ type: 'CreateEscalationRule', ruleId: 'r1', input: { ...input, ...changes } });
    create({ actions: [] }).thenThrows(DomainError, /actions/);
    create({ actions: [{ type: 'page_everyone' }] }).thenThrows(DomainError, /actions\.0\.type/);
    create({ actions: [{ type: 'reassign' }] }).thenThrows(DomainError, /actions\.0\.queueId/);
    create({ actions: [{ type: 'notify', target: ' ' }] }).thenThrows(DomainError, /actions\.0\.target/);
    create({ on: 'late' }).thenThrows(DomainError, /on/);
    create({ metric: 'happiness' }).thenThrows(DomainError, /metric/);
  });

  it('matches by trigger, metric and ticket conditions', () => {
    const rule = { ...escalationRuleDecider.initialState(), on: 'warning' as const, metric: 'resolution' as const, conditions: { priorities: ['high' as const], categories: [], queueIds: ['q1'] } };
    const subject = { on: 'warning' as const, metric: 'resolution' as const, priority: 'high' as const, category: null, queueId: 'q1' };
    expect(escalationRuleMatches(rule, subject)).toBe(true);
    expect(escalationRuleMatches(rule, { ...subject, on: 'breach' })).toBe(false);
    expect(escalationRuleMatches(rule, { ...subject, metric: 'first_response' })).toBe(false);
    expect(escalationRuleMatches(rule, { ...subject, priority: 'low' })).toBe(false);
    expect(escalationRuleMatches(rule, { ...subject, queueId: null })).toBe(false);
  });

  it('raises the priority one step, never past urgent', () => {
    expect(nextPriority('low')).toBe('normal');
    expect(nextPriority('high')).toBe('urgent');
    expect(nextPriority('urgent')).toBeNull();
  });
});

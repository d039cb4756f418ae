import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { type SlaPolicyCandidate, slaPolicyDecider, type SlaPolicyFields, selectSlaPolicy } from './sla-policy';

const fields: SlaPolicyFields = {
  name: 'Standard',
  calendarId: 'c1',
  rank: 100,
  conditions: { priorities: [], categories: [], contractTiers: [] },
  targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 480 } },
  warningAt: 0.75,
  pauseOn: ['pending'],
  enabled: true,
};

const candidate = (id: string, overrides: Partial<SlaPolicyCandidate> = {}): SlaPolicyCandidate => ({ ...fields, id, revision: 0, createdAt: `2026-01-0${id.length}T00:00:00Z`, ...overrides });

describe('SLA policy decider', () => {
  it('creates a policy with defaults for the warning share, the pause statuses, the rank', () => {
    given(slaPolicyDecider)
      .when({ type: 'CreateSlaPolicy', policyId: 'p1', input: { name: 'Standard', calendarId: 'c1', targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 480 } } } })
      .then([{ type: 'SlaPolicyCreated', data: { policyId: 'p1', ...fields } }]);
  });

  it('accepts fractional minutes and rejects targets out of range, shares outside (0, 1) and unknown priorities', () => {
    given(slaPolicyDecider)
      .when({ type: 'CreateSlaPolicy', policyId: 'p1', input: { name: 'Tiny', calendarId: 'c1', targets: { urgent: { firstResponseMinutes: 0.05 } } } })
      .then(([event]) => expect(event.data.targets).toEqual({ urgent: { firstResponseMinutes: 0.05, resolutionMinutes: null } }));
    const create = (input: object) => given(slaPolicyDecider).when({ type: 'CreateSlaPolicy', policyId: 'p1', input: { name: 'P', calendarId: 'c1', ...input } });
    create({ targets: { normal: { firstResponseMinutes: 0 } } }).thenThrows(DomainError, /targets\.normal\.firstResponseMinutes/);
    create({ targets: {} }).thenThrows(DomainError, /targets/);
    create({ targets: { normal: {} } }).thenThrows(DomainError, /targets\.normal/);
    create({ targets: { critical: { firstResponseMinutes: 5 } } }).thenThrows(DomainError, /targets\.critical/);
    create({ targets: { normal: { firstResponseMinutes: 5 } }, warningAt: 1 }).thenThrows(DomainError, /warningAt/);
    create({ targets: { normal: { firstResponseMinutes: 5 } }, pauseOn: ['solved'] }).thenThrows(DomainError, /pauseOn/);
  });

  it('records a revision only when the policy changed', () => {
    const created = { type: 'SlaPolicyCreated' as const, data: { policyId: 'p1', ...fields } };
    given(slaPolicyDecider, [created]).when({ type: 'ReviseSlaPolicy', input: { ...fields } }).thenNothingHappens();
    given(slaPolicyDecider, [created])
      .when({ type: 'ReviseSlaPolicy', input: { ...fields, warningAt: 0.5 } })
      .then([{ type: 'SlaPolicyRevised', data: { policyId: 'p1', ...fields, warningAt: 0.5 } }]);
  });
});

describe('choosing a policy', () => {
  const subject = { priority: 'normal' as const, category: 'billing', contractTier: 'gold' };

  it('takes the first match in rank order, then the older one', () => {
    const policies = [candidate('late', { rank: 100 }), candidate('first', { rank: 10 }), candidate('older', { rank: 100, createdAt: '2025-01-01T00:00:00Z' })];
    expect(selectSlaPolicy(policies, subject)?.id).toBe('first');
    expect(selectSlaPolicy(policies.slice(0, 1).concat(policies[2]), subject)?.id).toBe('older');
  });

  it('matches on priority, category and contract tier, and only for priorities with targets', () => {
    const gold = candidate('gold', { rank: 1, conditions: { priorities: [], categories: [], contractTiers: ['gold'] } });
    const hardware = candidate('hardware', { rank: 2, conditions: { priorities: [], categories: ['hardware'], contractTiers: [] } });
    const urgentOnly = candidate('urgent', { rank: 3, conditions: { priorities: ['urgent'], categories: [], contractTiers: [] }, targets: { urgent: { firstResponseMinutes: 15, resolutionMinutes: 60 } } });
    const fallback = candidate('fallback', { rank: 9 });
    const all = [gold, hardware, urgentOnly, fallback];
    expect(selectSlaPolicy(all, subject)?.id).toBe('gold');
    expect(selectSlaPolicy(all, { ...subject, contractTier: null })?.id).toBe('fallback');
    expect(selectSlaPolicy(all, { ...subject, contractTier: null, category: 'hardware' })?.id).toBe('hardware');
    expect(selectSlaPolicy(all, { priority: 'urgent', category: null, contractTier: null })?.id).toBe('urgent');
    expect(selectSlaPolicy(all, { priority: 'low', category: null, contractTier: null })).toBeNull();
    expect(selectSlaPolicy([candidate('off', { enabled: false })], subject)).toBeNull();
  });
});

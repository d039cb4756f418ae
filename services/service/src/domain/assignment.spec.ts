import { given } from '@crm/decider/testing';
import { type AgentCandidate, eligibleAgents, leastLoaded, nextInRotation } from './assignment';
import { queueRotationDecider, type QueueRotationEvent } from './queue';

const agent = (agentId: string, overrides: Partial<AgentCandidate> = {}): AgentCandidate => ({ agentId, active: true, skills: ['hardware'], queueIds: ['q1'], ...overrides });

describe('assignment rules', () => {
  describe('eligible agents', () => {
    it('are the active agents of the queue with the category skill, in id order', () => {
      const agents = [agent('c'), agent('a'), agent('b', { active: false }), agent('d', { queueIds: ['q2'] }), agent('e', { skills: ['billing'] })];
      expect(eligibleAgents(agents, 'q1', 'hardware')).toEqual(['a', 'c']);
    });

    it('for a ticket without category, are all active agents of the queue', () => {
      expect(eligibleAgents([agent('b', { skills: [] }), agent('a', { skills: ['billing'] })], 'q1', null)).toEqual(['a', 'b']);
    });

    it('can be nobody', () => {
      expect(eligibleAgents([agent('a', { active: false })], 'q1', 'hardware')).toEqual([]);
    });
  });

  describe('round-robin', () => {
    it('given no earlier pick, when picking, then the first agent in id order', () => {
      expect(nextInRotation(['b', 'a'], null)).toBe('a');
    });

    it('given the last pick, when picking, then the next agent after it, wrapping around', () => {
      expect(nextInRotation(['a', 'b', 'c'], 'a')).toBe('b');
      expect(nextInRotation(['a', 'b', 'c'], 'c')).toBe('a');
    });

    it('given the last agent left the queue, when picking, then the rotation goes on from where it was', () => {
      expect(nextInRotation(['a', 'c'], 'b')).toBe('c');
    });

    it('given nobody eligible, when picking, then nobody', () => {
      expect(nextInRotation([], 'a')).toBeNull();
    });

    it('is durable: the pointer is an event on the queue rotation stream, and the next pick follows it', () => {
      const picked: QueueRotationEvent = { type: 'QueueRoundRobinAdvanced', data: { queueId: 'q1', ticketId: 't1', agentId: 'a' } };
      given(queueRotationDecider)
        .when({ type: 'PickRoundRobin', queueId: 'q1', ticketId: 't1', eligible: ['b', 'a'] })
        .then([picked]);
      given(queueRotationDecider, [picked])
        .when({ type: 'PickRoundRobin', queueId: 'q1', ticketId: 't2', eligible: ['a', 'b'] })
        .then([{ type: 'QueueRoundRobinAdvanced', data: { queueId: 'q1', ticketId: 't2', agentId: 'b' } }]);
    });

    it('asking again for the same ticket (a retry) does not advance the rotation', () => {
      const picked: QueueRotationEvent = { type: 'QueueRoundRobinAdvanced', data: { queueId: 'q1', ticketId: 't1', agentId: 'a' } };
      given(queueRotationDecider, [picked]).when({ type: 'PickRoundRobin', queueId: 'q1', ticketId: 't1', eligible: ['a', 'b'] }).thenNothingHappens();
    });

    it('with nobody eligible, records no pick', () => {
      given(queueRotationDecider).when({ type: 'PickRoundRobin', queueId: 'q1', ticketId: 't1', eligible: [] }).thenNothingHappens();
    });
  });

  describe('least-loaded', () => {
    it('given open ticket counts, when picking, then the agent with the fewest', () => {
      expect(leastLoaded(['a', 'b', 'c'], { a: 3, b: 1, c: 2 })).toBe('b');
    });

    it('counts an agent without tickets as zero and breaks ties by id', () => {
      expect(leastLoaded(['c', 'b', 'a'], { a: 1 })).toBe('b');
      expect(leastLoaded(['b', 'a'], { a: 2, b: 2 })).toBe('a');
    });

    it('given nobody eligible, then nobody', () => {
      expect(leastLoaded([], {})).toBeNull();
    });
  });
});

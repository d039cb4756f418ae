import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { agentDecider, type AgentEvent } from './agent';
import { queueDecider, type QueueEvent } from './queue';

const created: QueueEvent = { type: 'QueueCreated', data: { queueId: 'q1', name: 'Hardware', assignment: 'round_robin', categories: ['hardware'] } };
const registered: AgentEvent = {
  type: 'AgentRegistered',
  data: { agentId: 'a1', name: 'Grace', email: 'grace@example.com', skills: ['hardware'], queueIds: ['q1'], active: true },
};

describe('queue decider', () => {
  it('creates a queue, manual by default, with normalised sorted categories', () => {
    given(queueDecider)
      .when({ type: 'CreateQueue', queueId: 'q1', input: { name: ' Hardware ', categories: ['Printers', 'hardware', 'printers'] } })
      .then([{ type: 'QueueCreated', data: { queueId: 'q1', name: 'Hardware', assignment: 'manual', categories: ['hardware', 'printers'] } }]);
  });

  it('needs a name and a known strategy', () => {
    given(queueDecider).when({ type: 'CreateQueue', queueId: 'q1', input: { name: '' } }).thenThrows(DomainError, /name/);
    given(queueDecider).when({ type: 'CreateQueue', queueId: 'q1', input: { name: 'Q', assignment: 'random' as never } }).thenThrows(DomainError, /assignment/);
  });

  it('records each changed setting, and nothing when nothing changes', () => {
    given(queueDecider, [created])
      .when({ type: 'UpdateQueue', input: { name: 'Devices', assignment: 'least_loaded', categories: ['hardware'] } })
      .then([
        { type: 'QueueRenamed', data: { queueId: 'q1', name: 'Devices' } },
        { type: 'QueueAssignmentChanged', data: { queueId: 'q1', assignment: 'least_loaded' } },
      ]);
    given(queueDecider, [created]).when({ type: 'UpdateQueue', input: { name: 'Hardware' } }).thenNothingHappens();
  });

  it('an unknown queue is not found; an existing one cannot be created again', () => {
    given(queueDecider).when({ type: 'UpdateQueue', input: { name: 'X' } }).thenThrows(DomainError, /not found/);
    given(queueDecider, [created]).when({ type: 'CreateQueue', queueId: 'q1', input: { name: 'X' } }).thenThrows(DomainError, /already exists/);
  });
});

describe('agent decider', () => {
  it('registers an active agent with lower-case skills and email', () => {
    given(agentDecider)
      .when({ type: 'RegisterAgent', agentId: 'a1', input: { name: 'Grace', email: 'Grace@Example.com', skills: ['Hardware'], queueIds: ['q1', 'q1'] } })
      .then([registered]);
  });

  it('needs a name and an email address', () => {
    given(agentDecider).when({ type: 'RegisterAgent', agentId: 'a1', input: { name: '', email: 'g@example.com' } }).thenThrows(DomainError, /name/);
    given(agentDecider).when({ type: 'RegisterAgent', agentId: 'a1', input: { name: 'G', email: 'nope' } }).thenThrows(DomainError, /email/);
  });

  it('records skills, queues and activity changes', () => {
    given(agentDecider, [registered])
      .when({ type: 'UpdateAgent', input: { skills: ['hardware', 'billing'], queueIds: ['q2'], active: false } })
      .then([
        { type: 'AgentSkillsChanged', data: { agentId: 'a1', skills: ['billing', 'hardware'] } },
        { type: 'AgentQueuesChanged', data: { agentId: 'a1', queueIds: ['q2'] } },
        { type: 'AgentDeactivated', data: { agentId: 'a1' } },
      ]);
    given(agentDecider, [registered, { type: 'AgentDeactivated', data: { agentId: 'a1' } }])
      .when({ type: 'UpdateAgent', input: { active: true } })
      .then([{ type: 'AgentActivated', data: { agentId: 'a1' } }]);
  });

  it('an unknown agent is not found', () => {
    given(agentDecider).when({ type: 'UpdateAgent', input: { active: false } }).thenThrows(DomainError, /not found/);
  });
});

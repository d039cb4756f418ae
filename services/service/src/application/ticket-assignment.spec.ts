import { InMemoryEventStore } from '@crm/eventstore';
import { createInMemoryReadStore } from '@crm/readstore';
import { queueRotationStream } from '../domain/queue';
import { QueuesService } from './queues.service';
import { AGENTS_COLLECTION, type AgentDocument } from './ticket-read-models';
import { TicketQueries } from './ticket-queries';

const context = { tenantId: 'acme', actorId: 'tester', correlationId: 'c', causationId: 'c' };

function agentDocument(id: string, overrides: Partial<AgentDocument> = {}): AgentDocument {
  return {
    _id: `acme:${id}`,
    tenantId: 'acme',
    id,
    name: id,
    email: `${id}@crm.example`,
    skills: ['hardware'],
    queueIds: ['q1'],
    active: true,
    csatResponses: 0,
    csatScoreTotal: 0,
    revision: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('assignment in a queue (QueuesService)', () => {
  async function setUp(agents: AgentDocument[], eventStore = new InMemoryEventStore()) {
    const readStore = createInMemoryReadStore();
    for (const agent of agents) await readStore.collection<AgentDocument>(AGENTS_COLLECTION).insertOne(agent);
    const queries = new TicketQueries(readStore);
    return { eventStore, queues: new QueuesService(eventStore, queries) };
  }

  it('given concurrent tickets, when picked round-robin, then each agent takes its turn and the picks are durable events', async () => {
    const { eventStore, queues } = await setUp([agentDocument('b'), agentDocument('a'), agentDocument('c', { skills: ['billing'] })]);
    const appends = jest.spyOn(eventStore, 'append');
    const picks = await Promise.all(
      Array.from({ length: 6 }, (_, index) => queues.chooseAssignee(context, { queueId: 'q1', ticketId: `t${index}`, category: 'hardware', strategy: 'round_robin' })),
    );
    expect(picks).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    const recorded = await eventStore.readStream(queueRotationStream('acme', 'q1'));
    expect(recorded.map((event) => (event.data as { agentId: string }).agentId)).toEqual(picks);
    // Picks waiting behind the first append were written together: fewer appends than picks.
    expect(appends.mock.calls.length).toBeLessThan(picks.length);

    // Another process (a fresh service on the same store) continues the rotation from the events.
    const { queues: restarted } = await setUp([agentDocument('a'), agentDocument('b')], eventStore);
    expect(await restarted.chooseAssignee(context, { queueId: 'q1', ticketId: 't6', category: 'hardware', strategy: 'round_robin' })).toBe('a');
  });

  it('asking again for the same ticket returns the same agent without moving the rotation', async () => {
    const { queues } = await setUp([agentDocument('a'), agentDocument('b')]);
    const first = await queues.chooseAssignee(context, { queueId: 'q1', ticketId: 't1', category: null, strategy: 'round_robin' });
    expect(await queues.chooseAssignee(context, { queueId: 'q1', ticketId: 't1', category: null, strategy: 'round_robin' })).toBe(first);
    expect(await queues.chooseAssignee(context, { queueId: 'q1', ticketId: 't2', category: null, strategy: 'round_robin' })).not.toBe(first);
  });

  it('manual leaves the choice to people, and nobody eligible means unassigned', async () => {
    const { queues } = await setUp([agentDocument('a', { active: false })]);
    expect(await queues.chooseAssignee(context, { queueId: 'q1', ticketId: 't1', category: null, strategy: 'manual' })).toBeNull();
    expect(await queues.chooseAssignee(context, { queueId: 'q1', ticketId: 't1', category: null, strategy: 'round_robin' })).toBeNull();
    expect(await queues.chooseAssignee(context, { queueId: 'q1', ticketId: 't1', category: null, strategy: 'least_loaded' })).toBeNull();
  });
});

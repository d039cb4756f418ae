import { type EventStore, InMemoryEventStore } from '@crm/eventstore';
import { type CommandContext, deterministicId, EventSourcedCommandHandler, StaleRevisionError } from './command-handler';
import { type Decider, DomainError } from './decider';
import { UpcasterChain } from './upcasting';

type CounterEvent = { type: 'Incremented'; data: { by: number } };
type CounterCommand = { type: 'Increment'; by: number };
const counter: Decider<CounterCommand, { total: number }, CounterEvent> = {
  initialState: () => ({ total: 0 }),
  decide: (command) => {
    if (command.by <= 0) throw new DomainError('invalid', 'by must be positive');
    return [{ type: 'Incremented', data: { by: command.by } }];
  },
  evolve: (state, event) => ({ total: state.total + event.data.by }),
};

const context: CommandContext = { tenantId: 't1', actorId: 'alice', correlationId: 'corr-1', causationId: 'req-1' };

describe('EventSourcedCommandHandler', () => {
  let store: EventStore;
  beforeEach(() => {
    store = new InMemoryEventStore();
  });

  it('appends the decided events with full metadata and 0-based revisions', async () => {
    const handler = new EventSourcedCommandHandler(store, counter);
    const first = await handler.handle('t1.counter-1', { type: 'Increment', by: 2 }, context);
    expect(first).toMatchObject({ revision: 0, state: { total: 2 } });
    const [event] = await store.readStream('t1.counter-1');
    expect(event.metadata).toMatchObject({ tenantId: 't1', actorId: 'alice', correlationId: 'corr-1', causationId: 'req-1', schemaVersion: 1 });
    expect(event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('retries from a fresh load when another writer got there first', async () => {
    const handler = new EventSourcedCommandHandler(store, counter);
    await Promise.all(Array.from({ length: 5 }, () => handler.handle('t1.counter-1', { type: 'Increment', by: 1 }, context)));
    const { state, revision } = await handler.load('t1.counter-1');
    expect(state.total).toBe(5);
    expect(revision).toBe(4);
  });

  it('fails at once with StaleRevisionError when the pinned revision is not current', async () => {
    const handler = new EventSourcedCommandHandler(store, counter);
    await handler.handle('t1.counter-1', { type: 'Increment', by: 1 }, context);
    await handler.handle('t1.counter-1', { type: 'Increment', by: 1 }, context);
    await expect(handler.handle('t1.counter-1', { type: 'Increment', by: 1 }, { ...context, expectedRevision: 0 })).rejects.toBeInstanceOf(StaleRevisionError);
    expect((await handler.load('t1.counter-1')).state.total).toBe(2);
  });

  it('writes nothing when the decider refuses', async () => {
    const handler = new EventSourcedCommandHandler(store, counter);
    await expect(handler.handle('t1.counter-1', { type: 'Increment', by: 0 }, context)).rejects.toBeInstanceOf(DomainError);
    expect(await store.readStream('t1.counter-1')).toEqual([]);
  });

  it('makes a retried command with the same idempotency key a no-op at the store', async () => {
    const handler = new EventSourcedCommandHandler(store, counter);
    const withKey = { ...context, idempotencyKey: 'import-row-7' };
    await handler.handle('t1.counter-1', { type: 'Increment', by: 1 }, withKey);
    const [event] = await store.readStream('t1.counter-1');
    expect(event.eventId).toBe(deterministicId('import-row-7:0'));
  });

  it('upcasts old event versions when reading, without rewriting them', async () => {
    await store.append(
      't1.counter-1',
      [{ eventId: deterministicId('old'), type: 'Incremented', data: { amount: 3 }, metadata: { ...context, occurredAt: new Date().toISOString(), schemaVersion: 1 } }],
      'no_stream',
    );
    const upcasters = new UpcasterChain([{ eventType: 'Incremented', fromVersion: 1, upcast: (data) => ({ by: (data as { amount: number }).amount }) }]);
    const handler = new EventSourcedCommandHandler(store, counter, { upcasters });
    expect((await handler.load('t1.counter-1')).state.total).toBe(3);
    await handler.handle('t1.counter-1', { type: 'Increment', by: 1 }, context);
    const stored = await store.readStream('t1.counter-1');
    expect(stored[0].data).toEqual({ amount: 3 });
    expect(stored[1].metadata.schemaVersion).toBe(2);
  });
});

import { InMemoryEventStore, type RecordedEvent } from '@crm/eventstore';
import { applyOnce, createInMemoryReadStore } from '@crm/readstore';
import { IntegrationEventMappers } from './integration-event-relay';
import { ProjectionHost } from './projection-host';
import { ReplicatedDirectory } from './replicated-directory';

const metadata = { tenantId: 't1', actorId: 'a', correlationId: 'c', causationId: 'c', occurredAt: '2026-11-23T10:00:00.000Z', schemaVersion: 1 };

describe('ReplicatedDirectory', () => {
  it('keeps the newest revision whatever the delivery order, and forgets deleted data', async () => {
    const directory = new ReplicatedDirectory(createInMemoryReadStore());
    await directory.ensureIndexes();
    const replica = { kind: 'contact', tenantId: 't1', recordId: 'c1', occurredAt: metadata.occurredAt };
    expect(await directory.apply({ ...replica, revision: 2, data: { firstName: 'Ada' } })).toBe(true);
    expect(await directory.apply({ ...replica, revision: 1, data: { firstName: 'Old' } })).toBe(false);
    expect(await directory.apply({ ...replica, revision: 2, data: { firstName: 'Again' } })).toBe(false);
    expect((await directory.get('contact', 't1', 'c1'))?.data).toEqual({ firstName: 'Ada' });
    await directory.apply({ ...replica, revision: 3, deleted: true, data: { firstName: 'Ada' } });
    expect(await directory.resolveLinkable('contact', 't1', 'c1')).toBeNull();
    expect((await directory.get('contact', 't1', 'c1'))?.data).toEqual({});
  });

  it('resolves a merged record to its survivor until the merge is undone, per tenant', async () => {
    const directory = new ReplicatedDirectory(createInMemoryReadStore());
    for (const recordId of ['source', 'survivor']) {
      await directory.apply({ kind: 'contact', tenantId: 't1', recordId, revision: 0, data: { name: recordId }, occurredAt: metadata.occurredAt });
    }
    await directory.setMergedInto('contact', 't1', 'source', 'survivor');
    expect((await directory.resolveLinkable('contact', 't1', 'source'))?.recordId).toBe('survivor');
    expect(await directory.resolveLinkable('contact', 't2', 'source')).toBeNull();
    // A later change of the source (its revision moves on) keeps the merge mark.
    await directory.apply({ kind: 'contact', tenantId: 't1', recordId: 'source', revision: 5, data: { name: 'source' }, occurredAt: metadata.occurredAt });
    expect((await directory.resolveLinkable('contact', 't1', 'source'))?.recordId).toBe('survivor');
    await directory.setMergedInto('contact', 't1', 'source', null);
    expect((await directory.resolveLinkable('contact', 't1', 'source'))?.recordId).toBe('source');
  });
});

describe('IntegrationEventMappers', () => {
  it('publishes what every feature maps from one domain event, in registration order', async () => {
    const mappers = new IntegrationEventMappers();
    const event = { type: 'X', data: {}, eventId: 'e1', streamName: 't1.x-1', revision: 0, position: 0, metadata } as unknown as RecordedEvent;
    mappers.add(() => []);
    mappers.add(async (recorded) => [{ topic: 'a', event: { id: `${recorded.eventId}-a` } as never }]);
    mappers.add((recorded) => [{ topic: 'b', event: { id: `${recorded.eventId}-b` } as never }]);
    expect((await mappers.map(event)).map((outgoing) => outgoing.topic)).toEqual(['a', 'b']);
    expect(mappers.count).toBe(3);
  });
});

describe('ProjectionHost', () => {
  it('runs every added projection and reports the slowest position as its own', async () => {
    const eventStore = new InMemoryEventStore();
    const readStore = createInMemoryReadStore();
    const host = new ProjectionHost(eventStore, readStore);
    const countInto = (collection: string) => ({
      name: `${collection}.v1`,
      indexes: { [collection]: [] },
      apply: async (event: RecordedEvent) => {
        await applyOnce(readStore.collection(collection), event.streamName, event.position, { $set: { type: event.type } });
      },
    });
    host.add(countInto('first'));
    host.add(countInto('second'));
    expect(() => host.add(countInto('second'))).toThrow(/twice/);
    await host.start();
    const { position } = await eventStore.append('t1.x-1', [{ eventId: 'e1', type: 'XHappened', data: {}, metadata }], 'no_stream');
    expect(await host.waitForPosition(position, 5000)).toBe(true);
    expect(host.position).toBe(position);
    expect(await readStore.collection('second').findOne({ _id: 't1.x-1' })).toMatchObject({ type: 'XHappened' });
    await host.stop();
  });
});

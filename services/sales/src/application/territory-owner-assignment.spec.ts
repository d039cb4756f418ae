import type { CommandContext } from '@crm/decider';
import { InMemoryEventStore } from '@crm/eventstore';
import { createInMemoryReadStore, ProjectionRunner, type ReadStore } from '@crm/readstore';
import { territoryTurnStream } from '../domain/territory';
import { territoriesProjection } from '../infrastructure/territories.projection';
import { TerritoriesService } from './territories.service';
import { TerritoryOwnerAssignment } from './territory-owner-assignment';
import { TerritoryQueries } from './territory-read-model';
import { TerritoryRotation } from './territory-rotation';

const context: CommandContext = { tenantId: 'acme', actorId: 'admin', correlationId: 'c1', causationId: 'r1' };

describe('TerritoryOwnerAssignment', () => {
  let store: InMemoryEventStore;
  let readStore: ReadStore;
  let runner: ProjectionRunner;
  let territories: TerritoriesService;

  const assignment = (rotation = new TerritoryRotation(store)) =>
    new TerritoryOwnerAssignment(new TerritoryQueries(readStore), rotation, async () => {
      await runner.waitForPosition(await store.headPosition(), 5_000);
    });

  beforeEach(async () => {
    store = new InMemoryEventStore();
    readStore = createInMemoryReadStore();
    runner = new ProjectionRunner(store, readStore, territoriesProjection);
    await runner.start();
    territories = new TerritoriesService(store);
  });

  afterEach(async () => {
    await runner.stop();
    await readStore.close();
  });

  it('gives the owner of the first territory, by rank, whose rules match', async () => {
    const emea = await territories.create(context, { name: 'EMEA', rank: 20, regions: ['EMEA'], ownerId: 'olga' });
    const emeaSoftware = await territories.create(context, { name: 'EMEA software', rank: 10, regions: ['emea'], industries: ['Software'], ownerId: 'piotr' });
    const owners = assignment();

    expect(await owners.ownerFor('acme', { kind: 'lead', region: 'EMEA', industry: 'software' })).toEqual({ ownerId: 'piotr', territoryId: emeaSoftware.view.id });
    expect(await owners.ownerFor('acme', { kind: 'deal', region: 'EMEA', industry: 'Retail' })).toEqual({ ownerId: 'olga', territoryId: emea.view.id });
    expect(await owners.ownerFor('acme', { kind: 'lead', region: 'APAC' })).toBeNull();
    expect(await owners.ownerFor('other-tenant', { kind: 'lead', region: 'EMEA' })).toBeNull();
  });

  it('stops assigning by a territory once it is deleted, and follows changes at once', async () => {
    const emea = await territories.create(context, { name: 'EMEA', regions: ['EMEA'], ownerId: 'olga' });
    const owners = assignment();
    await territories.update(context, emea.view.id, { ownerId: 'rita' });
    expect(await owners.ownerFor('acme', { kind: 'lead', region: 'EMEA' })).toMatchObject({ ownerId: 'rita' });
    await territories.delete(context, emea.view.id);
    expect(await owners.ownerFor('acme', { kind: 'lead', region: 'EMEA' })).toBeNull();
  });

  it('hands out a rotation in turn, recording each turn in the territory rotation stream', async () => {
    const team = await territories.create(context, { name: 'Team', ownerIds: ['olga', 'piotr', 'rita'] });
    const owners = assignment();
    const picked: string[] = [];
    for (let lead = 0; lead < 4; lead++) picked.push((await owners.ownerFor('acme', { kind: 'lead', id: `l${lead}` }))!.ownerId);
    expect(picked).toEqual(['olga', 'piotr', 'rita', 'olga']);
    const turns = await store.readStream(territoryTurnStream('acme', team.view.id));
    expect(turns.map((event) => event.data)).toEqual([
      { turn: 0, ownerId: 'olga', subjectKind: 'lead', subjectId: 'l0' },
      { turn: 1, ownerId: 'piotr', subjectKind: 'lead', subjectId: 'l1' },
      { turn: 2, ownerId: 'rita', subjectKind: 'lead', subjectId: 'l2' },
      { turn: 3, ownerId: 'olga', subjectKind: 'lead', subjectId: 'l3' },
    ]);
  });

  it('continues the rotation from the log after a restart and across replicas', async () => {
    await territories.create(context, { name: 'Team', ownerIds: ['olga', 'piotr'] });
    const replicaA = assignment();
    const replicaB = assignment();
    expect((await replicaA.ownerFor('acme', { kind: 'lead' }))!.ownerId).toBe('olga');
    expect((await replicaB.ownerFor('acme', { kind: 'lead' }))!.ownerId).toBe('piotr');
    expect((await replicaA.ownerFor('acme', { kind: 'lead' }))!.ownerId).toBe('olga');
    const restarted = assignment(new TerritoryRotation(store));
    expect((await restarted.ownerFor('acme', { kind: 'deal' }))!.ownerId).toBe('piotr');
  });

  it('never gives the same turn twice when assignments race', async () => {
    const team = await territories.create(context, { name: 'Team', ownerIds: ['olga', 'piotr'] });
    const replicas = [assignment(), assignment(), assignment()];
    const picked = await Promise.all(Array.from({ length: 9 }, (_, index) => replicas[index % 3].ownerFor('acme', { kind: 'lead', id: `l${index}` })));
    const turns = (await store.readStream(territoryTurnStream('acme', team.view.id))).map((event) => (event.data as { turn: number }).turn);
    expect(turns).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(picked.filter((owner) => owner!.ownerId === 'olga')).toHaveLength(5);
  });
});

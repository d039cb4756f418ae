import { DomainError, type CommandContext } from '@crm/decider';
import { fromJson } from '@bufbuild/protobuf';
import { DealChangedSchema, readDealChanged } from '@crm/contracts';
import { InMemoryEventStore, type RecordedEvent } from '@crm/eventstore';
import { createInMemoryReadStore, type ReadStore } from '@crm/readstore';
import { ReplicatedDirectory } from '@crm/runtime';
import { DealIntegrationEventMapper } from '../infrastructure/deal-integration-events';
import { applyDealEvent, DEALS_INDEXES } from '../infrastructure/deals.projection';
import { applyPipelineEvent, PIPELINES_INDEXES } from '../infrastructure/pipelines.projection';
import { ContactDirectory } from './contact-directory';
import { DealBoard } from './deal-board';
import { DEAL_BOARD_COLLECTION, DEALS_COLLECTION, type DealBoardCell, type DealDocument } from './deal-read-models';
import { DealsService } from './deals.service';
import type { OwnerAssignment } from './owner-assignment';
import { PipelinesService } from './pipelines.service';

const context: CommandContext = { tenantId: 'acme', actorId: 'alice', correlationId: 'c', causationId: 'r' };

/** The deals read model, the board cells and the public messages, fed from a real command history. */
describe('deal projections and integration events', () => {
  let events: InMemoryEventStore;
  let reads: ReadStore;
  let pipelines: PipelinesService;
  let deals: DealsService;
  let directory: ContactDirectory;
  const assignments: { region: string | null | undefined; industry: string | null | undefined }[] = [];
  const owners: OwnerAssignment = {
    ownerFor: async (_tenantId, subject) => {
      assignments.push({ region: subject.region, industry: subject.industry });
      return subject.region === 'EMEA' ? { ownerId: 'emea-rep', territoryId: 't1' } : null;
    },
  };

  beforeEach(async () => {
    events = new InMemoryEventStore();
    reads = createInMemoryReadStore();
    for (const [name, indexes] of Object.entries({ ...DEALS_INDEXES, ...PIPELINES_INDEXES })) await reads.collection(name).createIndexes(indexes);
    directory = new ContactDirectory(new ReplicatedDirectory(reads));
    pipelines = new PipelinesService(events);
    deals = new DealsService(events, pipelines, directory, owners, undefined, () => new Date('2026-11-20T10:00:00Z'));
    assignments.length = 0;
  });

  afterEach(async () => {
    await reads.close();
    await events.close();
  });

  async function project(from = 0): Promise<RecordedEvent[]> {
    const all = (await events.readAll()).filter((event) => event.position >= from);
    for (const event of all) {
      await applyPipelineEvent(event, reads);
      await applyDealEvent(event, reads);
    }
    return all;
  }

  const cells = async () =>
    (await reads.collection<DealBoardCell>(DEAL_BOARD_COLLECTION).find({}))
      .filter((cell) => cell.count !== 0 || cell.amount !== '0')
      .map((cell) => [cell.stageId, cell.currency, cell.count, cell.amount])
      .sort();

  it('keeps board cells exact through moves, amount and currency changes, closing and deletion, and replays harmlessly', async () => {
    const p = (await pipelines.create(context, { name: 'P' })).view;
    const [qualify, analysis] = p.stages;
    const a = (await deals.create(context, { pipelineId: p.id, title: 'A', amount: '0.10', currency: 'EUR' })).view;
    const b = (await deals.create(context, { pipelineId: p.id, title: 'B', amount: '0.20', currency: 'EUR' })).view;
    await deals.move(context, b.id, { stageId: analysis.stageId, comment: 'go' });
    await deals.update(context, a.id, { amount: '0.15' });
    await deals.update(context, b.id, { amount: '300', currency: 'JPY' });
    const c = (await deals.create(context, { pipelineId: p.id, title: 'C', amount: '5', currency: 'EUR' })).view;
    await deals.close(context, c.id, 'won', { reason: 'Signed' });
    const d = (await deals.create(context, { pipelineId: p.id, title: 'D', amount: '7', currency: 'EUR' })).view;
    await deals.delete(context, d.id);
    await project();

    const won = p.stages.find((stage) => stage.type === 'won')!;
    const expected = [
      [analysis.stageId, 'JPY', 1, '300'],
      [qualify.stageId, 'EUR', 1, '0.15'],
      [won.stageId, 'EUR', 1, '5'],
    ].sort();
    expect(await cells()).toEqual(expected);

    // Delivered again (at-least-once): nothing counts twice.
    await project();
    expect(await cells()).toEqual(expected);

    const board = await new DealBoard(reads).board('acme', (await pipelines.find('acme', p.id))!.state);
    expect(board.stages.slice(0, 2).map((stage) => [stage.count, stage.totals])).toEqual([
      [1, [{ currency: 'EUR', amount: '0.15' }]],
      [1, [{ currency: 'JPY', amount: '300' }]],
    ]);
    expect(board.open).toEqual({ count: 2, totals: [{ currency: 'EUR', amount: '0.15' }, { currency: 'JPY', amount: '300' }] });

    const documents = await reads.collection<DealDocument>(DEALS_COLLECTION).find({ deleted: false }, { sort: { title: 1 } });
    expect(documents.map((document) => [document.title, document.status, document.amount, document.currency])).toEqual([
      ['A', 'open', '0.15', 'EUR'],
      ['B', 'open', '300', 'JPY'],
      ['C', 'won', '5.00', 'EUR'],
    ]);
  });

  it('recovers when the board cells were written but the deal document was not (a crash in between)', async () => {
    const p = (await pipelines.create(context, { name: 'P' })).view;
    const a = (await deals.create(context, { pipelineId: p.id, title: 'A', amount: '10', currency: 'EUR' })).view;
    await project();
    const head = await events.headPosition();
    await deals.move(context, a.id, { stageId: p.stages[1].stageId });
    const [move] = (await events.readAll()).filter((event) => event.position > head);
    // Simulate the crash: the document keeps its old state while the cells already moved.
    const before = await reads.collection<DealDocument>(DEALS_COLLECTION).findOne({ id: a.id });
    await applyDealEvent(move, reads);
    await reads.collection<DealDocument>(DEALS_COLLECTION).replaceOne({ _id: before!._id }, before!);
    await applyDealEvent(move, reads);
    expect(await cells()).toEqual([[p.stages[1].stageId, 'EUR', 1, '10']]);
    expect((await reads.collection<DealDocument>(DEALS_COLLECTION).findOne({ id: a.id }))?.stageId).toBe(p.stages[1].stageId);
  });

  it('publishes created, stage_changed, won, reopened, updated and deleted with the whole deal, and nothing for comments', async () => {
    const p = (await pipelines.create(context, { name: 'P' })).view;
    const a = (await deals.create(context, { pipelineId: p.id, title: 'A', amount: '10', currency: 'EUR', lineItems: [{ name: 'X', unitPrice: '10' }] })).view;
    await deals.move(context, a.id, { stageId: p.stages[2].stageId, comment: 'proposal' });
    await deals.close(context, a.id, 'won', { reason: 'Signed' });
    await deals.reopen(context, a.id, {});
    await deals.comment(context, a.id, 'note');
    await deals.update(context, a.id, { title: 'A2' });
    await deals.delete(context, a.id);

    const mapper = new DealIntegrationEventMapper(events);
    const messages = [];
    for (const event of await events.readAll()) messages.push(...(await mapper.map(event)));
    expect(messages.map((message) => [message.topic, message.event.type])).toEqual([
      ['crm.sales.deal.v1', 'crm.sales.deal.created.v1'],
      ['crm.sales.deal.v1', 'crm.sales.deal.stage_changed.v1'],
      ['crm.sales.deal.v1', 'crm.sales.deal.stage_changed.v1'],
      ['crm.sales.deal.v1', 'crm.sales.deal.won.v1'],
      ['crm.sales.deal.v1', 'crm.sales.deal.stage_changed.v1'],
      ['crm.sales.deal.v1', 'crm.sales.deal.reopened.v1'],
      ['crm.sales.deal.v1', 'crm.sales.deal.updated.v1'],
      ['crm.sales.deal.v1', 'crm.sales.deal.deleted.v1'],
    ]);
    const created = readDealChanged(messages[0].event)!;
    expect(created.change).toBe('created');
    expect(created.data.deal).toMatchObject({ id: a.id, tenantId: 'acme', amount: '10.00', currency: 'EUR', status: 'open', revision: '0', probability: 10 });
    expect(created.data.deal?.lineItems).toEqual([expect.objectContaining({ name: 'X', unitPrice: '10.00', productId: '' })]);
    const moved = readDealChanged(messages[1].event)!;
    expect(moved.data).toMatchObject({ actorId: 'alice', stageMove: { fromStageId: p.stages[0].stageId, toStageId: p.stages[2].stageId, comment: 'proposal' } });
    const won = readDealChanged(messages[3].event)!;
    expect(won.data).toMatchObject({ reason: 'Signed', deal: { status: 'won', closeReason: 'Signed', closedOn: '2026-11-20' } });
    expect(readDealChanged(messages[7].event)!.data.deal).toBeUndefined();
    expect(messages[0].event).toMatchObject({ source: '/crm/sales', subject: a.id, tenantid: 'acme', dataschema: 'proto/crm/sales/v1/deal_events.proto#crm.sales.v1.DealChanged' });
    // Ids derive from the domain event: a republished event keeps its id, and consumers deduplicate on it.
    const again = await new DealIntegrationEventMapper(events).map((await events.readAll())[1]);
    expect(again[0].event.id).toBe(messages[0].event.id);
    expect(readDealChanged({ type: 'crm.sales.deal.exploded.v1', data: {} })).toBeNull();
    // Every payload is the proto3 JSON mapping of DealChanged, as its dataschema says.
    for (const message of messages) expect(() => fromJson(DealChangedSchema, JSON.parse(JSON.stringify(message.event.data)))).not.toThrow();
  });

  it('validates links against the directory, links a merged contact to its survivor, and asks territories for an owner', async () => {
    const p = (await pipelines.create(context, { name: 'P' })).view;
    const replica = (recordId: string, kind: string, data: Record<string, unknown>) =>
      directory.replicas.apply({ kind, tenantId: 'acme', recordId, revision: 0, data, occurredAt: '2026-11-01T00:00:00Z' });
    await replica('c1', 'contact', { region: '', industry: 'Software' });
    await replica('c2', 'contact', {});
    await replica('k1', 'company', { region: 'EMEA', industry: 'Retail' });
    await directory.replicas.setMergedInto('contact', 'acme', 'c2', 'c1');

    await expect(deals.create(context, { pipelineId: p.id, title: 'X', amount: '1', currency: 'EUR', contactId: 'ghost' })).rejects.toThrow(DomainError);
    const deal = (await deals.create(context, { pipelineId: p.id, title: 'X', amount: '1', currency: 'EUR', contactId: 'c2', companyId: 'k1' })).view;
    expect(deal).toMatchObject({ contactId: 'c1', companyId: 'k1', ownerId: 'emea-rep' });
    // The contact's industry, the company's region where the contact has none.
    expect(assignments).toEqual([{ region: 'EMEA', industry: 'Software' }]);
    const given = (await deals.create(context, { pipelineId: p.id, title: 'Y', amount: '1', currency: 'EUR', ownerId: 'bob', companyId: 'k1' })).view;
    expect(given.ownerId).toBe('bob');
    expect(assignments).toHaveLength(1);
  });
});

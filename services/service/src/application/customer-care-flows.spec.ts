import { type CommandContext, DomainError, EventSourcedCommandHandler } from '@crm/decider';
import { InMemoryEventStore, type RecordedEvent } from '@crm/eventstore';
import { createInMemoryReadStore, type EmbeddedReadStore, type Projection } from '@crm/readstore';
import { DurableTimerScheduler, ReplicatedDirectory } from '@crm/runtime';
import { fromJson } from '@bufbuild/protobuf';
import {
  CUSTOMER_CARE_TOPICS,
  PROACTIVE_SERVICE_DUE_TYPE,
  ProactiveServiceDueSchema,
  SERVICE_CONTRACT_RENEWAL_DUE_TYPE,
  ServiceContractChangedSchema,
  ServiceContractRenewalDueSchema,
  serviceContractEventType,
} from '@crm/contracts';
import { ticketStream } from '../domain/streams';
import { ticketDecider } from '../domain/ticket';
import { assetsProjection } from '../infrastructure/assets.projection';
import { contractsProjection } from '../infrastructure/contracts.projection';
import { CustomerCareIntegrationEventMapper } from '../infrastructure/customer-care-integration-events';
import { maintenanceProjection } from '../infrastructure/maintenance.projection';
import { AssetsService } from './assets.service';
import { ContactDirectory } from './contact-directory';
import { CustomerCareMergeRelinker } from './customer-care-merge-relinker';
import { maintenanceTimers, renewalReminderTimers, ticketCoverageTimers, UNIQUE_KEYS_COLLECTION } from './customer-care-read-models';
import { type CustomerCareTicketDesk, type MaintenanceTicketRequest, TicketFacts } from './customer-care-ticket-desk';
import { CustomerCareTimerHandlers } from './customer-care-timer-handlers';
import { UniqueKeys } from './customer-care-unique-keys';
import { MaintenanceService, maintenanceTicketId } from './maintenance.service';
import { ServiceContractsService } from './service-contracts.service';

const TENANT = 'acme';

/** The tickets feature as customer care sees it, on the real ticket decider (so its idempotency is the real one). */
class DeciderTicketDesk implements CustomerCareTicketDesk {
  readonly opened: MaintenanceTicketRequest[] = [];
  private readonly tickets: EventSourcedCommandHandler<Parameters<typeof ticketDecider.decide>[0], ReturnType<typeof ticketDecider.initialState>, ReturnType<typeof ticketDecider.decide>[number]>;

  constructor(store: InMemoryEventStore) {
    this.tickets = new EventSourcedCommandHandler(store, ticketDecider);
  }

  async openTicket(context: CommandContext, ticketId: string, requesterContactId: string | null, companyId: string | null = null) {
    await this.tickets.handle(ticketStream(TENANT, ticketId), { type: 'OpenTicket', ticketId, input: { channel: 'web', subject: 'Help', requesterContactId, companyId } }, context);
  }

  async openMaintenanceTicket(context: CommandContext, request: MaintenanceTicketRequest) {
    this.opened.push(request);
    await this.tickets.handle(
      ticketStream(TENANT, request.ticketId),
      { type: 'OpenTicket', ticketId: request.ticketId, input: { channel: 'api', category: 'maintenance', ...request } },
      context,
    );
  }

  async flag(context: CommandContext, ticketId: string, flag: string, reason: string | null) {
    await this.tickets.handle(ticketStream(TENANT, ticketId), { type: 'FlagTicket', flag, reason }, context);
  }

  async unflag(context: CommandContext, ticketId: string, flag: string) {
    await this.tickets.handle(ticketStream(TENANT, ticketId), { type: 'UnflagTicket', flag }, context);
  }
}

describe('customer care flows (application, projections and timers on in-memory stores)', () => {
  let now: Date;
  let eventStore: InMemoryEventStore;
  let readStore: EmbeddedReadStore;
  let contracts: ServiceContractsService;
  let assets: AssetsService;
  let maintenance: MaintenanceService;
  let desk: DeciderTicketDesk;
  let handlers: CustomerCareTimerHandlers;
  let scheduler: DurableTimerScheduler;
  let projections: Projection[];
  let position: number;
  let context: CommandContext;

  const setNow = (instant: string) => {
    now = new Date(instant);
  };

  /** Applies every new event to the three projections, as the projection host would. */
  async function catchUp(): Promise<void> {
    const events = await eventStore.readAll({ afterPosition: position });
    for (const event of events) {
      for (const projection of projections) {
        if (projection.filter?.eventTypes && !projection.filter.eventTypes.includes(event.type)) continue;
        await projection.apply(event, readStore);
      }
      position = event.position;
    }
  }

  async function settle(): Promise<void> {
    await catchUp();
    await scheduler.fireDue();
    await catchUp();
  }

  const eventsOfType = async (type: string): Promise<RecordedEvent[]> => (await eventStore.readAll()).filter((event) => event.type === type);

  beforeEach(async () => {
    setNow('2026-11-23T10:00:00.000Z');
    eventStore = new InMemoryEventStore();
    readStore = createInMemoryReadStore();
    position = -1;
    const directory = new ContactDirectory(new ReplicatedDirectory(readStore));
    for (const [id, companyId] of [
      ['p1', 'k1'],
      ['p2', ''],
    ]) {
      await directory.replicas.apply({ kind: 'contact', tenantId: TENANT, recordId: id, revision: 0, data: { firstName: id, companyId }, occurredAt: '2026-01-01T00:00:00Z' });
    }
    await directory.replicas.apply({ kind: 'company', tenantId: TENANT, recordId: 'k1', revision: 0, data: { name: 'Acme' }, occurredAt: '2026-01-01T00:00:00Z' });
    const clock = () => now;
    const uniqueKeys = new UniqueKeys(readStore, clock);
    contracts = new ServiceContractsService(eventStore, readStore, directory, new TicketFacts(eventStore), clock);
    assets = new AssetsService(eventStore, readStore, directory, uniqueKeys);
    desk = new DeciderTicketDesk(eventStore);
    maintenance = new MaintenanceService(eventStore, readStore, assets, uniqueKeys, desk);
    handlers = new CustomerCareTimerHandlers(contracts, readStore, desk, new TicketFacts(eventStore));
    scheduler = new DurableTimerScheduler(readStore, { now: clock });
    scheduler.register(renewalReminderTimers, handlers.renewalDue);
    scheduler.register(ticketCoverageTimers, handlers.ticketOpened);
    scheduler.register(maintenanceTimers, (timer) => maintenance.maintenanceDue(timer));
    projections = [contractsProjection(), assetsProjection(), maintenanceProjection()];
    context = { tenantId: TENANT, actorId: 'agent-1', correlationId: 'c-1', causationId: 'r-1', now: clock };
  });

  afterEach(async () => {
    await readStore.close();
  });

  const boiler = (overrides: Record<string, unknown> = {}) => ({
    productType: 'Boiler',
    productName: 'Heatmaster 300',
    serialNumber: 'HM-1',
    purchaseDate: '2023-11-23',
    warrantyEnd: '2028-11-23',
    location: 'Vilnius',
    ownerContactId: 'p1',
    ...overrides,
  });

  describe('asset serial numbers', () => {
    it('given an asset with a serial number, when another asset claims it in any case, then 409 and nothing is stored', async () => {
      await assets.register(context, boiler());
      await expect(assets.register(context, boiler({ serialNumber: ' hm-1 ' }))).rejects.toMatchObject({ kind: 'conflict', details: [{ field: 'serialNumber' }] });
      expect(await eventsOfType('AssetRegistered')).toHaveLength(1);
    });

    it('given a serial moved to another value, then the old one is free again, and the new one is taken', async () => {
      const first = await assets.register(context, boiler());
      const second = await assets.register(context, boiler({ serialNumber: 'HM-2' }));
      await expect(assets.update(context, second.view.id, { serialNumber: 'hm-1' })).rejects.toThrow(DomainError);
      await assets.update(context, first.view.id, { serialNumber: 'HM-3' });
      await assets.update(context, second.view.id, { serialNumber: 'HM-1' });
      await expect(assets.register(context, boiler({ serialNumber: 'HM-3' }))).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('given a rejected registration, then its serial claim is given back', async () => {
      await expect(assets.register(context, boiler({ warrantyEnd: '2020-01-01' }))).rejects.toMatchObject({ kind: 'invalid' });
      await assets.register(context, boiler());
      expect(await eventsOfType('AssetRegistered')).toHaveLength(1);
    });

    it('given a claim left behind by a write that never happened, then it is taken over once it is old', async () => {
      await readStore.collection(UNIQUE_KEYS_COLLECTION).insertOne({ _id: `${TENANT}:serial:HM-1`, ownerId: 'ghost', claimedAt: '2026-11-23T09:00:00.000Z' });
      await assets.register(context, boiler());
      expect(await eventsOfType('AssetRegistered')).toHaveLength(1);
    });

    it('needs an owner known to the contact directory', async () => {
      await expect(assets.register(context, boiler({ ownerContactId: 'nobody' }))).rejects.toMatchObject({ kind: 'invalid', details: [{ field: 'ownerContactId' }] });
      expect(await readStore.collection(UNIQUE_KEYS_COLLECTION).countDocuments({})).toBe(0);
    });

    it("takes the owner's company when none is given", async () => {
      expect((await assets.register(context, boiler())).view.companyId).toBe('k1');
    });
  });

  describe('entitlements and flags', () => {
    it('given a contract with one ticket, when two tickets open, then the first is covered and the second is flagged entitlement_exhausted exactly once', async () => {
      const contract = await contracts.create(context, { customer: { contactId: 'p1' }, startDate: '2026-01-01', endDate: '2026-12-31', entitlements: { tickets: 1 } });
      await desk.openTicket(context, 't1', 'p1');
      await settle();
      await desk.openTicket(context, 't2', 'p1');
      await settle();
      const view = await contracts.get(TENANT, contract.view.id);
      expect(view.usage.tickets).toBe(1);
      expect(view.remaining.tickets).toBe(0);
      const flags = await eventsOfType('TicketFlagged');
      expect(flags.map((event) => [event.streamName, (event.data as { flag: string }).flag])).toEqual([[ticketStream(TENANT, 't2'), 'entitlement_exhausted']]);

      // The same check delivered again (a crash before the timer was deleted) counts and flags nothing more.
      await handlers.ticketOpened({ key: 'again', tenantId: TENANT, dueAt: now.toISOString(), attempts: 0, payload: { ticketId: 't2', openedAt: now.toISOString(), requesterContactId: 'p1', companyId: null } });
      expect(await eventsOfType('TicketFlagged')).toHaveLength(1);
      expect(await eventsOfType('ContractTicketRecorded')).toHaveLength(2);
    });

    it("given a company contract, then a ticket of the company's contact counts against it", async () => {
      const contract = await contracts.create(context, { customer: { companyId: 'k1' }, startDate: '2026-01-01', endDate: '2026-12-31', entitlements: { tickets: 5 } });
      // The tickets feature fills in the requester's company.
      await desk.openTicket(context, 't1', 'p1', 'k1');
      await settle();
      expect((await contracts.get(TENANT, contract.view.id)).usage.tickets).toBe(1);
    });

    it('given an expired contract, when a ticket opens, then it is flagged contract_expired, and a flag an agent removed does not come back', async () => {
      await contracts.create(context, { customer: { contactId: 'p1' }, startDate: '2025-01-01', endDate: '2026-06-30' });
      await desk.openTicket(context, 't1', 'p1');
      await settle();
      const [flag] = await eventsOfType('TicketFlagged');
      expect(flag.data).toMatchObject({ ticketId: 't1', flag: 'contract_expired', reason: 'the service contract ended on 2026-06-30' });

      await desk.unflag(context, 't1', 'contract_expired');
      await handlers.ticketOpened({ key: 'again', tenantId: TENANT, dueAt: now.toISOString(), attempts: 0, payload: { ticketId: 't1', openedAt: now.toISOString(), requesterContactId: 'p1', companyId: null } });
      expect(await eventsOfType('TicketFlagged')).toHaveLength(1);
    });

    it('given a cancelled contract, then a new ticket is flagged contract_expired', async () => {
      const contract = await contracts.create(context, { customer: { contactId: 'p1' }, startDate: '2026-01-01', endDate: '2026-12-31' });
      await contracts.cancel(context, contract.view.id, 'moved away');
      await desk.openTicket(context, 't1', 'p1');
      await settle();
      expect((await eventsOfType('TicketFlagged'))[0].data).toMatchObject({ flag: 'contract_expired' });
    });

    it('given no contract at all, then nothing is flagged', async () => {
      await desk.openTicket(context, 't1', 'p2');
      await settle();
      expect(await eventsOfType('TicketFlagged')).toHaveLength(0);
    });

    it('records hours against a ticket that exists, and refuses unknown tickets', async () => {
      const contract = await contracts.create(context, { customer: { contactId: 'p1' }, startDate: '2026-01-01', endDate: '2026-12-31', entitlements: { hours: '2' } });
      await desk.openTicket(context, 't1', 'p1');
      const result = await contracts.recordHours(context, contract.view.id, { ticketId: 't1', hours: '1.25' });
      expect(result.view.remaining.hours).toBe('0.75');
      await expect(contracts.recordHours(context, contract.view.id, { ticketId: 'nope', hours: '1' })).rejects.toMatchObject({ kind: 'invalid', details: [{ field: 'ticketId' }] });
    });

    it('answers tierFor and activeContractFor from the contracts in force', async () => {
      await contracts.create(context, { customer: { companyId: 'k1' }, tier: 'premium', startDate: '2026-01-01', endDate: '2026-12-31' });
      await contracts.create(context, { customer: { contactId: 'p1' }, tier: 'vip', startDate: '2026-06-01', endDate: '2026-12-31' });
      await catchUp();
      expect(await contracts.tierFor(TENANT, { contactId: 'p1', companyId: 'k1' }, '2026-11-23T10:00:00Z')).toBe('vip');
      expect(await contracts.tierFor(TENANT, { contactId: 'p1', companyId: 'k1' }, '2026-03-01')).toBe('premium');
      expect(await contracts.tierFor(TENANT, { contactId: null, companyId: 'k1' }, '2027-03-01')).toBeNull();
      expect(await contracts.activeContractFor(TENANT, { contactId: 'p2' }, '2026-11-23')).toBeNull();
    });

    it('lists contracts by customer, standing and end date', async () => {
      const active = await contracts.create(context, { customer: { contactId: 'p1' }, startDate: '2026-01-01', endDate: '2026-12-31' });
      const expired = await contracts.create(context, { customer: { contactId: 'p1' }, startDate: '2025-01-01', endDate: '2025-12-31' });
      await contracts.create(context, { customer: { contactId: 'p2' }, startDate: '2026-01-01', endDate: '2027-12-31' });
      await catchUp();
      const ids = async (filter: object) => (await contracts.list(TENANT, filter)).items.map((contract) => contract.id).sort();
      expect(await ids({ customer: 'p1', status: 'active' })).toEqual([active.view.id]);
      expect(await ids({ status: 'expired' })).toEqual([expired.view.id]);
      expect(await ids({ expiringBefore: '2027-01-01' })).toEqual([active.view.id, expired.view.id].sort());
      expect((await contracts.list(TENANT, { customer: 'p1', status: 'active' })).items[0].status).toBe('active');
    });
  });

  describe('contact merges', () => {
    it("moves a merged contact's contracts and assets to the survivor, and back on unmerge", async () => {
      const contract = await contracts.create(context, { customer: { contactId: 'p2' }, startDate: '2026-01-01', endDate: '2026-12-31' });
      const asset = await assets.register(context, boiler({ ownerContactId: 'p2' }));
      await catchUp();
      const relinker = new CustomerCareMergeRelinker(readStore, contracts, assets);
      const change = { tenantId: TENANT, sourceContactId: 'p2', survivorContactId: 'p1', merged: true, eventId: 'e-1', correlationId: 'c-merge' };
      await relinker.onContactMerge(change);
      await relinker.onContactMerge(change);
      await catchUp();
      expect((await contracts.get(TENANT, contract.view.id)).customer.contactId).toBe('p1');
      expect((await assets.get(TENANT, asset.view.id)).ownerContactId).toBe('p1');
      expect(await eventsOfType('ServiceContractCustomerRelinked')).toHaveLength(1);

      await relinker.onContactMerge({ ...change, merged: false, eventId: 'e-2' });
      expect((await contracts.get(TENANT, contract.view.id)).customer.contactId).toBe('p2');
      expect((await assets.get(TENANT, asset.view.id)).ownerContactId).toBe('p2');
    });
  });

  describe('renewal reminders', () => {
    it('fire once per offset, are re-armed by a renewal and removed by a cancellation', async () => {
      const contract = await contracts.create(context, { customer: { contactId: 'p1' }, startDate: '2026-01-01', endDate: '2027-03-03' });
      await settle();
      expect((await renewalReminderTimers.pending(readStore, TENANT)).map((timer) => timer.dueAt)).toEqual(['2026-12-03T00:00:00.000Z', '2027-02-01T00:00:00.000Z']);

      setNow('2026-12-03T08:00:00.000Z');
      await settle();
      await settle();
      const due = await eventsOfType('ContractRenewalDue');
      expect(due.map((event) => event.data)).toEqual([{ contractId: contract.view.id, endDate: '2027-03-03', offsetDays: 90, dueOn: '2026-12-03' }]);

      await contracts.renew(context, contract.view.id, { endDate: '2028-03-03' });
      await settle();
      expect((await renewalReminderTimers.pending(readStore, TENANT)).map((timer) => timer.dueAt)).toEqual(['2027-12-04T00:00:00.000Z', '2028-02-02T00:00:00.000Z']);

      await contracts.cancel(context, contract.view.id, null);
      await settle();
      expect(await renewalReminderTimers.pending(readStore, TENANT)).toEqual([]);
    });

    it('publishes renewal due, created, renewed and cancelled on crm.service.contract.v1', async () => {
      const contract = await contracts.create(context, { customer: { contactId: 'p1' }, startDate: '2026-01-01', endDate: '2026-12-13' });
      await settle();
      await contracts.renew(context, contract.view.id, { endDate: '2027-12-31' });
      await contracts.cancel(context, contract.view.id, 'closed the site');
      const mapper = new CustomerCareIntegrationEventMapper(eventStore);
      const published = [];
      for (const event of await eventStore.readAll()) published.push(...(await mapper.map(event)));
      expect(published.map((message) => [message.topic, message.event.type])).toEqual([
        [CUSTOMER_CARE_TOPICS.contract, serviceContractEventType('created')],
        [CUSTOMER_CARE_TOPICS.contract, SERVICE_CONTRACT_RENEWAL_DUE_TYPE],
        [CUSTOMER_CARE_TOPICS.contract, serviceContractEventType('renewed')],
        [CUSTOMER_CARE_TOPICS.contract, serviceContractEventType('cancelled')],
      ]);
      expect(published.every((message) => message.event.subject === contract.view.id && message.event.tenantid === TENANT)).toBe(true);
      expect(published[1].event.data).toMatchObject({ contractId: contract.view.id, contactId: 'p1', offsetDays: 30, dueOn: '2026-11-13', endDate: '2026-12-13' });
      expect(published[2].event.data).toMatchObject({ previousEndDate: '2026-12-13', contract: { endDate: '2027-12-31', term: 2 } });
      expect(published[3].event.data).toMatchObject({ change: 'cancelled', contract: { cancelledOn: '2026-11-23' } });
      // Every message is valid proto3 JSON of the message its dataschema names.
      expect(fromJson(ServiceContractChangedSchema, published[0].event.data as never).contract?.entitlements?.hours).toBe('');
      expect(fromJson(ServiceContractRenewalDueSchema, published[1].event.data as never).offsetDays).toBe(30);
      expect(fromJson(ServiceContractChangedSchema, published[2].event.data as never).contract?.revision).toBe(2n);
    });
  });

  describe('proactive maintenance', () => {
    it('given a 3-year rule and an asset bought exactly 3 years ago, then one maintenance ticket opens today and the next visit is 3 years later', async () => {
      await maintenance.create(context, { productType: 'boiler', every: { years: 3 } });
      const asset = await assets.register(context, boiler());
      await settle();
      await settle();
      expect(desk.opened).toHaveLength(1);
      expect(desk.opened[0]).toMatchObject({ ticketId: maintenanceTicketId(TENANT, asset.view.id, '2026-11-23'), maintenanceOf: asset.view.id, requesterContactId: 'p1' });
      const schedule = await maintenance.scheduleOf(TENANT, asset.view.id);
      expect(schedule.past).toEqual([{ dueOn: '2026-11-23', reasons: ['anniversary'], ruleId: expect.any(String), ticketId: desk.opened[0].ticketId, vip: false }]);
      expect(schedule.next.map((visit) => visit.dueOn)).toEqual(['2029-11-23', '2032-11-23', '2035-11-23']);
      expect((await maintenanceTimers.pending(readStore, TENANT)).map((timer) => timer.dueAt)).toEqual(['2029-11-23T00:00:00.000Z']);

      // The same timer delivered again opens no second ticket and records no second visit.
      await maintenance.maintenanceDue({
        key: 'again',
        tenantId: TENANT,
        dueAt: '2026-11-23T00:00:00.000Z',
        attempts: 0,
        payload: { assetId: asset.view.id, dueOn: '2026-11-23', reasons: ['anniversary'], ruleId: 'r', vip: false },
      });
      expect(await eventsOfType('AssetMaintenanceDue')).toHaveLength(1);
      expect((await eventsOfType('TicketOpened')).filter((event) => (event.data as { maintenanceOf?: string }).maintenanceOf === asset.view.id)).toHaveLength(1);
    });

    it('publishes ProactiveServiceDue with the ticket and the owner for marketing', async () => {
      await maintenance.create(context, { productType: 'boiler', every: { years: 3 } });
      const asset = await assets.register(context, boiler());
      await settle();
      const mapper = new CustomerCareIntegrationEventMapper(eventStore);
      const [due] = await eventsOfType('AssetMaintenanceDue');
      const [message] = await mapper.map(due);
      expect(message.topic).toBe(CUSTOMER_CARE_TOPICS.asset);
      expect(message.event).toMatchObject({
        type: PROACTIVE_SERVICE_DUE_TYPE,
        subject: asset.view.id,
        data: { assetId: asset.view.id, contactId: 'p1', companyId: 'k1', serialNumber: 'HM-1', dueOn: '2026-11-23', reasons: ['anniversary'], ticketId: desk.opened[0].ticketId },
      });
      expect(fromJson(ProactiveServiceDueSchema, message.event.data as never)).toMatchObject({ assetId: asset.view.id, vip: false, reasons: ['anniversary'] });
    });

    it('given a VIP-tier contract, then the owner gets yearly visits while other customers keep the product cadence', async () => {
      await contracts.create(context, { customer: { contactId: 'p1' }, tier: 'vip', startDate: '2026-01-01', endDate: '2027-12-31' });
      await maintenance.create(context, { productType: 'boiler', every: { years: 3 }, vipEvery: { years: 1 } });
      const vipAsset = await assets.register(context, boiler({ purchaseDate: '2025-11-23' }));
      const other = await assets.register(context, boiler({ serialNumber: 'HM-2', purchaseDate: '2025-11-23', ownerContactId: 'p2' }));
      await settle();
      await settle();
      expect(desk.opened.map((ticket) => ticket.maintenanceOf)).toEqual([vipAsset.view.id]);
      expect(await maintenance.scheduleOf(TENANT, vipAsset.view.id)).toMatchObject({ vip: true, vipSource: 'contract', next: [{ dueOn: '2027-11-23' }, { dueOn: '2028-11-23' }, { dueOn: '2029-11-23' }] });
      expect(await maintenance.scheduleOf(TENANT, other.view.id)).toMatchObject({ vip: false, next: [{ dueOn: '2028-11-23' }, { dueOn: '2031-11-23' }, { dueOn: '2034-11-23' }] });
    });

    it('given beforeWarrantyEndDays reaching today, then a maintenance ticket opens for the warranty', async () => {
      await maintenance.create(context, { productType: 'boiler', beforeWarrantyEndDays: 30 });
      await assets.register(context, boiler({ purchaseDate: '2024-01-10', warrantyEnd: '2026-12-23' }));
      await settle();
      await settle();
      expect(desk.opened).toHaveLength(1);
      expect((await eventsOfType('AssetMaintenanceDue'))[0].data).toMatchObject({ dueOn: '2026-11-23', reasons: ['warranty_end'] });
    });

    it('reschedules when the rule changes and stops when it is deleted', async () => {
      const rule = await maintenance.create(context, { productType: 'boiler', every: { years: 5 } });
      const asset = await assets.register(context, boiler({ purchaseDate: '2024-05-10' }));
      await settle();
      expect((await maintenance.scheduleOf(TENANT, asset.view.id)).next[0].dueOn).toBe('2029-05-10');
      await maintenance.replace(context, rule.view.id, { productType: 'boiler', every: { years: 3 } });
      await settle();
      expect((await maintenance.scheduleOf(TENANT, asset.view.id)).next[0].dueOn).toBe('2027-05-10');
      await maintenance.delete(context, rule.view.id);
      await settle();
      expect(await maintenanceTimers.pending(readStore, TENANT)).toEqual([]);
      expect((await maintenance.scheduleOf(TENANT, asset.view.id)).rule).toBeNull();
    });

    it('keeps one rule per product type', async () => {
      await maintenance.create(context, { productType: 'boiler', every: { years: 3 } });
      await expect(maintenance.create(context, { productType: ' BOILER ', every: { years: 5 } })).rejects.toMatchObject({ kind: 'conflict', details: [{ field: 'productType' }] });
    });
  });
});

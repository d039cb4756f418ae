import { EmbeddedMessageBus, type IntegrationEvent } from '@crm/bus';
import { CUSTOMER_CARE_TOPICS, PROACTIVE_SERVICE_DUE_TYPE, SERVICE_CONTRACT_RENEWAL_DUE_TYPE } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { DateTime } from 'luxon';
import { join } from 'node:path';
import { RunningCrm } from '../../tools/running-crm';
import { expectProblem, type Page, uniqueTenant } from './support';

type Contract = { id: string; status: string; tier: string; endDate: string; usage: { tickets: number; hours: string }; remaining: { tickets: number | null; hours: string | null }; term: number };
type Asset = { id: string; serialNumber: string; companyId: string | null };
type Visit = { dueOn: string; reasons: string[]; ticketId: string };
type Schedule = { rule: { id: string } | null; vip: boolean; next: { dueOn: string }[]; past: Visit[] };
type Ticket = { id: string; maintenanceOf: string | null; category: string | null; flags: { flag: string; reason: string | null }[] };

const today = () => DateTime.utc().toISODate() as string;
const shift = (duration: { years?: number; days?: number }) => DateTime.utc().plus(duration).toISODate() as string;

describe('service desk: contracts, entitlements, assets and proactive maintenance through the gateway', () => {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await RunningCrm.start();
  }, 120_000);

  afterAll(async () => {
    await crm?.stop();
  });

  async function contact(tenant: string, firstName: string): Promise<string> {
    const created = await crm.call<{ id: string }>('POST', '/api/v1/contacts', { tenant, body: { firstName, lastName: 'Customer' } });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  /** The service desk learns contacts from the contacts service's events: a write naming a new contact is retried until it is known. */
  async function createOnceKnown<T>(tenant: string, path: string, body: unknown): Promise<T> {
    return eventually(
      async () => {
        const response = await crm.call<T>('POST', path, { tenant, body });
        if (response.status !== 201 && response.status !== 400) throw new Error(`POST ${path} answered ${response.status} ${response.text}`);
        return response.status === 201 ? response.body : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: `POST ${path} to succeed once the contact is known` },
    );
  }

  async function schedule(tenant: string, assetId: string): Promise<Schedule> {
    const response = await crm.call<Schedule>('GET', `/api/v1/assets/${assetId}/maintenance`, { tenant });
    expect(response.status).toBe(200);
    return response.body;
  }

  async function maintenanceTickets(tenant: string, ownerId: string, assetId: string): Promise<Ticket[]> {
    const page = await crm.call<Page<Ticket>>('GET', `/api/v1/tickets?requesterContactId=${ownerId}&category=maintenance&limit=200`, { tenant });
    expect(page.status).toBe(200);
    return page.body.items.filter((ticket) => ticket.maintenanceOf === assetId);
  }

  const boiler = (ownerContactId: string, serialNumber: string, purchaseDate: string) => ({
    productType: 'Boiler',
    productName: 'Heatmaster 300',
    serialNumber,
    purchaseDate,
    warrantyEnd: shift({ years: 2 }),
    location: 'Gedimino pr. 1, Vilnius',
    ownerContactId,
  });

  it('opens one maintenance ticket for an asset bought exactly 3 years ago, and only one after a crash and a restart', async () => {
    const tenant = uniqueTenant('care');
    const owner = await contact(tenant, 'Owner');
    const contract = await createOnceKnown<Contract>(tenant, '/api/v1/service-contracts', {
      customer: { contactId: owner },
      tier: 'premium',
      startDate: shift({ years: -1 }),
      endDate: shift({ years: 1 }),
      entitlements: { tickets: 10, hours: '20' },
    });
    expect(contract).toMatchObject({ status: 'active', tier: 'premium' });

    const rule = await crm.call<{ id: string }>('POST', '/api/v1/maintenance-rules', { tenant, body: { productType: 'boiler', every: { years: 3 }, vipEvery: { years: 1 } } });
    expect(rule.status).toBe(201);
    const asset = await crm.call<Asset>('POST', '/api/v1/assets', { tenant, body: boiler(owner, `HM-${tenant}`, shift({ years: -3 })) });
    expect(asset.status).toBe(201);
    // Crash right after the write: whether or not the visit fired before, it must fire once in effect.
    await crm.killHard();
    await crm.launch();

    const fired = await eventually(
      async () => {
        const current = await schedule(tenant, asset.body.id);
        return current.past.length > 0 ? current : undefined;
      },
      { timeoutMs: 20_000, description: 'the maintenance visit to fall due' },
    );
    expect(fired.past).toEqual([{ dueOn: today(), reasons: ['anniversary'], ruleId: rule.body.id, ticketId: expect.any(String), vip: false }]);
    expect(fired.next[0].dueOn).toBe(shift({ years: 3 }));
    const ticketId = fired.past[0].ticketId;
    const ticket = await crm.call<Ticket>('GET', `/api/v1/tickets/${ticketId}`, { tenant });
    expect(ticket.status).toBe(200);
    expect(ticket.body).toMatchObject({ maintenanceOf: asset.body.id, category: 'maintenance', flags: [] });

    // A clean restart, then a second asset due today: once its ticket is there the timers have run since the restart.
    await crm.stop({ keepData: true });
    await crm.launch();
    const second = await crm.call<Asset>('POST', '/api/v1/assets', { tenant, body: boiler(owner, `HM2-${tenant}`, shift({ years: -6 })) });
    expect(second.status).toBe(201);
    await eventually(async () => (await maintenanceTickets(tenant, owner, second.body.id)).length === 1, { timeoutMs: 20_000, description: 'the second maintenance ticket' });
    expect((await maintenanceTickets(tenant, owner, asset.body.id)).map((found) => found.id)).toEqual([ticketId]);
    expect((await schedule(tenant, asset.body.id)).past).toHaveLength(1);

    // Marketing hears of each visit once (deterministic ids: a re-publication carries the same id).
    const bus = new EmbeddedMessageBus({ path: join(crm.dataDir, 'bus.db') });
    const seen = new Map<string, IntegrationEvent>();
    const consumer = await bus.consume({
      group: `care-test-${tenant}`,
      topics: [CUSTOMER_CARE_TOPICS.asset],
      handler: async (event) => {
        if (event.tenantid === tenant && event.type === PROACTIVE_SERVICE_DUE_TYPE) seen.set(event.id, event);
      },
    });
    try {
      await eventually(() => seen.size >= 2, { timeoutMs: 20_000, description: 'two ProactiveServiceDue events' });
      const forFirst = [...seen.values()].filter((event) => event.subject === asset.body.id);
      expect(forFirst).toHaveLength(1);
      expect(forFirst[0].data).toMatchObject({ assetId: asset.body.id, contactId: owner, dueOn: today(), ticketId, reasons: ['anniversary'] });
    } finally {
      await consumer.close();
      await bus.close();
    }
  }, 240_000);

  it('flags a ticket against an expired contract once, and an exhausted entitlement on the ticket over the limit', async () => {
    const tenant = uniqueTenant('care-flags');
    const lapsed = await contact(tenant, 'Lapsed');
    const limited = await contact(tenant, 'Limited');
    await createOnceKnown<Contract>(tenant, '/api/v1/service-contracts', { customer: { contactId: lapsed }, startDate: shift({ years: -2 }), endDate: shift({ days: -10 }) });
    const limitedContract = await createOnceKnown<Contract>(tenant, '/api/v1/service-contracts', {
      customer: { contactId: limited },
      startDate: shift({ years: -1 }),
      endDate: shift({ years: 1 }),
      entitlements: { tickets: 1 },
    });

    const late = await crm.call<Ticket>('POST', '/api/v1/tickets', { tenant, body: { channel: 'web', subject: 'It broke again', requesterContactId: lapsed } });
    expect(late.status).toBe(201);
    const flagged = await eventually(
      async () => {
        const read = await crm.call<Ticket>('GET', `/api/v1/tickets/${late.body.id}`, { tenant });
        return read.body.flags.length > 0 ? read.body : undefined;
      },
      { timeoutMs: 20_000, description: 'the ticket to be flagged contract_expired' },
    );
    expect(flagged.flags).toEqual([{ flag: 'contract_expired', reason: `the service contract ended on ${shift({ days: -10 })}` }]);

    const first = await crm.call<Ticket>('POST', '/api/v1/tickets', { tenant, body: { channel: 'phone', subject: 'Question', requesterContactId: limited } });
    expect(first.status).toBe(201);
    await eventually(async () => (await crm.call<Contract>('GET', `/api/v1/service-contracts/${limitedContract.id}`, { tenant })).body.usage.tickets === 1, {
      timeoutMs: 20_000,
      description: 'the first ticket to use the entitlement',
    });
    const second = await crm.call<Ticket>('POST', '/api/v1/tickets', { tenant, body: { channel: 'phone', subject: 'Another question', requesterContactId: limited } });
    await eventually(async () => (await crm.call<Ticket>('GET', `/api/v1/tickets/${second.body.id}`, { tenant })).body.flags.some((flag) => flag.flag === 'entitlement_exhausted'), {
      timeoutMs: 20_000,
      description: 'the second ticket to be flagged entitlement_exhausted',
    });
    expect((await crm.call<Ticket>('GET', `/api/v1/tickets/${first.body.id}`, { tenant })).body.flags).toEqual([]);

    // Flagged exactly once, also after a restart replays whatever was pending.
    await crm.stop({ keepData: true });
    await crm.launch();
    const history = await crm.call<{ items: { type: string }[] }>('GET', `/api/v1/tickets/${late.body.id}/history`, { tenant });
    expect(history.body.items.filter((entry) => entry.type === 'TicketFlagged')).toHaveLength(1);
    const flaggedList = await crm.call<Page<Ticket>>('GET', '/api/v1/tickets?flag=entitlement_exhausted', { tenant });
    expect(flaggedList.body.items.map((ticket) => ticket.id)).toEqual([second.body.id]);
  }, 180_000);

  it('renews, cancels, records hours, lists and answers history and asOf', async () => {
    const tenant = uniqueTenant('care-life');
    const customer = await contact(tenant, 'Life');
    const contract = await createOnceKnown<Contract>(tenant, '/api/v1/service-contracts', {
      customer: { contactId: customer },
      startDate: shift({ years: -1 }),
      endDate: shift({ days: 20 }),
      entitlements: { hours: '10' },
      renewalReminderOffsetsDays: [90, 30],
    });
    const beforeRenewal = new Date().toISOString();

    // The 30-day reminder is already due: marketing gets ContractRenewalDue once.
    await eventually(async () => (await crm.call<{ items: { type: string }[] }>('GET', `/api/v1/service-contracts/${contract.id}/history`, { tenant })).body.items.some((entry) => entry.type === 'ContractRenewalDue'), {
      timeoutMs: 20_000,
      description: 'the renewal reminder',
    });

    const ticket = await crm.call<Ticket>('POST', '/api/v1/tickets', { tenant, body: { channel: 'chat', subject: 'Help', requesterContactId: customer } });
    const hours = await crm.call<Contract>('POST', `/api/v1/service-contracts/${contract.id}/consumption`, { tenant, body: { ticketId: ticket.body.id, hours: '2.5' } });
    expect(hours.status).toBe(200);
    expect(hours.body.remaining.hours).toBe('7.50');

    const renewed = await crm.call<Contract>('POST', `/api/v1/service-contracts/${contract.id}/renew`, { tenant, body: { endDate: shift({ years: 2 }) } });
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ endDate: shift({ years: 2 }), term: 2, usage: { hours: '0.00' } });
    const asOf = await crm.call<Contract>('GET', `/api/v1/service-contracts/${contract.id}?asOf=${encodeURIComponent(beforeRenewal)}`, { tenant });
    expect(asOf.body).toMatchObject({ endDate: shift({ days: 20 }), term: 1 });

    const patched = await crm.call<Contract>('PATCH', `/api/v1/service-contracts/${contract.id}`, { tenant, body: { tier: 'vip' }, headers: { 'if-match': renewed.headers.etag } });
    expect(patched.status).toBe(200);
    const stale = await crm.call('PATCH', `/api/v1/service-contracts/${contract.id}`, { tenant, body: { tier: 'premium' }, headers: { 'if-match': renewed.headers.etag } });
    expectProblem(stale, 412);

    const cancelled = await crm.call<Contract>('POST', `/api/v1/service-contracts/${contract.id}/cancel`, { tenant, body: { reason: 'Closed the site' } });
    expect(cancelled.body.status).toBe('cancelled');
    const list = await crm.call<Page<Contract>>('GET', `/api/v1/service-contracts?customer=${customer}&status=cancelled`, { tenant, headers: { 'x-consistency-token': cancelled.headers['x-consistency-token'] } });
    expect(list.body.items.map((item) => item.id)).toEqual([contract.id]);
    const history = await crm.call<{ items: { type: string }[] }>('GET', `/api/v1/service-contracts/${contract.id}/history`, { tenant });
    expect(history.body.items.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['ServiceContractCreated', 'ContractRenewalDue', 'ContractHoursConsumed', 'ServiceContractRenewed', 'ServiceContractTierChanged', 'ServiceContractCancelled']),
    );

    const bus = new EmbeddedMessageBus({ path: join(crm.dataDir, 'bus.db') });
    const reminders = new Map<string, IntegrationEvent>();
    const consumer = await bus.consume({
      group: `care-test-${tenant}`,
      topics: [CUSTOMER_CARE_TOPICS.contract],
      handler: async (event) => {
        if (event.tenantid === tenant && event.type === SERVICE_CONTRACT_RENEWAL_DUE_TYPE) reminders.set(event.id, event);
      },
    });
    try {
      await eventually(() => reminders.size >= 1, { timeoutMs: 20_000, description: 'the renewal-due integration event' });
      expect([...reminders.values()].map((event) => event.data)).toEqual([expect.objectContaining({ contractId: contract.id, contactId: customer, offsetDays: 30 })]);
    } finally {
      await consumer.close();
      await bus.close();
    }
  }, 120_000);

  it('answers bad input with 4xx problem+json and stores nothing', async () => {
    const tenant = uniqueTenant('care-bad');
    const owner = await contact(tenant, 'Careful');
    const first = await createOnceKnown<Asset>(tenant, '/api/v1/assets', boiler(owner, 'SN-UNIQUE-1', '2024-01-10'));

    expectProblem(await crm.call('POST', '/api/v1/assets', { tenant, body: boiler(owner, ' sn-unique-1 ', '2024-01-10') }), 409, ['serialNumber']);
    expectProblem(await crm.call('POST', '/api/v1/assets', { tenant, body: { ...boiler(owner, 'SN-2', '2024-01-10'), purchaseDate: '2024-02-30' } }), 400, ['purchaseDate']);
    expectProblem(await crm.call('POST', '/api/v1/assets', { tenant, body: { ...boiler(owner, 'SN-3', '2024-01-10'), warrantyEnd: '2020-01-01' } }), 400, ['warrantyEnd']);
    expectProblem(await crm.call('POST', '/api/v1/assets', { tenant, body: boiler('nobody', 'SN-4', '2024-01-10') }), 400, ['ownerContactId']);
    expectProblem(await crm.call('POST', '/api/v1/assets', { tenant, body: { ...boiler(owner, 'SN-5', '2024-01-10'), colour: 'red' } }), 400, ['colour']);
    expectProblem(await crm.call('PATCH', `/api/v1/assets/${first.id}`, { tenant, body: { serialNumber: '' } }), 400, ['serialNumber']);
    const assets = await crm.call<Page<Asset>>('GET', `/api/v1/assets?ownerContactId=${owner}`, { tenant });
    expect(assets.body.items.map((asset) => asset.serialNumber)).toEqual(['SN-UNIQUE-1']);

    expectProblem(await crm.call('POST', '/api/v1/service-contracts', { tenant, body: { customer: {}, startDate: '2026-01-01', endDate: '2026-12-31' } }), 400, ['customer']);
    expectProblem(await crm.call('POST', '/api/v1/service-contracts', { tenant, body: { customer: { contactId: owner }, startDate: '2026-12-31', endDate: '2026-01-01' } }), 400, ['endDate']);
    expectProblem(await crm.call('POST', '/api/v1/service-contracts', { tenant, body: { customer: { contactId: owner }, startDate: '2026-01-01', endDate: '2026-12-31', entitlements: { hours: 5 } } }), 400, [
      'entitlements.hours',
    ]);
    expectProblem(await crm.call('POST', '/api/v1/service-contracts', { tenant, body: { customer: { contactId: 'ghost' }, startDate: '2026-01-01', endDate: '2026-12-31' } }), 400, ['customer.contactId']);
    expectProblem(await crm.call('POST', '/api/v1/service-contracts', { tenant, body: { customer: { contactId: owner }, startDate: '2026-01-01', endDate: '2026-12-31', coveredAssetIds: ['nope'] } }), 400, [
      'coveredAssetIds.0',
    ]);
    expectProblem(await crm.call('GET', '/api/v1/service-contracts?status=dormant', { tenant }), 400, ['status']);
    expectProblem(await crm.call('GET', '/api/v1/service-contracts/not-there', { tenant }), 404);
    expectProblem(await crm.call('GET', '/api/v1/service-contracts/bad%20id', { tenant }), 404);
    expect((await crm.call<Page<Contract>>('GET', `/api/v1/service-contracts?customer=${owner}`, { tenant })).body.items).toEqual([]);

    expectProblem(await crm.call('POST', '/api/v1/maintenance-rules', { tenant, body: { productType: 'boiler', every: { years: 0 } } }), 400, ['every']);
    expectProblem(await crm.call('POST', '/api/v1/maintenance-rules', { tenant, body: { productType: 'boiler', anchor: 'birthday', every: { years: 1 } } }), 400, ['anchor']);
    expectProblem(await crm.call('POST', '/api/v1/maintenance-rules', { tenant, body: { productType: 'boiler' } }), 400, ['every']);
    expect((await crm.call('POST', '/api/v1/maintenance-rules', { tenant, body: { productType: 'boiler', every: { years: 5 } } })).status).toBe(201);
    expectProblem(await crm.call('POST', '/api/v1/maintenance-rules', { tenant, body: { productType: 'BOILER', every: { years: 3 } } }), 409, ['productType']);
    expect((await crm.call<Page<unknown>>('GET', '/api/v1/maintenance-rules', { tenant })).body.items).toHaveLength(1);
  }, 120_000);

  it('lists every customer-care route in the OpenAPI document at the gateway', async () => {
    const document = await crm.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json');
    expect(document.status).toBe(200);
    const paths = document.body.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/service-contracts',
        '/api/v1/service-contracts/{id}',
        '/api/v1/service-contracts/{id}/renew',
        '/api/v1/service-contracts/{id}/cancel',
        '/api/v1/service-contracts/{id}/consumption',
        '/api/v1/service-contracts/{id}/history',
        '/api/v1/assets',
        '/api/v1/assets/{id}',
        '/api/v1/assets/{id}/history',
        '/api/v1/assets/{id}/maintenance',
        '/api/v1/maintenance-rules',
        '/api/v1/maintenance-rules/{id}',
        '/api/v1/maintenance-rules/{id}/history',
      ]),
    );
    expect(Object.keys(paths['/api/v1/service-contracts/{id}']).sort()).toEqual(['get', 'patch']);
    expect(Object.keys(paths['/api/v1/maintenance-rules/{id}']).sort()).toEqual(['delete', 'get', 'put']);
  });
});

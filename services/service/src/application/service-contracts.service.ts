import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import type { Filter, ReadStore } from '@crm/readstore';
import { type HistoryEntry, loadView, timestamps, timestampsAfter, toHistory, type WriteResult } from '@crm/runtime';
import { type Entitlements, type EntitlementsInput, type EntitlementUsage, type RemainingEntitlements, remainingEntitlements } from '../domain/entitlement';
import { utcDateOf } from '../domain/maintenance-schedule';
import {
  type ContractCustomer,
  type ContractStatus,
  contractStatusOn,
  SERVICE_CONTRACT_FIELDS_BY_EVENT,
  type ServiceContractCommand,
  serviceContractDecider,
  type ServiceContractEvent,
  type ServiceContractInput,
  type ServiceContractState,
} from '../domain/service-contract';
import { assetStream, serviceContractStream } from '../domain/streams';
import type { ContactDirectory } from './contact-directory';
import { CONTRACTS_COLLECTION, type ContractDocument } from './customer-care-read-models';
import type { TicketFacts } from './customer-care-ticket-desk';

/** A service contract as the API returns it; `status` is as of today (or as of `asOf`). */
export interface ServiceContractView {
  id: string;
  customer: ContractCustomer;
  tier: string;
  startDate: string;
  endDate: string;
  status: ContractStatus;
  coveredAssetIds: string[];
  entitlements: Entitlements;
  usage: EntitlementUsage;
  remaining: RemainingEntitlements;
  term: number;
  termStartDate: string;
  renewalReminderOffsetsDays: number[];
  cancelledOn: string | null;
  cancellationReason: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface ListResult<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ServiceContractListFilter {
  customer?: string;
  status?: ContractStatus;
  tier?: string;
  expiringBefore?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

/** Who a lookup is for: a contact, a company, or both (a contact's own contract and their company's count). */
export interface CustomerRef {
  contactId?: string | null;
  companyId?: string | null;
}

export interface ContractFields {
  customer: ContractCustomer;
  tier: string;
  startDate: string;
  endDate: string;
  coveredAssetIds: string[];
  entitlements: Entitlements;
  usage: EntitlementUsage;
  term: number;
  termStartDate: string;
  renewalReminderOffsetsDays: number[];
  cancelledOn: string | null;
  cancellationReason: string | null;
}

export function toContractView(fields: ContractFields & { id: string }, revision: number, times: { createdAt: string; updatedAt: string }, today: string): ServiceContractView {
  return {
    id: fields.id,
    customer: fields.customer,
    tier: fields.tier,
    startDate: fields.startDate,
    endDate: fields.endDate,
    status: contractStatusOn(fields, today),
    coveredAssetIds: fields.coveredAssetIds,
    entitlements: fields.entitlements,
    usage: fields.usage,
    remaining: remainingEntitlements(fields.entitlements, fields.usage),
    term: fields.term,
    termStartDate: fields.termStartDate,
    renewalReminderOffsetsDays: fields.renewalReminderOffsetsDays,
    cancelledOn: fields.cancelledOn,
    cancellationReason: fields.cancellationReason,
    revision,
    createdAt: times.createdAt,
    updatedAt: times.updatedAt,
  };
}

const DEFAULT_LIMIT = 50;

/** `-createdAt` → `{ createdAt: -1 }`. */
export function parseSort(sort: string | undefined, fallback: string): Record<string, 1 | -1> {
  const value = sort ?? fallback;
  return value.startsWith('-') ? { [value.slice(1)]: -1 } : { [value]: 1 };
}

/**
 * Service contracts: commands, reads, and the lookups other features use (the SLA policies match on
 * `tierFor`, ticket coverage on `contractForTicket`). Time comes from `clock`, so "today" is testable.
 */
export class ServiceContractsService {
  private readonly contracts: EventSourcedCommandHandler<ServiceContractCommand, ServiceContractState, ServiceContractEvent>;

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    private readonly directory: ContactDirectory,
    private readonly tickets: TicketFacts,
    private readonly clock: () => Date = () => new Date(),
    private readonly newId: () => string = newRecordId,
  ) {
    this.contracts = new EventSourcedCommandHandler(store, serviceContractDecider);
  }

  private today(): string {
    return utcDateOf(this.clock());
  }

  async create(context: CommandContext, input: ServiceContractInput): Promise<WriteResult<ServiceContractView>> {
    const customer = await this.resolveCustomer(context.tenantId, input.customer);
    await this.assertAssetsExist(context.tenantId, input.coveredAssetIds);
    const contractId = this.newId();
    return this.run(context, contractId, { type: 'CreateServiceContract', contractId, input: { ...input, customer } });
  }

  async update(context: CommandContext, contractId: string, input: ServiceContractInput): Promise<WriteResult<ServiceContractView>> {
    await this.assertAssetsExist(context.tenantId, input.coveredAssetIds);
    return this.run(context, contractId, { type: 'UpdateServiceContract', input });
  }

  renew(context: CommandContext, contractId: string, renewal: { endDate: string; entitlements?: EntitlementsInput; tier?: string }) {
    return this.run(context, contractId, { type: 'RenewServiceContract', ...renewal });
  }

  cancel(context: CommandContext, contractId: string, reason: string | null) {
    return this.run(context, contractId, { type: 'CancelServiceContract', reason, today: this.today() });
  }

  /** Support hours spent on a ticket, counted against the contract's current term. */
  async recordHours(context: CommandContext, contractId: string, consumption: { ticketId: string; hours: string }): Promise<WriteResult<ServiceContractView>> {
    await this.get(context.tenantId, contractId);
    if (!(await this.tickets.exists(context.tenantId, consumption.ticketId))) {
      throw new DomainError('invalid', 'Invalid ticketId: no such ticket', [{ field: 'ticketId', reason: 'no ticket with this id' }]);
    }
    return this.run(context, contractId, { type: 'RecordContractHours', consumptionId: this.newId(), ...consumption, on: this.today() });
  }

  /** Records a ticket against the contract (once); the state says how it was covered. */
  async recordTicket(context: CommandContext, contractId: string, ticketId: string, openedOn: string): Promise<ServiceContractState> {
    const result = await this.contracts.handle(serviceContractStream(context.tenantId, contractId), { type: 'RecordContractTicket', ticketId, openedOn }, context);
    return result.state;
  }

  async recordRenewalDue(context: CommandContext, contractId: string, endDate: string, offsetDays: number): Promise<void> {
    await this.contracts.handle(serviceContractStream(context.tenantId, contractId), { type: 'RecordRenewalDue', endDate, offsetDays }, context);
  }

  async relinkCustomer(context: CommandContext, contractId: string, fromContactId: string, toContactId: string, reason: 'merged' | 'unmerged'): Promise<void> {
    await this.contracts.handle(serviceContractStream(context.tenantId, contractId), { type: 'RelinkContractCustomer', fromContactId, toContactId, reason }, context);
  }

  async get(tenantId: string, contractId: string, asOf?: string): Promise<ServiceContractView> {
    const day = asOf ? utcDateOf(asOf) : this.today();
    return loadView(
      this.contracts,
      serviceContractStream(tenantId, contractId),
      'Service contract',
      (state, revision, events) => toContractView({ ...state, id: state.id as string }, revision, timestamps(events), day),
      asOf,
    );
  }

  async history(tenantId: string, contractId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.contracts.load(serviceContractStream(tenantId, contractId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Service contract not found');
    return toHistory(events, SERVICE_CONTRACT_FIELDS_BY_EVENT, 'contractId');
  }

  async list(tenantId: string, filter: ServiceContractListFilter): Promise<ListResult<ServiceContractView>> {
    const today = this.today();
    const query: Filter = { tenantId };
    const endDate: Record<string, string> = {};
    if (filter.customer) query.customerIds = filter.customer;
    if (filter.tier) query.tier = filter.tier.trim().toLowerCase();
    switch (filter.status) {
      case 'cancelled':
        query.cancelledOn = { $ne: null };
        break;
      case 'expired':
        query.cancelledOn = null;
        endDate.$lt = today;
        break;
      case 'scheduled':
        query.cancelledOn = null;
        query.startDate = { $gt: today };
        break;
      case 'active':
        query.cancelledOn = null;
        query.startDate = { $lte: today };
        endDate.$gte = today;
        break;
    }
    if (filter.expiringBefore) endDate.$lt = endDate.$lt && endDate.$lt < filter.expiringBefore ? endDate.$lt : filter.expiringBefore;
    if (Object.keys(endDate).length > 0) query.endDate = endDate;
    const page = await this.readStore.collection<ContractDocument>(CONTRACTS_COLLECTION).findPage(query, {
      sort: parseSort(filter.sort, '-createdAt'),
      limit: filter.limit ?? DEFAULT_LIMIT,
      cursor: filter.cursor,
    });
    return { items: page.items.map((document) => toContractView(document, document.revision, document, today)), nextCursor: page.nextCursor };
  }

  /**
   * The contract in force for a customer on the day of `at` (an ISO date or instant), or null: the
   * contact's own contract before their company's, then the one that runs longest. Read from the list
   * read model, so it lags writes by the projection's delay.
   */
  async activeContractFor(tenantId: string, customer: CustomerRef, at: string): Promise<ServiceContractView | null> {
    const day = utcDateOf(at);
    const { contracts, contactIds } = await this.contractsOfCustomer(tenantId, customer, { startDate: { $lte: day }, endDate: { $gte: day } });
    const chosen = this.preferred(
      contracts.filter((contract) => contractStatusOn(contract, day) === 'active'),
      contactIds,
    );
    return chosen ? toContractView(chosen, chosen.revision, chosen, this.today()) : null;
  }

  /** The tier of the contract in force for the customer on the day of `at`, or null without one. */
  async tierFor(tenantId: string, customer: CustomerRef, at: string): Promise<string | null> {
    return (await this.activeContractFor(tenantId, customer, at))?.tier ?? null;
  }

  /**
   * The contract a ticket opened on `openedOn` counts against: the one in force that day, else the one
   * that ended (or was cancelled) most recently before it, which makes the ticket "against an expired
   * contract". Null when the customer has no contract, or only ones that start later.
   */
  async contractForTicket(tenantId: string, customer: CustomerRef, openedOn: string): Promise<string | null> {
    const { contracts, contactIds } = await this.contractsOfCustomer(tenantId, customer, { startDate: { $lte: openedOn } });
    const inForce = this.preferred(
      contracts.filter((contract) => contractStatusOn(contract, openedOn) === 'active'),
      contactIds,
    );
    if (inForce) return inForce.id;
    const endOf = (contract: ContractDocument) => (contract.cancelledOn && contract.cancelledOn < contract.endDate ? contract.cancelledOn : contract.endDate);
    const lapsed = contracts.filter((contract) => contractStatusOn(contract, openedOn) !== 'active').sort((left, right) => endOf(right).localeCompare(endOf(left)));
    return lapsed[0]?.id ?? null;
  }

  /** The ids a customer goes by: a merged contact is also known by its survivor's id. */
  private async customerIds(tenantId: string, customer: CustomerRef): Promise<{ contactIds: string[]; companyIds: string[] }> {
    const contactIds: string[] = [];
    const companyIds: string[] = [];
    if (customer.contactId) {
      contactIds.push(customer.contactId);
      const contact = await this.directory.find('contact', tenantId, customer.contactId);
      if (contact && contact.recordId !== customer.contactId) contactIds.push(contact.recordId);
      const companyOfContact = contact?.data.companyId;
      if (!customer.companyId && typeof companyOfContact === 'string' && companyOfContact) companyIds.push(companyOfContact);
    }
    if (customer.companyId) companyIds.push(customer.companyId);
    return { contactIds, companyIds };
  }

  private async contractsOfCustomer(tenantId: string, customer: CustomerRef, dates: Filter): Promise<{ contracts: ContractDocument[]; contactIds: string[] }> {
    const { contactIds, companyIds } = await this.customerIds(tenantId, customer);
    const ids = [...contactIds, ...companyIds];
    const contracts = ids.length === 0 ? [] : await this.readStore.collection<ContractDocument>(CONTRACTS_COLLECTION).find({ tenantId, customerIds: { $in: ids }, ...dates }, { limit: 200 });
    return { contracts, contactIds };
  }

  private preferred(contracts: ContractDocument[], contactIds: string[]): ContractDocument | undefined {
    const own = (contract: ContractDocument) => (contract.customer.contactId && contactIds.includes(contract.customer.contactId) ? 1 : 0);
    return [...contracts].sort((left, right) => own(right) - own(left) || right.endDate.localeCompare(left.endDate) || right.createdAt.localeCompare(left.createdAt))[0];
  }

  /** The customer as linked: known to the directory (a merged contact becomes its survivor), or a 400. */
  private async resolveCustomer(tenantId: string, customer: ServiceContractInput['customer']): Promise<ServiceContractInput['customer']> {
    const resolved: { contactId?: string | null; companyId?: string | null } = { ...customer };
    if (customer?.contactId) {
      const contact = await this.directory.find('contact', tenantId, customer.contactId);
      if (!contact) throw new DomainError('invalid', 'Invalid customer.contactId: no such contact', [{ field: 'customer.contactId', reason: 'no contact with this id' }]);
      resolved.contactId = contact.recordId;
    }
    if (customer?.companyId) {
      const company = await this.directory.find('company', tenantId, customer.companyId);
      if (!company) throw new DomainError('invalid', 'Invalid customer.companyId: no such company', [{ field: 'customer.companyId', reason: 'no company with this id' }]);
      resolved.companyId = company.recordId;
    }
    return resolved;
  }

  private async assertAssetsExist(tenantId: string, assetIds: string[] | undefined): Promise<void> {
    for (const [index, assetId] of (assetIds ?? []).entries()) {
      const events = await this.store.readStream(assetStream(tenantId, assetId), { maxCount: 1 });
      if (events.length === 0) {
        throw new DomainError('invalid', `Invalid coveredAssetIds: no asset ${assetId}`, [{ field: `coveredAssetIds.${index}`, reason: 'no asset with this id' }]);
      }
    }
  }

  private async run(context: CommandContext, contractId: string, command: ServiceContractCommand): Promise<WriteResult<ServiceContractView>> {
    const result = await this.contracts.handle(serviceContractStream(context.tenantId, contractId), command, context);
    const view = toContractView({ ...result.state, id: result.state.id as string }, result.revision, timestampsAfter(result), this.today());
    return { view, revision: result.revision, position: result.position };
  }
}


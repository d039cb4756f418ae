import { type Decider, DomainError } from '@crm/decider';
import {
  addHours,
  checkHours,
  type Entitlements,
  type EntitlementsInput,
  type EntitlementUsage,
  exhaustionOf,
  noUsage,
  normaliseEntitlements,
  type TicketCoverage,
} from './entitlement';
import { addDays, checkDate } from './maintenance-schedule';

/** Tiers offered by default; a tenant may use any other lower-case name (the SLA policies match on it). */
export const DEFAULT_CONTRACT_TIERS = ['standard', 'premium', 'vip'] as const;
export const DEFAULT_CONTRACT_TIER = 'standard';
/** The tier that makes a customer's assets follow the VIP maintenance cadence. */
export const VIP_TIER = 'vip';
export const DEFAULT_RENEWAL_REMINDER_OFFSETS_DAYS = [90, 30];

export interface ContractCustomer {
  contactId: string | null;
  companyId: string | null;
}

export interface ServiceContractFields {
  customer: ContractCustomer;
  tier: string;
  /** First and last day of cover, both included. */
  startDate: string;
  endDate: string;
  coveredAssetIds: string[];
  entitlements: Entitlements;
  /** Days before the end date on which a renewal reminder falls due, largest first. */
  renewalReminderOffsetsDays: number[];
}

export interface ServiceContractInput {
  customer?: { contactId?: string | null; companyId?: string | null };
  tier?: string;
  startDate?: string;
  endDate?: string;
  coveredAssetIds?: string[];
  entitlements?: EntitlementsInput;
  renewalReminderOffsetsDays?: number[];
}

export type ContractStatus = 'scheduled' | 'active' | 'expired' | 'cancelled';

export interface ServiceContractState extends ServiceContractFields {
  id: string | null;
  lifecycle: 'absent' | 'active' | 'cancelled';
  cancelledOn: string | null;
  cancellationReason: string | null;
  /** 1 for the first term, +1 per renewal; usage counts per term. */
  term: number;
  termStartDate: string;
  usage: EntitlementUsage;
  /** Every ticket recorded against the contract and how it was covered: a ticket is counted once. */
  tickets: Record<string, { coverage: TicketCoverage; reason: string | null }>;
  /** `<endDate>/<offset>` of the renewal reminders already recorded. */
  remindersSent: string[];
  relinkedFrom: string | null;
}

export type ServiceContractCommand =
  | { type: 'CreateServiceContract'; contractId: string; input: ServiceContractInput }
  | { type: 'UpdateServiceContract'; input: ServiceContractInput }
  | { type: 'RenewServiceContract'; endDate: string; entitlements?: EntitlementsInput; tier?: string }
  | { type: 'CancelServiceContract'; reason: string | null; today: string }
  | { type: 'RecordContractTicket'; ticketId: string; openedOn: string }
  | { type: 'RecordContractHours'; consumptionId: string; ticketId: string; hours: string; on: string }
  | { type: 'RecordRenewalDue'; endDate: string; offsetDays: number }
  | { type: 'RelinkContractCustomer'; fromContactId: string; toContactId: string; reason: 'merged' | 'unmerged' };

export type ServiceContractEvent =
  | { type: 'ServiceContractCreated'; data: { contractId: string } & ServiceContractFields }
  | { type: 'ServiceContractTierChanged'; data: { contractId: string; tier: string } }
  | { type: 'ServiceContractStartDateChanged'; data: { contractId: string; startDate: string } }
  | { type: 'ServiceContractCoveredAssetsChanged'; data: { contractId: string; coveredAssetIds: string[] } }
  | { type: 'ServiceContractEntitlementsChanged'; data: { contractId: string; entitlements: Entitlements } }
  | { type: 'ServiceContractRemindersChanged'; data: { contractId: string; renewalReminderOffsetsDays: number[] } }
  | {
      type: 'ServiceContractRenewed';
      data: { contractId: string; previousEndDate: string; endDate: string; term: number; termStartDate: string; entitlements: Entitlements; tier: string };
    }
  | { type: 'ServiceContractCancelled'; data: { contractId: string; cancelledOn: string; reason: string | null } }
  | { type: 'ContractTicketRecorded'; data: { contractId: string; ticketId: string; openedOn: string; coverage: TicketCoverage; reason: string | null; term: number } }
  | { type: 'ContractHoursConsumed'; data: { contractId: string; consumptionId: string; ticketId: string; hours: string; on: string; term: number } }
  | { type: 'ContractRenewalDue'; data: { contractId: string; endDate: string; offsetDays: number; dueOn: string } }
  | {
      type: 'ServiceContractCustomerRelinked';
      data: { contractId: string; fromContactId: string; toContactId: string; reason: 'merged' | 'unmerged' };
    };

const MAX_COVERED_ASSETS = 500;
const MAX_REMINDERS = 10;
const MAX_REMINDER_OFFSET_DAYS = 3650;
const TIER = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

export function normaliseTier(tier: string | undefined): string {
  const value = (tier ?? DEFAULT_CONTRACT_TIER).trim().toLowerCase();
  if (!TIER.test(value)) throw invalid('tier', `lower-case letters, digits, - or _ (at most 32), e.g. ${DEFAULT_CONTRACT_TIERS.join(', ')}`);
  return value;
}

function normaliseCustomer(customer: ServiceContractInput['customer']): ContractCustomer {
  const contactId = customer?.contactId || null;
  const companyId = customer?.companyId || null;
  if (!contactId && !companyId) throw invalid('customer', 'needs a contactId or a companyId');
  return { contactId, companyId };
}

function normaliseAssetIds(ids: string[] | undefined): string[] {
  const unique = [...new Set(ids ?? [])];
  if (unique.length > MAX_COVERED_ASSETS) throw invalid('coveredAssetIds', `at most ${MAX_COVERED_ASSETS}`);
  return unique;
}

function normaliseOffsets(offsets: number[] | undefined): number[] {
  const values = offsets ?? DEFAULT_RENEWAL_REMINDER_OFFSETS_DAYS;
  if (values.length > MAX_REMINDERS) throw invalid('renewalReminderOffsetsDays', `at most ${MAX_REMINDERS} reminders`);
  for (const offset of values) {
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_REMINDER_OFFSET_DAYS) {
      throw invalid('renewalReminderOffsetsDays', `whole numbers of days from 0 to ${MAX_REMINDER_OFFSET_DAYS}`);
    }
  }
  return [...new Set(values)].sort((left, right) => right - left);
}

function checkPeriod(startDate: string, endDate: string): void {
  if (endDate < startDate) throw invalid('endDate', 'must not be before the start date');
}

/** A contract's standing on a day: cancellation wins, then the dates. */
export function contractStatusOn(contract: { startDate: string; endDate: string; cancelledOn: string | null }, date: string): ContractStatus {
  if (contract.cancelledOn && contract.cancelledOn <= date) return 'cancelled';
  if (contract.endDate < date) return 'expired';
  if (contract.startDate > date) return 'scheduled';
  return 'active';
}

export interface RenewalReminder {
  offsetDays: number;
  dueOn: string;
}

/**
 * The renewal reminders still to send for a contract ending on `endDate`, as seen on `today`. Reminders
 * whose day is still ahead are all kept; of those already past, only the one closest to the end date is
 * kept (it falls due at once), so a contract entered late does not send every missed reminder in a row.
 * A contract that has already ended gets none.
 */
export function renewalRemindersToSchedule(endDate: string, offsets: number[], today: string): RenewalReminder[] {
  if (endDate < today) return [];
  const reminders = offsets.map((offsetDays) => ({ offsetDays, dueOn: addDays(endDate, -offsetDays) }));
  const ahead = reminders.filter((reminder) => reminder.dueOn >= today);
  const past = reminders.filter((reminder) => reminder.dueOn < today).sort((left, right) => left.offsetDays - right.offsetDays);
  return past.length > 0 ? [past[0], ...ahead] : ahead;
}

export const reminderKey = (endDate: string, offsetDays: number): string => `${endDate}/${offsetDays}`;

function assertActive(state: ServiceContractState): void {
  if (state.lifecycle === 'cancelled') throw new DomainError('conflict', `The contract was cancelled on ${state.cancelledOn}`);
}

function decide(command: ServiceContractCommand, state: ServiceContractState): ServiceContractEvent[] {
  if (command.type === 'CreateServiceContract') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Service contract ${command.contractId} already exists`);
    const { input } = command;
    const startDate = checkDate(input.startDate, 'startDate');
    const endDate = checkDate(input.endDate, 'endDate');
    checkPeriod(startDate, endDate);
    return [
      {
        type: 'ServiceContractCreated',
        data: {
          contractId: command.contractId,
          customer: normaliseCustomer(input.customer),
          tier: normaliseTier(input.tier),
          startDate,
          endDate,
          coveredAssetIds: normaliseAssetIds(input.coveredAssetIds),
          entitlements: normaliseEntitlements(input.entitlements),
          renewalReminderOffsetsDays: normaliseOffsets(input.renewalReminderOffsetsDays),
        },
      },
    ];
  }
  if (state.lifecycle === 'absent' || !state.id) throw new DomainError('not_found', 'Service contract not found');
  const contractId = state.id;
  switch (command.type) {
    case 'UpdateServiceContract': {
      const { input } = command;
      if (input.customer !== undefined) throw invalid('customer', 'cannot change: create a contract for the other customer');
      if (input.endDate !== undefined) throw invalid('endDate', 'cannot change here: renew the contract');
      const events: ServiceContractEvent[] = [];
      if (input.tier !== undefined && normaliseTier(input.tier) !== state.tier) {
        events.push({ type: 'ServiceContractTierChanged', data: { contractId, tier: normaliseTier(input.tier) } });
      }
      if (input.startDate !== undefined && checkDate(input.startDate, 'startDate') !== state.startDate) {
        checkPeriod(input.startDate, state.endDate);
        events.push({ type: 'ServiceContractStartDateChanged', data: { contractId, startDate: input.startDate } });
      }
      if (input.coveredAssetIds !== undefined) {
        const ids = normaliseAssetIds(input.coveredAssetIds);
        if (JSON.stringify(ids) !== JSON.stringify(state.coveredAssetIds)) events.push({ type: 'ServiceContractCoveredAssetsChanged', data: { contractId, coveredAssetIds: ids } });
      }
      if (input.entitlements !== undefined) {
        const entitlements = normaliseEntitlements(input.entitlements);
        if (entitlements.hours !== state.entitlements.hours || entitlements.tickets !== state.entitlements.tickets) {
          events.push({ type: 'ServiceContractEntitlementsChanged', data: { contractId, entitlements } });
        }
      }
      if (input.renewalReminderOffsetsDays !== undefined) {
        const offsets = normaliseOffsets(input.renewalReminderOffsetsDays);
        if (JSON.stringify(offsets) !== JSON.stringify(state.renewalReminderOffsetsDays)) {
          events.push({ type: 'ServiceContractRemindersChanged', data: { contractId, renewalReminderOffsetsDays: offsets } });
        }
      }
      if (events.length > 0) assertActive(state);
      return events;
    }
    case 'RenewServiceContract': {
      assertActive(state);
      const endDate = checkDate(command.endDate, 'endDate');
      if (endDate <= state.endDate) throw invalid('endDate', `must be after the current end date ${state.endDate}`);
      return [
        {
          type: 'ServiceContractRenewed',
          data: {
            contractId,
            previousEndDate: state.endDate,
            endDate,
            term: state.term + 1,
            termStartDate: addDays(state.endDate, 1),
            entitlements: command.entitlements === undefined ? state.entitlements : normaliseEntitlements(command.entitlements),
            tier: command.tier === undefined ? state.tier : normaliseTier(command.tier),
          },
        },
      ];
    }
    case 'CancelServiceContract': {
      if (state.lifecycle === 'cancelled') return [];
      const reason = command.reason?.trim() || null;
      if (reason && reason.length > 1000) throw invalid('reason', 'at most 1000 characters');
      return [{ type: 'ServiceContractCancelled', data: { contractId, cancelledOn: checkDate(command.today, 'today'), reason } }];
    }
    case 'RecordContractTicket': {
      if (state.tickets[command.ticketId]) return [];
      const openedOn = checkDate(command.openedOn, 'openedOn');
      const status = contractStatusOn(state, openedOn);
      if (status === 'scheduled') throw new DomainError('conflict', `The contract starts on ${state.startDate}`);
      const record = (coverage: TicketCoverage, reason: string | null): ServiceContractEvent[] => [
        { type: 'ContractTicketRecorded', data: { contractId, ticketId: command.ticketId, openedOn, coverage, reason, term: state.term } },
      ];
      if (status === 'cancelled') return record('contract_expired', `the service contract was cancelled on ${state.cancelledOn}`);
      if (status === 'expired') return record('contract_expired', `the service contract ended on ${state.endDate}`);
      const exhausted = exhaustionOf(state.entitlements, state.usage);
      return exhausted ? record('entitlement_exhausted', exhausted) : record('covered', null);
    }
    case 'RecordContractHours': {
      assertActive(state);
      const on = checkDate(command.on, 'on');
      const status = contractStatusOn(state, on);
      if (status !== 'active') {
        throw new DomainError('conflict', status === 'expired' ? `The contract ended on ${state.endDate}` : `The contract starts on ${state.startDate}`);
      }
      const hours = checkHours(command.hours, 'hours', { allowZero: false });
      return [{ type: 'ContractHoursConsumed', data: { contractId, consumptionId: command.consumptionId, ticketId: command.ticketId, hours, on, term: state.term } }];
    }
    case 'RecordRenewalDue': {
      // Fired timers are ignored once handled, after a cancellation, and when a renewal moved the end date on.
      if (state.lifecycle === 'cancelled' || command.endDate !== state.endDate) return [];
      if (state.remindersSent.includes(reminderKey(command.endDate, command.offsetDays))) return [];
      return [{ type: 'ContractRenewalDue', data: { contractId, endDate: command.endDate, offsetDays: command.offsetDays, dueOn: addDays(command.endDate, -command.offsetDays) } }];
    }
    case 'RelinkContractCustomer':
      if (state.customer.contactId !== command.fromContactId || command.fromContactId === command.toContactId) return [];
      return [{ type: 'ServiceContractCustomerRelinked', data: { contractId, fromContactId: command.fromContactId, toContactId: command.toContactId, reason: command.reason } }];
  }
}

function evolve(state: ServiceContractState, event: ServiceContractEvent): ServiceContractState {
  switch (event.type) {
    case 'ServiceContractCreated': {
      const { contractId, ...fields } = event.data;
      return { ...initialState(), ...fields, id: contractId, lifecycle: 'active', termStartDate: fields.startDate };
    }
    case 'ServiceContractTierChanged':
      return { ...state, tier: event.data.tier };
    case 'ServiceContractStartDateChanged':
      return { ...state, startDate: event.data.startDate, termStartDate: state.term === 1 ? event.data.startDate : state.termStartDate };
    case 'ServiceContractCoveredAssetsChanged':
      return { ...state, coveredAssetIds: event.data.coveredAssetIds };
    case 'ServiceContractEntitlementsChanged':
      return { ...state, entitlements: event.data.entitlements };
    case 'ServiceContractRemindersChanged':
      return { ...state, renewalReminderOffsetsDays: event.data.renewalReminderOffsetsDays };
    case 'ServiceContractRenewed':
      return {
        ...state,
        endDate: event.data.endDate,
        term: event.data.term,
        termStartDate: event.data.termStartDate,
        entitlements: event.data.entitlements,
        tier: event.data.tier,
        usage: noUsage(),
      };
    case 'ServiceContractCancelled':
      return { ...state, lifecycle: 'cancelled', cancelledOn: event.data.cancelledOn, cancellationReason: event.data.reason };
    case 'ContractTicketRecorded':
      return {
        ...state,
        tickets: { ...state.tickets, [event.data.ticketId]: { coverage: event.data.coverage, reason: event.data.reason } },
        usage: event.data.coverage === 'covered' && event.data.term === state.term ? { ...state.usage, tickets: state.usage.tickets + 1 } : state.usage,
      };
    case 'ContractHoursConsumed':
      return event.data.term === state.term ? { ...state, usage: { ...state.usage, hours: addHours(state.usage.hours, event.data.hours) } } : state;
    case 'ContractRenewalDue':
      return { ...state, remindersSent: [...state.remindersSent, reminderKey(event.data.endDate, event.data.offsetDays)] };
    case 'ServiceContractCustomerRelinked':
      return {
        ...state,
        customer: { ...state.customer, contactId: event.data.toContactId },
        relinkedFrom: event.data.reason === 'merged' ? event.data.fromContactId : null,
      };
    default:
      return state;
  }
}

function initialState(): ServiceContractState {
  return {
    id: null,
    lifecycle: 'absent',
    customer: { contactId: null, companyId: null },
    tier: DEFAULT_CONTRACT_TIER,
    startDate: '',
    endDate: '',
    coveredAssetIds: [],
    entitlements: { hours: null, tickets: null },
    renewalReminderOffsetsDays: [],
    cancelledOn: null,
    cancellationReason: null,
    term: 1,
    termStartDate: '',
    usage: noUsage(),
    tickets: {},
    remindersSent: [],
    relinkedFrom: null,
  };
}

export const serviceContractDecider: Decider<ServiceContractCommand, ServiceContractState, ServiceContractEvent> = { initialState, decide, evolve };

export const SERVICE_CONTRACT_FIELDS_BY_EVENT: Record<ServiceContractEvent['type'], string[]> = {
  ServiceContractCreated: [],
  ServiceContractTierChanged: ['tier'],
  ServiceContractStartDateChanged: ['startDate'],
  ServiceContractCoveredAssetsChanged: ['coveredAssetIds'],
  ServiceContractEntitlementsChanged: ['entitlements'],
  ServiceContractRemindersChanged: ['renewalReminderOffsetsDays'],
  ServiceContractRenewed: ['endDate', 'term', 'entitlements', 'tier', 'usage'],
  ServiceContractCancelled: ['status'],
  ContractTicketRecorded: ['usage'],
  ContractHoursConsumed: ['usage'],
  ContractRenewalDue: ['renewalReminders'],
  ServiceContractCustomerRelinked: ['customer'],
};

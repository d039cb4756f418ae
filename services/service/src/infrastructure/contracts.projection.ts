import type { RecordedEvent } from '@crm/eventstore';
import { applyOnce, type Projection, type ReadStore } from '@crm/readstore';
import {
  CONTRACT_TICKETS_COLLECTION,
  type ContractDocument,
  type ContractTicketDocument,
  CONTRACTS_COLLECTION,
  CONTRACTS_PROJECTION,
  documentId,
  renewalReminderTimers,
  ticketCoverageTimers,
} from '../application/customer-care-read-models';
import type { RenewalReminderPayload, TicketCoveragePayload } from '../application/customer-care-timer-handlers';
import { startOfDateUtc, utcDateOf } from '../domain/maintenance-schedule';
import {
  reminderKey,
  renewalRemindersToSchedule,
  serviceContractDecider,
  type ServiceContractEvent,
  type ServiceContractState,
} from '../domain/service-contract';
import { parseStreamName } from '../domain/streams';
import type { TicketOpenedData } from '../domain/ticket';

const CONTRACT_EVENT_TYPES: ServiceContractEvent['type'][] = [
  'ServiceContractCreated',
  'ServiceContractTierChanged',
  'ServiceContractStartDateChanged',
  'ServiceContractCoveredAssetsChanged',
  'ServiceContractEntitlementsChanged',
  'ServiceContractRemindersChanged',
  'ServiceContractRenewed',
  'ServiceContractCancelled',
  'ContractTicketRecorded',
  'ContractHoursConsumed',
  'ContractRenewalDue',
  'ServiceContractCustomerRelinked',
];

/** Events that move the renewal reminders: the end date, the offsets, or the contract's life. */
const REMINDER_EVENTS = new Set<string>(['ServiceContractCreated', 'ServiceContractRenewed', 'ServiceContractRemindersChanged', 'ServiceContractCancelled']);

export const renewalTimerKey = (tenantId: string, contractId: string, offsetDays: number): string => `${tenantId}:contract:${contractId}:renewal:${offsetDays}`;
export const coverageTimerKey = (tenantId: string, ticketId: string): string => `${tenantId}:ticket:${ticketId}:coverage`;

/** The decider state kept in the list document (without the per-ticket map, which only the stream needs). */
function stateOf(document: ContractDocument | null): ServiceContractState {
  if (!document) return serviceContractDecider.initialState();
  return {
    id: document.id,
    lifecycle: document.cancelledOn ? 'cancelled' : 'active',
    customer: document.customer,
    tier: document.tier,
    startDate: document.startDate,
    endDate: document.endDate,
    coveredAssetIds: document.coveredAssetIds,
    entitlements: document.entitlements,
    renewalReminderOffsetsDays: document.renewalReminderOffsetsDays,
    cancelledOn: document.cancelledOn,
    cancellationReason: document.cancellationReason,
    term: document.term,
    termStartDate: document.termStartDate,
    usage: document.usage,
    tickets: {},
    remindersSent: document.remindersSent,
    relinkedFrom: document.relinkedFrom,
  };
}

function documentFields(state: ServiceContractState, tenantId: string, event: RecordedEvent, previous: ContractDocument | null): Omit<ContractDocument, '_id'> {
  return {
    tenantId,
    id: state.id as string,
    customer: state.customer,
    customerIds: [state.customer.contactId, state.customer.companyId].filter((id): id is string => Boolean(id)),
    tier: state.tier,
    startDate: state.startDate,
    endDate: state.endDate,
    coveredAssetIds: state.coveredAssetIds,
    entitlements: state.entitlements,
    renewalReminderOffsetsDays: state.renewalReminderOffsetsDays,
    cancelledOn: state.cancelledOn,
    cancellationReason: state.cancellationReason,
    term: state.term,
    termStartDate: state.termStartDate,
    usage: state.usage,
    remindersSent: state.remindersSent,
    relinkedFrom: state.relinkedFrom,
    revision: event.revision,
    createdAt: previous?.createdAt ?? event.metadata.occurredAt,
    updatedAt: event.metadata.occurredAt,
  };
}

/**
 * (Re)arms the renewal reminders of a contract after a change of its end date, offsets or life: one
 * timer per offset, keyed by offset, so a renewal moves them and a cancellation removes them. "Today" is
 * the day of the event, so a rebuild arms the same timers the live run did.
 */
async function armRenewalReminders(store: ReadStore, tenantId: string, state: ServiceContractState, previous: ContractDocument | null, event: RecordedEvent): Promise<void> {
  const contractId = state.id as string;
  const wanted =
    state.lifecycle === 'cancelled'
      ? []
      : renewalRemindersToSchedule(state.endDate, state.renewalReminderOffsetsDays, utcDateOf(event.metadata.occurredAt)).filter(
          (reminder) => !state.remindersSent.includes(reminderKey(state.endDate, reminder.offsetDays)),
        );
  const offsets = new Set([...(previous?.renewalReminderOffsetsDays ?? []), ...state.renewalReminderOffsetsDays]);
  for (const offsetDays of offsets) {
    if (!wanted.some((reminder) => reminder.offsetDays === offsetDays)) await renewalReminderTimers.cancel(store, renewalTimerKey(tenantId, contractId, offsetDays), event.position);
  }
  for (const reminder of wanted) {
    const payload: RenewalReminderPayload = { contractId, endDate: state.endDate, offsetDays: reminder.offsetDays };
    await renewalReminderTimers.schedule(
      store,
      { key: renewalTimerKey(tenantId, contractId, reminder.offsetDays), tenantId, dueAt: startOfDateUtc(reminder.dueOn), payload: { ...payload } },
      event.position,
    );
  }
}

async function applyContractEvent(event: RecordedEvent, store: ReadStore, tenantId: string, contractId: string): Promise<void> {
  const contracts = store.collection<ContractDocument>(CONTRACTS_COLLECTION);
  const id = documentId(tenantId, contractId);
  const previous = await contracts.findOne({ _id: id });
  if (previous && (previous._position as number) >= event.position) return;
  const state = serviceContractDecider.evolve(stateOf(previous), { type: event.type, data: event.data } as ServiceContractEvent);
  // Side collections first, the contract document last: a redelivery after a crash redoes them all.
  if (REMINDER_EVENTS.has(event.type)) await armRenewalReminders(store, tenantId, state, previous, event);
  if (event.type === 'ContractRenewalDue') {
    const { offsetDays } = event.data as { offsetDays: number };
    await renewalReminderTimers.cancel(store, renewalTimerKey(tenantId, contractId, offsetDays), event.position);
  }
  if (event.type === 'ContractTicketRecorded') {
    const { ticketId, coverage } = event.data as { ticketId: string; coverage: ContractTicketDocument['coverage'] };
    await applyOnce(store.collection<ContractTicketDocument>(CONTRACT_TICKETS_COLLECTION), documentId(tenantId, ticketId), event.position, {
      $set: { tenantId, ticketId, contractId, coverage },
    });
  }
  await applyOnce(contracts, id, event.position, { $set: documentFields(state, tenantId, event, previous) });
}

/**
 * A ticket opened for a customer who has (or had) a service contract: check it against the contract
 * right away (see CustomerCareTimerHandlers.ticketOpened). Customers without any contract, most tickets
 * of most tenants, cost one indexed read here and no timer.
 */
async function scheduleCoverageCheck(event: RecordedEvent, store: ReadStore, tenantId: string): Promise<void> {
  const ticket = event.data as TicketOpenedData;
  // Proactive maintenance is the provider's initiative: it neither uses the customer's entitlement nor gets flagged.
  if (ticket.maintenanceOf) return;
  const customerIds = [ticket.requesterContactId, ticket.companyId].filter((id): id is string => Boolean(id));
  if (customerIds.length === 0) return;
  const [contract] = await store.collection<ContractDocument>(CONTRACTS_COLLECTION).find({ tenantId, customerIds: { $in: customerIds } }, { limit: 1, projection: { _id: 1 } });
  if (!contract) return;
  const payload: TicketCoveragePayload = {
    ticketId: ticket.ticketId,
    openedAt: event.metadata.occurredAt,
    requesterContactId: ticket.requesterContactId,
    companyId: ticket.companyId,
  };
  await ticketCoverageTimers.schedule(store, { key: coverageTimerKey(tenantId, ticket.ticketId), tenantId, dueAt: event.metadata.occurredAt, payload: { ...payload } }, event.position);
}

/**
 * The service-contract list and lookups (`service_contracts_v1`), which contract each ticket was
 * recorded against, the renewal reminder timers, and the coverage check of each new ticket.
 */
export function contractsProjection(): Projection {
  return {
    name: CONTRACTS_PROJECTION,
    filter: { eventTypes: [...CONTRACT_EVENT_TYPES, 'TicketOpened'] },
    indexes: {
      [CONTRACTS_COLLECTION]: [{ keys: { tenantId: 1, createdAt: -1 } }, { keys: { tenantId: 1, customerIds: 1 } }, { keys: { tenantId: 1, endDate: 1 } }],
      [CONTRACT_TICKETS_COLLECTION]: [{ keys: { tenantId: 1, contractId: 1 } }],
      [renewalReminderTimers.collectionName]: renewalReminderTimers.indexes,
      [ticketCoverageTimers.collectionName]: ticketCoverageTimers.indexes,
    },
    async apply(event, store) {
      const stream = parseStreamName(event.streamName);
      if (!stream) return;
      if (stream.kind === 'servicecontract') await applyContractEvent(event, store, stream.tenantId, stream.id);
      else if (stream.kind === 'ticket' && event.type === 'TicketOpened') await scheduleCoverageCheck(event, store, stream.tenantId);
    },
  };
}

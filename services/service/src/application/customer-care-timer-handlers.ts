import type { ReadStore } from '@crm/readstore';
import type { DueTimer } from '@crm/runtime';
import { utcDateOf } from '../domain/maintenance-schedule';
import { CONTRACT_TICKETS_COLLECTION, type ContractTicketDocument, documentId } from './customer-care-read-models';
import type { CustomerCareTicketDesk, TicketFacts } from './customer-care-ticket-desk';
import { systemContext } from './maintenance.service';
import type { ServiceContractsService } from './service-contracts.service';

/** Payload of a ticket-coverage timer, scheduled by the contracts projection when a ticket opens. */
export interface TicketCoveragePayload {
  ticketId: string;
  openedAt: string;
  requesterContactId: string | null;
  companyId: string | null;
}

export interface RenewalReminderPayload {
  contractId: string;
  endDate: string;
  offsetDays: number;
}

/** What customer care does when its timers fire (see `renewalReminderTimers`, `ticketCoverageTimers`). */
export class CustomerCareTimerHandlers {
  constructor(
    private readonly contracts: ServiceContractsService,
    private readonly readStore: ReadStore,
    private readonly ticketDesk: CustomerCareTicketDesk,
    private readonly tickets: TicketFacts,
  ) {}

  /** A renewal reminder fell due: recorded on the contract once (a stale or repeated one is ignored there). */
  readonly renewalDue = async (timer: DueTimer): Promise<void> => {
    const payload = timer.payload as unknown as RenewalReminderPayload;
    await this.contracts.recordRenewalDue(systemContext(timer.tenantId, timer.key), payload.contractId, payload.endDate, payload.offsetDays);
  };

  /**
   * A ticket opened for a customer with a contract (the contracts projection arms this check only then,
   * having applied every contract change logged before the ticket): count the ticket against the
   * contract and flag it when the contract had expired or its entitlement was used up. The contract
   * records each ticket once, and a flag is set only if the ticket never carried it, so a repeated
   * delivery neither counts twice nor flags twice (nor brings back a flag an agent removed).
   */
  readonly ticketOpened = async (timer: DueTimer): Promise<void> => {
    const payload = timer.payload as unknown as TicketCoveragePayload;
    const tenantId = timer.tenantId;
    const openedOn = utcDateOf(payload.openedAt);
    const recorded = await this.readStore.collection<ContractTicketDocument>(CONTRACT_TICKETS_COLLECTION).findOne({ _id: documentId(tenantId, payload.ticketId) });
    const contractId =
      recorded?.contractId ?? (await this.contracts.contractForTicket(tenantId, { contactId: payload.requesterContactId, companyId: payload.companyId }, openedOn));
    if (!contractId) return;
    const context = systemContext(tenantId, timer.key);
    const contract = await this.contracts.recordTicket(context, contractId, payload.ticketId, openedOn);
    const outcome = contract.tickets[payload.ticketId];
    if (!outcome || outcome.coverage === 'covered') return;
    if (await this.tickets.wasEverFlagged(tenantId, payload.ticketId, outcome.coverage)) return;
    await this.ticketDesk.flag(context, payload.ticketId, outcome.coverage, outcome.reason);
  };
}

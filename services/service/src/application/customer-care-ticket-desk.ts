import { type CommandContext, DomainError } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import { ticketStream } from '../domain/streams';
import type { TicketsService } from './tickets.service';

/** A proactive maintenance ticket, opened under an id chosen beforehand so that opening it again changes nothing. */
export interface MaintenanceTicketRequest {
  ticketId: string;
  subject: string;
  description: string;
  requesterContactId: string;
  companyId: string | null;
  maintenanceOf: string;
}

/**
 * What customer care needs from the tickets feature: open a maintenance ticket, flag a ticket. Both
 * must be idempotent (the ticket decider ignores an id that exists and a flag that is set), because the
 * timers that call them deliver at least once.
 */
export interface CustomerCareTicketDesk {
  openMaintenanceTicket(context: CommandContext, request: MaintenanceTicketRequest): Promise<void>;
  flag(context: CommandContext, ticketId: string, flag: string, reason: string | null): Promise<void>;
}

export const CUSTOMER_CARE_TICKET_DESK = Symbol('CUSTOMER_CARE_TICKET_DESK');

/** The port on the tickets feature's own service. */
export class TicketsServiceDesk implements CustomerCareTicketDesk {
  constructor(private readonly tickets: Pick<TicketsService, 'open' | 'flag'>) {}

  async openMaintenanceTicket(context: CommandContext, request: MaintenanceTicketRequest): Promise<void> {
    const ticket = { channel: 'api' as const, category: 'maintenance', priority: 'normal' as const, tags: ['proactive-maintenance'], ...request };
    try {
      await this.tickets.open(context, ticket);
    } catch (error) {
      // An owner erased from contacts since: the visit is still due, so the ticket opens without a requester.
      const unknownLink = error instanceof DomainError && error.kind === 'invalid' && error.details.some((detail) => detail.field === 'requesterContactId' || detail.field === 'companyId');
      if (!unknownLink) throw error;
      await this.tickets.open(context, { ...ticket, requesterContactId: null, companyId: null });
    }
  }

  async flag(context: CommandContext, ticketId: string, flag: string, reason: string | null): Promise<void> {
    await this.tickets.flag(context, ticketId, flag, reason);
  }
}

/** Ticket facts customer care reads straight from the ticket's stream (same service, no read model needed). */
export class TicketFacts {
  constructor(private readonly store: EventStore) {}

  async exists(tenantId: string, ticketId: string): Promise<boolean> {
    const events = await this.store.readStream(ticketStream(tenantId, ticketId), { maxCount: 1 });
    return events.length > 0;
  }

  /**
   * Whether the ticket ever carried `flag`: an agent who removed a flag customer care set must not see it
   * come back when a coverage check runs again (a redelivered timer, a rebuilt projection).
   */
  async wasEverFlagged(tenantId: string, ticketId: string, flag: string): Promise<boolean> {
    const events = await this.store.readStream(ticketStream(tenantId, ticketId));
    return events.some((event) => event.type === 'TicketFlagged' && (event.data as { flag?: string }).flag === flag);
  }
}

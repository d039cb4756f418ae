import type { CommandContext } from '@crm/decider';
import type { SlaPriority } from '../domain/sla-clock';

/**
 * The ticket commands escalation rules use, as the tickets feature offers them (TicketsService): the
 * SLA engine changes tickets only through their own decider, never by writing to a ticket stream.
 */
export interface SlaTicketActions {
  changePriority(context: CommandContext, ticketId: string, priority: SlaPriority, reason: string): Promise<unknown>;
  assign(context: CommandContext, ticketId: string, assignment: { queueId: string; assigneeId: string | null; method: 'escalation' }): Promise<unknown>;
}

export const SLA_TICKET_ACTIONS = Symbol('SLA_TICKET_ACTIONS');

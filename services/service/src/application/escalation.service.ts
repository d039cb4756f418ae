import { DomainError, type EventSourcedCommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import { nextPriority } from '../domain/escalation-rule';
import { slaTicketView } from '../domain/sla-clock';
import { ticketSlaStream, ticketStream } from '../domain/streams';
import type { PendingEscalationAction, TicketSlaCommand, TicketSlaEvent, TicketSlaState } from '../domain/ticket-sla';
import { slaSystemContext, ticketFactsFrom } from './sla.service';
import type { SlaTicketActions } from './sla-ticket-actions';

/** The reason an escalation writes on the ticket: it also tells a retry that the change is already made. */
export const escalationReason = (actionKey: string): string => `SLA escalation ${actionKey}`;

/**
 * Carries out the ticket actions of escalation rules. Which rules a warning or breach triggered is decided
 * with the announcement itself (`SlaEscalationTriggered`, in the same append; notifications go out from that
 * event); each ticket action is then carried out through the tickets feature and recorded
 * (`SlaEscalationActionApplied`), so a crash in between repeats at most the one action, which checks first.
 */
export class EscalationService {
  constructor(
    private readonly store: EventStore,
    private readonly slas: EventSourcedCommandHandler<TicketSlaCommand, TicketSlaState, TicketSlaEvent>,
    private readonly tickets: SlaTicketActions,
  ) {}

  async run(tenantId: string, ticketId: string, now: Date): Promise<void> {
    const streamName = ticketSlaStream(tenantId, ticketId);
    const context = slaSystemContext(tenantId, ticketId, `sla-escalation-${ticketId}`, now);
    const { state } = await this.slas.load(streamName);
    for (const action of state.escalation.pending) {
      const { outcome, detail } = await this.perform(tenantId, ticketId, action, now);
      await this.slas.handle(streamName, { type: 'RecordEscalationAction', ticketId, key: action.key, outcome, detail }, context);
    }
  }

  private async perform(tenantId: string, ticketId: string, pending: PendingEscalationAction, now: Date): Promise<{ outcome: 'applied' | 'skipped'; detail: string | null }> {
    const context = slaSystemContext(tenantId, ticketId, `sla-escalation-${pending.key}`, now);
    const reason = escalationReason(pending.key);
    const events = await this.store.readStream(ticketStream(tenantId, ticketId));
    try {
      if (pending.action.type === 'raise_priority') {
        // Done before a crash cut the recording short: the ticket says so with this action's reason.
        if (events.some((event) => event.type === 'TicketPriorityChanged' && (event.data as { reason?: string }).reason === reason)) return { outcome: 'applied', detail: null };
        const ticket = slaTicketView(ticketFactsFrom(events));
        const raised = ticket ? nextPriority(ticket.priority) : null;
        if (!raised) return { outcome: 'skipped', detail: 'the ticket is already urgent' };
        await this.tickets.changePriority(context, ticketId, raised, reason);
        return { outcome: 'applied', detail: `priority raised to ${raised}` };
      }
      // Reassigning to the same queue and agent again is harmless, so a repeat after a crash needs no check.
      await this.tickets.assign(context, ticketId, { queueId: pending.action.queueId, assigneeId: pending.action.assigneeId, method: 'escalation' });
      return { outcome: 'applied', detail: `reassigned to queue ${pending.action.queueId}${pending.action.assigneeId ? ` and agent ${pending.action.assigneeId}` : ''}` };
    } catch (error) {
      // The ticket refused (closed, unknown queue…): recorded as skipped, not retried forever.
      if (error instanceof DomainError) return { outcome: 'skipped', detail: error.message };
      throw error;
    }
  }
}

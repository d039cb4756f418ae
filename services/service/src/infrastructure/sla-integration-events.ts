import { integrationEventFrom, integrationEventId, type OutgoingIntegrationEvent } from '@crm/bus';
import {
  SERVICE_DESK_SOURCE,
  SLA_EVENT_SCHEMAS,
  SLA_TOPIC,
  type SlaBreachJson,
  type SlaChange,
  type SlaEscalationNoticeJson,
  slaEventType,
  type SlaTargetMetJson,
  type SlaWarningJson,
} from '@crm/contracts';
import type { RecordedEvent } from '@crm/eventstore';
import { parseStreamName } from '../domain/streams';
import type { TicketSlaEvent } from '../domain/ticket-sla';

function outgoing<Data>(recorded: RecordedEvent, change: SlaChange, ticketId: string, data: Data, discriminator?: string): OutgoingIntegrationEvent {
  const event = integrationEventFrom(recorded, { source: SERVICE_DESK_SOURCE, type: slaEventType(change), dataschema: SLA_EVENT_SCHEMAS[change], subject: ticketId, data });
  // Several notices from one domain event need ids of their own, as deterministic as the envelope's.
  if (discriminator) event.id = integrationEventId(recorded.eventId, `${event.type}/${discriminator}`);
  return { topic: SLA_TOPIC, event };
}

/**
 * Announces the SLA clock on `crm.service.sla.v1`: warnings, breaches and targets met (with the queue and
 * agent, so analytics compute compliance from the messages alone) and the `notify` actions of escalation rules.
 */
export function mapSlaIntegrationEvents(recorded: RecordedEvent): OutgoingIntegrationEvent[] {
  const stream = parseStreamName(recorded.streamName);
  if (stream?.kind !== 'ticketsla') return [];
  const event = { type: recorded.type, data: recorded.data } as TicketSlaEvent;
  const occurredAt = recorded.metadata.occurredAt;
  const common = (data: { ticketId: string; metric: string; policyId: string | null; priority: string; queueId: string | null; assigneeId: string | null }) => ({
    ticketId: data.ticketId,
    metric: data.metric,
    policyId: data.policyId ?? '',
    priority: data.priority,
    queueId: data.queueId ?? '',
    assigneeId: data.assigneeId ?? '',
    occurredAt,
  });
  switch (event.type) {
    case 'SlaWarningIssued': {
      const data: SlaWarningJson = {
        ...common(event.data),
        warningAt: event.data.warningAt,
        targetAt: event.data.targetAt ?? '',
        targetMinutes: event.data.targetMinutes ?? 0,
        elapsedMinutes: event.data.elapsedMinutes,
      };
      return [outgoing(recorded, 'warning', event.data.ticketId, data)];
    }
    case 'SlaBreached': {
      const data: SlaBreachJson = { ...common(event.data), targetAt: event.data.targetAt, targetMinutes: event.data.targetMinutes ?? 0, elapsedMinutes: event.data.elapsedMinutes };
      return [outgoing(recorded, 'breached', event.data.ticketId, data)];
    }
    case 'SlaTargetMet': {
      const data: SlaTargetMetJson = { ...common(event.data), stoppedAt: event.data.stoppedAt, targetMinutes: event.data.targetMinutes ?? 0, elapsedMinutes: event.data.elapsedMinutes };
      return [outgoing(recorded, 'met', event.data.ticketId, data)];
    }
    case 'SlaEscalationTriggered': {
      const { ticketId, trigger, ticket, rules } = event.data;
      return rules.flatMap((rule) =>
        rule.actions.flatMap((action, index) => {
          if (action.type !== 'notify') return [];
          const data: SlaEscalationNoticeJson = {
            ticketId,
            ruleId: rule.ruleId,
            ruleName: rule.ruleName,
            trigger: trigger.on,
            metric: trigger.metric,
            target: action.target,
            priority: ticket.priority,
            queueId: ticket.queueId ?? '',
            assigneeId: ticket.assigneeId ?? '',
            occurredAt,
          };
          return [outgoing(recorded, 'escalated', ticketId, data, `${rule.ruleId}/${index}`)];
        }),
      );
    }
    default:
      return [];
  }
}

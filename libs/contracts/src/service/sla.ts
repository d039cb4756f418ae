// Topic names, CloudEvents types and schema references of the service desk's sla events (see topics.ts for the naming rules); the source is SERVICE_DESK_SOURCE (tickets.ts).

/** SLA warnings, breaches, targets met and escalation notices, keyed by ticket id. */
export const SLA_TOPIC = 'crm.service.sla.v1';

export type SlaChange = 'warning' | 'breached' | 'met' | 'escalated';

export const slaEventType = (change: SlaChange): string => `crm.service.sla.${change}.v1`;

const schema = (message: string) => `proto/crm/service/v1/sla_events.proto#crm.service.v1.${message}`;

export const SLA_EVENT_SCHEMAS: Record<SlaChange, string> = {
  warning: schema('SlaWarning'),
  breached: schema('SlaBreach'),
  met: schema('SlaTargetMet'),
  escalated: schema('SlaEscalationNotice'),
};

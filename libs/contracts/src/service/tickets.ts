// Topic names, CloudEvents types and schema references of the service desk's ticket events (see topics.ts for the naming rules).
export const SERVICE_DESK_SOURCE = '/crm/service';

/** Tickets and their CSAT surveys, keyed by ticket id. */
export const TICKETS_TOPIC = 'crm.service.ticket.v1';

export type TicketChange = 'opened' | 'assigned' | 'status-changed' | 'solved' | 'replied' | 'csat-requested' | 'csat-received';

export const ticketEventType = (change: TicketChange): string => `crm.service.ticket.${change}.v1`;

const schema = (message: string) => `proto/crm/service/v1/ticket_events.proto#crm.service.v1.${message}`;

export const TICKET_EVENT_SCHEMAS: Record<TicketChange, string> = {
  opened: schema('TicketOpened'),
  assigned: schema('TicketAssigned'),
  'status-changed': schema('TicketStatusChanged'),
  solved: schema('TicketSolved'),
  replied: schema('TicketReplied'),
  'csat-requested': schema('TicketCsatRequested'),
  'csat-received': schema('TicketCsatReceived'),
};

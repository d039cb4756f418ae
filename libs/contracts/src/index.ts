/**
 * The only code services share about each other: topic names, CloudEvents types and the
 * message types generated from proto/ (run `npm run proto` after editing a .proto file).
 */
export * from './generated/crm/contacts/v1/contact_events_pb';
export * from './topics';
export * from './generated/crm/sales/v1/deal_events_pb';
export * from './generated/crm/sales/v1/lead_events_pb';
export * from './generated/crm/sales/v1/task_events_pb';
export * from './generated/crm/sales/v1/quote_events_pb';
export * from './sales/deals';
export * from './sales/leads';
export * from './sales/tasks';
export * from './sales/quotes';
export * from './generated/crm/service/v1/ticket_events_pb';
export * from './generated/crm/service/v1/sla_events_pb';
export * from './generated/crm/service/v1/customer_care_events_pb';
export * from './service/tickets';
export * from './service/sla';
export * from './service/customer-care';

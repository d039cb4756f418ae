/**
 * The only code services share about each other: topic names, CloudEvents types and the
 * message types generated from proto/ (run `npm run proto` after editing a .proto file).
 */
export * from './generated/crm/contacts/v1/contact_events_pb';
export * from './topics';

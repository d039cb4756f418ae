// Topic names, CloudEvents types and schema references of the service desk's customer-care events (see topics.ts for the naming rules); the source is SERVICE_DESK_SOURCE (tickets.ts).
export {};

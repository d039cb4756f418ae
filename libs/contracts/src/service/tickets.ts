// Topic names, CloudEvents types and schema references of the service desk's ticket events (see topics.ts for the naming rules).
export const SERVICE_DESK_SOURCE = '/crm/service';

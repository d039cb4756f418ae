// Topic names, CloudEvents types and schema references of the sales service's deal events (see topics.ts for the naming rules).
export const SALES_SOURCE = '/crm/sales';

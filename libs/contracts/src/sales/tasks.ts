// Topic names, CloudEvents types and schema references of the sales service's tasks events (see topics.ts for the naming rules); the source is SALES_SOURCE (deals.ts).
export {};

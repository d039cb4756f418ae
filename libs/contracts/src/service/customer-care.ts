// Topic names, CloudEvents types and schema references of the service desk's customer-care events (see topics.ts for the naming rules); the source is SERVICE_DESK_SOURCE (tickets.ts).

export const CUSTOMER_CARE_TOPICS = {
  contract: 'crm.service.contract.v1',
  asset: 'crm.service.asset.v1',
} as const;

export type ServiceContractChange = 'created' | 'renewed' | 'cancelled';

export const serviceContractEventType = (change: ServiceContractChange): string => `crm.service.contract.${change}.v1`;
export const SERVICE_CONTRACT_RENEWAL_DUE_TYPE = 'crm.service.contract.renewal_due.v1';
export const PROACTIVE_SERVICE_DUE_TYPE = 'crm.service.asset.proactive_service_due.v1';

const CUSTOMER_CARE_PROTO = 'proto/crm/service/v1/customer_care_events.proto';
export const SERVICE_CONTRACT_CHANGED_SCHEMA = `${CUSTOMER_CARE_PROTO}#crm.service.v1.ServiceContractChanged`;
export const SERVICE_CONTRACT_RENEWAL_DUE_SCHEMA = `${CUSTOMER_CARE_PROTO}#crm.service.v1.ServiceContractRenewalDue`;
export const PROACTIVE_SERVICE_DUE_SCHEMA = `${CUSTOMER_CARE_PROTO}#crm.service.v1.ProactiveServiceDue`;

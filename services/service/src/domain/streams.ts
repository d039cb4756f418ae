/**
 * Stream names carry the tenant first, so that one tenant's data can be found, exported or erased by
 * prefix, and a request for another tenant's id simply finds no stream.
 */
export const ticketStream = (tenantId: string, ticketId: string): string => `${tenantId}.ticket-${ticketId}`;
export const ticketSlaStream = (tenantId: string, ticketId: string): string => `${tenantId}.ticketsla-${ticketId}`;
export const queueStream = (tenantId: string, queueId: string): string => `${tenantId}.queue-${queueId}`;
export const agentStream = (tenantId: string, agentId: string): string => `${tenantId}.agent-${agentId}`;
export const businessCalendarStream = (tenantId: string, calendarId: string): string => `${tenantId}.calendar-${calendarId}`;
export const slaPolicyStream = (tenantId: string, policyId: string): string => `${tenantId}.slapolicy-${policyId}`;
export const escalationRuleStream = (tenantId: string, ruleId: string): string => `${tenantId}.escalationrule-${ruleId}`;
export const serviceContractStream = (tenantId: string, contractId: string): string => `${tenantId}.servicecontract-${contractId}`;
export const assetStream = (tenantId: string, assetId: string): string => `${tenantId}.asset-${assetId}`;
export const maintenanceRuleStream = (tenantId: string, ruleId: string): string => `${tenantId}.maintenancerule-${ruleId}`;

export function parseStreamName(streamName: string): { tenantId: string; kind: string; id: string } | null {
  const match = /^([a-z0-9][a-z0-9_-]*)\.([a-z]+)-(.+)$/.exec(streamName);
  return match ? { tenantId: match[1], kind: match[2], id: match[3] } : null;
}

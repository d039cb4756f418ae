/**
 * Stream names carry the tenant first, so that one tenant's data can be found, exported or erased by
 * prefix, and a request for another tenant's id simply finds no stream.
 */
export const pipelineStream = (tenantId: string, pipelineId: string): string => `${tenantId}.pipeline-${pipelineId}`;
export const dealStream = (tenantId: string, dealId: string): string => `${tenantId}.deal-${dealId}`;
export const leadStream = (tenantId: string, leadId: string): string => `${tenantId}.lead-${leadId}`;
export const webFormStream = (tenantId: string, formId: string): string => `${tenantId}.webform-${formId}`;
export const territoryStream = (tenantId: string, territoryId: string): string => `${tenantId}.territory-${territoryId}`;
export const taskStream = (tenantId: string, taskId: string): string => `${tenantId}.task-${taskId}`;
export const productStream = (tenantId: string, productId: string): string => `${tenantId}.product-${productId}`;
export const priceBookStream = (tenantId: string, priceBookId: string): string => `${tenantId}.pricebook-${priceBookId}`;
export const quoteStream = (tenantId: string, quoteId: string): string => `${tenantId}.quote-${quoteId}`;
export const orderStream = (tenantId: string, orderId: string): string => `${tenantId}.order-${orderId}`;
export const quotaStream = (tenantId: string, quotaId: string): string => `${tenantId}.quota-${quotaId}`;

export function parseStreamName(streamName: string): { tenantId: string; kind: string; id: string } | null {
  const match = /^([a-z0-9][a-z0-9_-]*)\.([a-z]+)-(.+)$/.exec(streamName);
  return match ? { tenantId: match[1], kind: match[2], id: match[3] } : null;
}

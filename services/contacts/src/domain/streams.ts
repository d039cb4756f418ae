/**
 * Stream names carry the tenant first, so that one tenant's data can be found, exported or erased
 * by prefix, and a request for another tenant's id simply finds no stream.
 */
export const contactStream = (tenantId: string, contactId: string): string => `${tenantId}.contact-${contactId}`;
export const companyStream = (tenantId: string, companyId: string): string => `${tenantId}.company-${companyId}`;

export function parseStreamName(streamName: string): { tenantId: string; kind: string; id: string } | null {
  const match = /^([a-z0-9][a-z0-9_-]*)\.([a-z]+)-(.+)$/.exec(streamName);
  return match ? { tenantId: match[1], kind: match[2], id: match[3] } : null;
}

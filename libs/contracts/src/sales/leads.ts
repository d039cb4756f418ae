// Topic names, CloudEvents types and schema references of the sales service's leads events (see topics.ts for the naming rules); the source is SALES_SOURCE (deals.ts).

/** Every lead message, keyed by lead id, so that one lead's messages stay in order. */
export const SALES_LEAD_TOPIC = 'crm.sales.lead.v1';

export type LeadChange = 'captured' | 'qualified' | 'disqualified' | 'conversion-requested' | 'converted';

export const leadEventType = (change: LeadChange): string => `crm.sales.lead.${change}.v1`;

const LEAD_PROTO = 'proto/crm/sales/v1/lead_events.proto';

export const LEAD_EVENT_SCHEMAS: Record<LeadChange, string> = {
  captured: `${LEAD_PROTO}#crm.sales.v1.LeadCaptured`,
  qualified: `${LEAD_PROTO}#crm.sales.v1.LeadQualified`,
  disqualified: `${LEAD_PROTO}#crm.sales.v1.LeadDisqualified`,
  'conversion-requested': `${LEAD_PROTO}#crm.sales.v1.LeadConversionRequested`,
  converted: `${LEAD_PROTO}#crm.sales.v1.LeadConverted`,
};

/** The `source` a contact created by a lead conversion carries: `lead:<lead id>`. */
export const leadContactSource = (leadId: string): string => `lead:${leadId}`;

/** The lead id in a contact `source` written by a conversion, or null. */
export function leadIdFromContactSource(source: string | null | undefined): string | null {
  const match = /^lead:([0-9A-Za-z_-]{1,64})$/.exec(source ?? '');
  return match ? match[1] : null;
}

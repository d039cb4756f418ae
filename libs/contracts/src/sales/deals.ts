// Topic names, CloudEvents types and schema references of the sales service's deal events (see topics.ts for the naming rules).
import type { DealChangedJson } from '../generated/crm/sales/v1/deal_events_pb';

export const SALES_SOURCE = '/crm/sales';

export const DEAL_TOPIC = 'crm.sales.deal.v1';

/** What happened to a deal; the CloudEvents type is `crm.sales.deal.<change>.v1`. */
export const DEAL_CHANGES = ['created', 'stage_changed', 'won', 'lost', 'reopened', 'updated', 'deleted'] as const;
export type DealChange = (typeof DEAL_CHANGES)[number];

export const dealEventType = (change: DealChange): string => `crm.sales.deal.${change}.v1`;

export const DEAL_CHANGED_SCHEMA = 'proto/crm/sales/v1/deal_events.proto#crm.sales.v1.DealChanged';

/** The envelope fields a deal message is recognised by (a structural subset of `IntegrationEvent`). */
export interface DealMessageLike {
  type: string;
  data: unknown;
}

/**
 * For consumers (analytics): the change a message announces and its data typed as `DealChangedJson`, or
 * null for a message that is not a deal change of this version. Unknown future changes of v1 (added
 * compatibly) come back as null too, so a consumer can skip them without failing.
 */
export function readDealChanged(message: DealMessageLike): { change: DealChange; data: DealChangedJson } | null {
  const match = /^crm\.sales\.deal\.([a-z_]+)\.v1$/.exec(message.type);
  if (!match || !(DEAL_CHANGES as readonly string[]).includes(match[1])) return null;
  if (typeof message.data !== 'object' || message.data === null) return null;
  return { change: match[1] as DealChange, data: message.data as DealChangedJson };
}

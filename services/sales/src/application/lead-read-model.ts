import type { Document, Filter, ReadStore } from '@crm/readstore';
import type { LeadState, LeadStatus } from '../domain/lead';
import { type LeadTimes, type LeadView, toLeadView } from './lead-views';

/** Versioned collection name: a new projection version builds beside the old one, then takes over. */
export const LEADS_COLLECTION = 'leads_v1';

/** A lead in the list read model: the decider state (folded with the decider's own evolve) plus what lists filter on. */
export interface LeadDocument extends Document, LeadTimes {
  tenantId: string;
  id: string;
  revision: number;
  state: LeadState;
  status: LeadStatus;
  ownerId: string | null;
  source: string | null;
  campaignId: string | null;
  /** Lower-cased names, full name, email and company name, for prefix search. */
  searchKeys: string[];
  _position: number;
}

export const leadDocumentId = (tenantId: string, leadId: string): string => `${tenantId}:${leadId}`;

export function leadSearchKeys(state: LeadState): string[] {
  return [state.firstName, state.lastName, `${state.firstName} ${state.lastName}`.trim(), state.email ?? '', state.companyName ?? '']
    .map((key) => key.trim().toLowerCase())
    .filter(Boolean);
}

export interface LeadListFilter {
  status?: LeadStatus;
  ownerId?: string;
  source?: string;
  campaignId?: string;
  /** Prefix of a name, the email or the company name; case-insensitive. */
  q?: string;
  limit?: number;
  cursor?: string;
}

export const DEFAULT_LEAD_LIMIT = 50;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Lists read from the projected collection: eventually consistent, bounded by the consistency token. */
export class LeadListQueries {
  constructor(private readonly readStore: ReadStore) {}

  async list(tenantId: string, filter: LeadListFilter): Promise<{ items: LeadView[]; nextCursor: string | null }> {
    const query: Filter = { tenantId };
    if (filter.status) query.status = filter.status;
    if (filter.ownerId) query.ownerId = filter.ownerId;
    if (filter.source) query.source = filter.source;
    if (filter.campaignId) query.campaignId = filter.campaignId;
    if (filter.q?.trim()) query.searchKeys = { $regex: `^${escapeRegex(filter.q.trim().toLowerCase())}` };
    const page = await this.readStore.collection<LeadDocument>(LEADS_COLLECTION).findPage(query, {
      sort: { createdAt: -1 },
      limit: filter.limit ?? DEFAULT_LEAD_LIMIT,
      cursor: filter.cursor,
    });
    return { items: page.items.map((document) => toLeadView(document.state, document.revision, document)), nextCursor: page.nextCursor };
  }
}

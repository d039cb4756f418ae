import { type CommandContext, DomainError, EventSourcedCommandHandler } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import type { Filter, ReadStore } from '@crm/readstore';
import { type HistoryEntry, loadView, timestamps, timestampsAfter, toHistory, type WriteResult } from '@crm/runtime';
import { createHash } from 'node:crypto';
import { parseAsOfInstant, parseForecastPeriod } from '../domain/forecast-period';
import {
  attainmentOf,
  QUOTA_FIELDS_BY_EVENT,
  type QuotaAttainment,
  type QuotaCommand,
  quotaDecider,
  type QuotaEvent,
  type QuotaInput,
  type QuotaState,
  type QuotaTarget,
} from '../domain/quota';
import { quotaStream } from '../domain/streams';
import { ForecastQueries } from './forecast.service';
import { QUOTAS_COLLECTION, type QuotaDocument } from './forecast-read-models';

export interface QuotaView {
  id: string;
  ownerId: string;
  period: string;
  amount: string;
  currency: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** A write, and whether it created the quota (PUT answers 201 then, 200 otherwise). */
export type QuotaWriteResult = WriteResult<QuotaView> & { created: boolean };

export interface QuotaListFilter {
  period?: string;
  ownerId?: string;
  limit?: number;
  cursor?: string;
}

export interface AttainmentReport {
  period: string;
  start: string;
  end: string;
  asOf: string | null;
  items: QuotaAttainment[];
}

export const DEFAULT_QUOTA_LIMIT = 50;

/**
 * The id of the quota of one owner for one period: derived from both, so that there is exactly one
 * stream per owner and period and concurrent "set" requests meet on it (optimistic concurrency).
 */
export function quotaIdFor(ownerId: string, period: string): string {
  return createHash('sha256').update(`${ownerId.trim()}\u0000${parseForecastPeriod(period).key}`).digest('base64url').slice(0, 22);
}

function toQuotaView(state: QuotaState, revision: number, times: { createdAt: string; updatedAt: string }): QuotaView {
  return {
    id: state.quotaId as string,
    ownerId: state.ownerId as string,
    period: state.period as string,
    amount: state.amount as string,
    currency: state.currency as string,
    revision,
    ...times,
  };
}

/** The creation instant of the quota's current life (a quota deleted and set again starts anew). */
function createdAtOf(events: RecordedEvent[]): string {
  const creation = [...events].reverse().find((event) => event.type === 'QuotaCreated');
  return creation?.metadata.occurredAt ?? timestamps(events).createdAt;
}

/** Quota commands, reads of one quota, the quota list and attainment. */
export class QuotasService {
  private readonly quotas: EventSourcedCommandHandler<QuotaCommand, QuotaState, QuotaEvent>;

  constructor(
    store: EventStore,
    private readonly readStore: ReadStore,
    private readonly forecasts: ForecastQueries,
  ) {
    this.quotas = new EventSourcedCommandHandler(store, quotaDecider);
  }

  /** POST: 409 when the owner already has a quota for the period. */
  async createQuota(context: CommandContext, input: QuotaInput): Promise<QuotaWriteResult> {
    const quotaId = quotaIdFor(input.ownerId ?? '', input.period ?? '');
    return this.run(context, quotaId, { type: 'CreateQuota', quotaId, input });
  }

  /** PUT by owner and period: creates the quota or changes it; `created` tells which (201 or 200). */
  async setQuota(context: CommandContext, input: QuotaInput): Promise<QuotaWriteResult> {
    const quotaId = quotaIdFor(input.ownerId ?? '', input.period ?? '');
    return this.run(context, quotaId, { type: 'SetQuota', quotaId, input });
  }

  changeQuota(context: CommandContext, quotaId: string, input: Pick<QuotaInput, 'amount' | 'currency'>): Promise<QuotaWriteResult> {
    return this.run(context, quotaId, { type: 'ChangeQuota', input });
  }

  async deleteQuota(context: CommandContext, quotaId: string): Promise<{ position: number }> {
    const result = await this.quotas.handle(quotaStream(context.tenantId, quotaId), { type: 'DeleteQuota' }, context);
    return { position: result.position };
  }

  getQuota(tenantId: string, quotaId: string, asOf?: string): Promise<QuotaView> {
    return loadView(
      this.quotas,
      quotaStream(tenantId, quotaId),
      'Quota',
      (state, revision, events) => toQuotaView(state, revision, { createdAt: createdAtOf(events), updatedAt: timestamps(events).updatedAt }),
      asOf,
    );
  }

  /** Every change of the quota, deletions and re-creations included. */
  async quotaHistory(tenantId: string, quotaId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.quotas.load(quotaStream(tenantId, quotaId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Quota not found');
    return toHistory(events, QUOTA_FIELDS_BY_EVENT, 'quotaId');
  }

  async listQuotas(tenantId: string, filter: QuotaListFilter): Promise<{ items: QuotaView[]; nextCursor: string | null }> {
    const query: Filter = { tenantId, deleted: false };
    if (filter.period !== undefined && filter.period !== '') query.period = parseForecastPeriod(filter.period).key;
    if (filter.ownerId !== undefined && filter.ownerId !== '') query.ownerId = filter.ownerId;
    const page = await this.readStore.collection<QuotaDocument>(QUOTAS_COLLECTION).findPage(query, {
      sort: { period: 1, ownerId: 1 },
      limit: filter.limit ?? DEFAULT_QUOTA_LIMIT,
      cursor: filter.cursor,
    });
    return { items: page.items.map(quotaViewOf), nextCursor: page.nextCursor };
  }

  /**
   * Attainment per owner with a quota for the period: closed won (as of `asOf`, or now) against the
   * quota. As of a past instant the quotas are also taken as they stood then, from their streams.
   */
  async attainment(tenantId: string, request: { period: string; asOf?: string; ownerId?: string }): Promise<AttainmentReport> {
    const period = parseForecastPeriod(request.period);
    const asOf = request.asOf === undefined || request.asOf === '' ? undefined : parseAsOfInstant(request.asOf);
    const query: Filter = { tenantId, period: period.key };
    if (request.ownerId !== undefined && request.ownerId !== '') query.ownerId = request.ownerId;
    if (asOf === undefined) query.deleted = false;
    const documents = await this.readStore.collection<QuotaDocument>(QUOTAS_COLLECTION).find(query, { sort: { ownerId: 1 } });
    const targets = asOf === undefined ? documents.map(targetOf) : await this.targetsAsOf(tenantId, documents, asOf);
    const forecast = await this.forecasts.forecastOf(tenantId, { period, asOf, groupBy: 'owner', ownerId: request.ownerId || undefined });
    const figuresOf = (ownerId: string) => forecast.groups?.find((group) => group.key === ownerId)?.totals ?? [];
    return {
      period: period.key,
      start: period.start,
      end: period.end,
      asOf: asOf ?? null,
      items: targets.map((target) => attainmentOf(target, figuresOf(target.ownerId))),
    };
  }

  /** The quotas as they stood at `asOf`: each stream folded up to that instant (there is one per owner). */
  private async targetsAsOf(tenantId: string, documents: QuotaDocument[], asOf: string): Promise<QuotaTarget[]> {
    const targets: QuotaTarget[] = [];
    for (const document of documents) {
      const { state } = await this.quotas.load(quotaStream(tenantId, document.id), asOf);
      if (state.lifecycle !== 'active') continue;
      targets.push({ quotaId: document.id, ownerId: state.ownerId!, period: state.period!, amount: state.amount!, currency: state.currency! });
    }
    return targets;
  }

  private async run(context: CommandContext, quotaId: string, command: QuotaCommand): Promise<QuotaWriteResult> {
    const result = await this.quotas.handle(quotaStream(context.tenantId, quotaId), command, context);
    const times = timestampsAfter(result);
    const createdNow = result.events.some((event) => event.type === 'QuotaCreated');
    const createdAt = createdNow ? result.occurredAt : createdAtOf(result.history);
    return {
      view: toQuotaView(result.state, result.revision, { createdAt, updatedAt: times.updatedAt }),
      revision: result.revision,
      position: result.position,
      created: createdNow,
    };
  }
}

function quotaViewOf(document: QuotaDocument): QuotaView {
  return {
    id: document.id,
    ownerId: document.ownerId,
    period: document.period,
    amount: document.amount,
    currency: document.currency,
    revision: document.revision,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

function targetOf(document: Pick<QuotaDocument, 'id' | 'ownerId' | 'period' | 'amount' | 'currency'>): QuotaTarget {
  return { quotaId: document.id, ownerId: document.ownerId, period: document.period, amount: document.amount, currency: document.currency };
}

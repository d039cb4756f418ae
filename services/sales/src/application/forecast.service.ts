import type { Filter, ReadStore } from '@crm/readstore';
import { type Forecast, type ForecastGroupBy, forecastFrom } from '../domain/forecast';
import { type ForecastPeriod, parseAsOfInstant, parseForecastPeriod } from '../domain/forecast-period';
import { normaliseCurrency } from '../domain/money';
import { DEAL_VERSIONS_COLLECTION, type DealVersionDocument, factsOf } from './forecast-read-models';

/** A forecast request as the API takes it: strings, checked here (bad ones are DomainErrors, 400). */
export interface ForecastRequest {
  period: string;
  /** A date (end of that day, UTC) or an instant; omitted for now. */
  asOf?: string;
  groupBy?: ForecastGroupBy;
  ownerId?: string;
  pipelineId?: string;
  currency?: string;
}

export interface ForecastSelection {
  period: ForecastPeriod;
  /** Canonical ISO instant, or undefined for now. */
  asOf?: string;
  groupBy?: ForecastGroupBy;
  ownerId?: string;
  pipelineId?: string;
  currency?: string;
}

/**
 * Forecasts from the deal_versions read model: the versions valid at `asOf` (the current ones without
 * it) of the deals closing or closed in the period, computed by the pure `forecastFrom`.
 */
export class ForecastQueries {
  constructor(private readonly readStore: ReadStore) {}

  async forecast(tenantId: string, request: ForecastRequest): Promise<Forecast> {
    return this.forecastOf(tenantId, {
      period: parseForecastPeriod(request.period),
      asOf: request.asOf === undefined || request.asOf === '' ? undefined : parseAsOfInstant(request.asOf),
      groupBy: request.groupBy,
      ownerId: request.ownerId,
      pipelineId: request.pipelineId,
      currency: request.currency === undefined || request.currency === '' ? undefined : normaliseCurrency(request.currency),
    });
  }

  async forecastOf(tenantId: string, selection: ForecastSelection): Promise<Forecast> {
    const { period, asOf, ...options } = selection;
    const documents = await this.readStore.collection<DealVersionDocument>(DEAL_VERSIONS_COLLECTION).find(this.filterFor(tenantId, selection));
    return forecastFrom(documents.map(factsOf), period, asOf, options);
  }

  /**
   * Narrows the read to what can count: versions valid at `asOf` (validFrom ≤ asOf < validTo), with an
   * expected close or closing day in the period, matching the filters. `forecastFrom` applies the same
   * rules again, so this is only about reading less.
   */
  private filterFor(tenantId: string, { period, asOf, ownerId, pipelineId, currency }: ForecastSelection): Filter {
    const inPeriod = { $gte: period.start, $lte: period.end };
    const validAt = asOf === undefined ? { validTo: null } : { validFrom: { $lte: asOf }, $or: [{ validTo: null }, { validTo: { $gt: asOf } }] };
    const filter: Filter = {
      tenantId,
      $and: [validAt, { $or: [{ expectedCloseDate: inPeriod }, { closedOn: inPeriod }] }],
    };
    if (ownerId !== undefined) filter.ownerId = ownerId;
    if (pipelineId !== undefined) filter.pipelineId = pipelineId;
    if (currency !== undefined) filter.currency = currency;
    return filter;
  }
}

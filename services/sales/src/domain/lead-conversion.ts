import { deterministicId, DomainError } from '@crm/decider';
import { DateTime } from 'luxon';
import { parseMoney } from './money';

/**
 * The records a lead turns into. Their ids derive from the tenant and the lead, so that a retried
 * conversion (a second click, a redelivered message, a restarted saga) names the same records and the
 * contacts service and the deals here can recognise what they already created.
 */
export interface ConversionIds {
  contactId: string;
  companyId: string | null;
  dealId: string | null;
}

export function conversionIds(tenantId: string, leadId: string, options: { createCompany: boolean; withDeal: boolean }): ConversionIds {
  const key = `${tenantId}:lead:${leadId}`;
  return {
    contactId: deterministicId(`${key}:contact`),
    companyId: options.createCompany ? deterministicId(`${key}:company`) : null,
    dealId: options.withDeal ? deterministicId(`${key}:deal`) : null,
  };
}

/** The deal a conversion creates, as the caller asked for it. Amounts are exact decimal strings. */
export interface ConversionDeal {
  title: string;
  pipelineId: string;
  stageId: string;
  amount: string;
  currency: string;
  /** YYYY-MM-DD, or null. */
  expectedCloseDate: string | null;
}

export interface ConversionDealInput {
  title?: string;
  pipelineId?: string;
  stageId?: string;
  amount?: string;
  currency?: string;
  expectedCloseDate?: string | null;
}

export interface ConversionOptions {
  createCompany?: boolean;
  deal?: ConversionDealInput | null;
}

/** The person the contacts service creates, copied from the lead when the conversion is asked for. */
export interface ConversionContact {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  title: string | null;
  region: string | null;
  industry: string | null;
  country: string | null;
  ownerId: string | null;
}

export interface ConversionCompany {
  name: string;
  industry: string | null;
  region: string | null;
  country: string | null;
}

export type ConversionStatus = 'pending' | 'converted' | 'failed';

/** Where a lead's conversion stands: asked for, done, or given up (a later request may try again). */
export interface LeadConversion extends ConversionIds {
  status: ConversionStatus;
  createCompany: boolean;
  deal: ConversionDeal | null;
  failureReason: string | null;
}

const ID = /^[0-9A-Za-z_-]{1,64}$/;
const MAX_TITLE = 200;

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

function requiredId(value: string | undefined, field: string): string {
  const trimmed = value?.trim() ?? '';
  if (!ID.test(trimmed)) throw invalid(field, 'an id of 1-64 letters, digits, - or _');
  return trimmed;
}

function closeDate(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !DateTime.fromISO(value, { zone: 'utc' }).isValid) {
    throw invalid('deal.expectedCloseDate', 'must be a date written YYYY-MM-DD');
  }
  return value;
}

/** Checks the deal part of a conversion request the way a deal would, so that the saga does not stall on it later. */
export function normaliseConversionDeal(input: ConversionDealInput | null | undefined): ConversionDeal | null {
  if (input === null || input === undefined) return null;
  const title = input.title?.trim() ?? '';
  if (!title) throw invalid('deal.title', 'a deal needs a title');
  if (title.length > MAX_TITLE) throw invalid('deal.title', `at most ${MAX_TITLE} characters`);
  if (input.amount === undefined) throw invalid('deal.amount', 'a deal needs an amount');
  if (input.currency === undefined) throw invalid('deal.currency', 'a deal needs a currency');
  const money = parseMoney(input.amount, input.currency, { amountField: 'deal.amount', currencyField: 'deal.currency' });
  return {
    title,
    pipelineId: requiredId(input.pipelineId, 'deal.pipelineId'),
    stageId: requiredId(input.stageId, 'deal.stageId'),
    amount: money.amount,
    currency: money.currency,
    expectedCloseDate: closeDate(input.expectedCloseDate),
  };
}

/** Two requests ask for the same conversion: a retry, not a change of mind. */
export function sameConversionRequest(conversion: LeadConversion, createCompany: boolean, deal: ConversionDeal | null): boolean {
  return conversion.createCompany === createCompany && JSON.stringify(conversion.deal) === JSON.stringify(deal);
}

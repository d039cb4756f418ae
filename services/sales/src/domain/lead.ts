import { type Decider, DomainError } from '@crm/decider';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import {
  type ConversionCompany,
  type ConversionContact,
  type ConversionDeal,
  conversionIds,
  type ConversionOptions,
  type LeadConversion,
  normaliseConversionDeal,
  sameConversionRequest,
} from './lead-conversion';

export const LEAD_STATUSES = ['new', 'qualified', 'disqualified', 'converted'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const LEAD_CHANNELS = ['api', 'web-form'] as const;
export type LeadChannel = (typeof LEAD_CHANNELS)[number];

/** What a lead says about the person and where they came from; every field but the names may be null. */
export interface LeadFields {
  firstName: string;
  lastName: string;
  /** Lower-cased. */
  email: string | null;
  /** E.164. */
  phone: string | null;
  companyName: string | null;
  title: string | null;
  region: string | null;
  industry: string | null;
  /** ISO 3166-1 alpha-2, upper-case. */
  country: string | null;
  source: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
  campaignId: string | null;
  ownerId: string | null;
}

export type LeadFieldName = keyof LeadFields;

/** What a caller may send: absent leaves a field, null clears it; `name` is a full name split into first and last. */
export type LeadInput = { [Field in LeadFieldName]?: string | null } & { name?: string | null };

export interface LeadState extends LeadFields {
  id: string | null;
  lifecycle: 'absent' | 'active';
  status: LeadStatus;
  /** Why it was last qualified or disqualified. */
  statusReason: string | null;
  /** The territory whose rule picked the owner. */
  territoryId: string | null;
  capturedVia: LeadChannel;
  webFormId: string | null;
  conversion: LeadConversion | null;
}

export interface LeadCapturedData extends LeadFields {
  leadId: string;
  capturedVia: LeadChannel;
  webFormId: string | null;
  territoryId: string | null;
}

export interface LeadConversionRequestedData {
  leadId: string;
  contactId: string;
  companyId: string | null;
  dealId: string | null;
  createCompany: boolean;
  deal: ConversionDeal | null;
  contact: ConversionContact;
  company: ConversionCompany | null;
}

export type LeadEvent =
  | { type: 'LeadCaptured'; data: LeadCapturedData }
  /** Only the fields that changed, with their new values. */
  | { type: 'LeadDetailsChanged'; data: Partial<Omit<LeadFields, 'ownerId'>> }
  | { type: 'LeadOwnerChanged'; data: { ownerId: string | null; territoryId: string | null } }
  | { type: 'LeadQualified'; data: { reason: string | null } }
  | { type: 'LeadDisqualified'; data: { reason: string } }
  | { type: 'LeadConversionRequested'; data: LeadConversionRequestedData }
  | { type: 'LeadConverted'; data: { leadId: string; contactId: string; companyId: string | null; dealId: string | null } }
  | { type: 'LeadConversionFailed'; data: { leadId: string; reason: string } };

export type LeadEventType = LeadEvent['type'];
export const LEAD_EVENT_TYPES: readonly LeadEventType[] = [
  'LeadCaptured',
  'LeadDetailsChanged',
  'LeadOwnerChanged',
  'LeadQualified',
  'LeadDisqualified',
  'LeadConversionRequested',
  'LeadConverted',
  'LeadConversionFailed',
];

export type LeadCommand =
  | { type: 'CaptureLead'; leadId: string; input: LeadInput; capturedVia: LeadChannel; webFormId?: string | null; territoryId?: string | null }
  | { type: 'UpdateLead'; input: LeadInput }
  /** A new owner; `territoryId` names the territory that picked it, null when a person did. */
  | { type: 'AssignLeadOwner'; ownerId: string | null; territoryId?: string | null }
  | { type: 'QualifyLead'; reason?: string | null }
  | { type: 'DisqualifyLead'; reason?: string | null }
  /** The tenant id goes into the ids of the records the conversion creates. */
  | { type: 'RequestLeadConversion'; tenantId: string; options: ConversionOptions }
  | { type: 'CompleteLeadConversion'; contactId: string; companyId: string | null; dealId: string | null }
  | { type: 'FailLeadConversion'; reason: string };

const TEXT_FIELDS: readonly LeadFieldName[] = ['companyName', 'title', 'region', 'industry', 'source', 'utmSource', 'utmMedium', 'utmCampaign', 'utmTerm', 'utmContent'];
const MAX_NAME = 100;
const MAX_TEXT = 200;
const MAX_REASON = 1_000;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const OWNER_ID = /^[\w.@:+-]{1,128}$/;
const CAMPAIGN_ID = /^[0-9A-Za-z_.:-]{1,64}$/;

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

const emptyFields = (): LeadFields => ({
  firstName: '',
  lastName: '',
  email: null,
  phone: null,
  companyName: null,
  title: null,
  region: null,
  industry: null,
  country: null,
  source: null,
  utmSource: null,
  utmMedium: null,
  utmCampaign: null,
  utmTerm: null,
  utmContent: null,
  campaignId: null,
  ownerId: null,
});

function text(value: string | null | undefined, field: string, max = MAX_TEXT): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > max) throw invalid(field, `at most ${max} characters`);
  return trimmed || null;
}

function email(value: string | null | undefined): string | null {
  const address = text(value, 'email', 254)?.toLowerCase() ?? null;
  if (address !== null && !EMAIL.test(address)) throw invalid('email', 'not an email address');
  return address;
}

function country(value: string | null | undefined): string | null {
  const code = text(value, 'country')?.toUpperCase() ?? null;
  if (code !== null && !/^[A-Z]{2}$/.test(code)) throw invalid('country', 'an ISO 3166-1 alpha-2 code such as LT');
  return code;
}

/** Stored in E.164 as the contacts service stores it, so that a conversion never fails on a number it refuses. */
function phone(value: string | null | undefined, countryCode: string | null): string | null {
  const raw = text(value, 'phone', 50);
  if (raw === null) return null;
  const parsed = parsePhoneNumberFromString(raw, (countryCode as CountryCode | null) ?? undefined);
  if (!parsed || !parsed.isValid()) throw invalid('phone', 'not a valid phone number; use international format such as +37060012345');
  return parsed.number;
}

function ownerId(value: string | null | undefined): string | null {
  const id = text(value, 'ownerId', 128);
  if (id !== null && !OWNER_ID.test(id)) throw invalid('ownerId', '1-128 letters, digits or ._@:+-');
  return id;
}

function campaignId(value: string | null | undefined): string | null {
  const id = text(value, 'campaignId', 64);
  if (id !== null && !CAMPAIGN_ID.test(id)) throw invalid('campaignId', '1-64 letters, digits or _.:-');
  return id;
}

/** `name` fills first and last name when neither is given: the first word, then the rest. */
function names(input: LeadInput, current: Pick<LeadFields, 'firstName' | 'lastName'>): { firstName: string; lastName: string } {
  if (input.firstName === undefined && input.lastName === undefined && input.name !== undefined) {
    const full = text(input.name, 'name', MAX_NAME * 2) ?? '';
    const space = full.search(/\s/);
    return space < 0 ? { firstName: full, lastName: '' } : { firstName: full.slice(0, space), lastName: full.slice(space).trim() };
  }
  return {
    firstName: input.firstName === undefined ? current.firstName : (text(input.firstName, 'firstName', MAX_NAME) ?? ''),
    lastName: input.lastName === undefined ? current.lastName : (text(input.lastName, 'lastName', MAX_NAME) ?? ''),
  };
}

/** The fields after applying `input` to `current` (all of them validated and normalised). */
function applyInput(current: LeadFields, input: LeadInput): LeadFields {
  const next: LeadFields = { ...current, ...names(input, current) };
  for (const field of TEXT_FIELDS) {
    const value = input[field];
    if (value !== undefined) (next as unknown as Record<string, string | null>)[field] = text(value, field);
  }
  if (input.email !== undefined) next.email = email(input.email);
  if (input.country !== undefined) next.country = country(input.country);
  // A number written without a country code is read in the lead's country, so re-read it when either changes.
  if (input.phone !== undefined) next.phone = phone(input.phone, next.country);
  if (input.campaignId !== undefined) next.campaignId = campaignId(input.campaignId);
  if (input.ownerId !== undefined) next.ownerId = ownerId(input.ownerId);
  if (!next.firstName && !next.lastName && !next.email) {
    throw new DomainError('invalid', 'Invalid lead: a lead needs a name or an email', [
      { field: 'name', reason: 'a lead needs a name or an email' },
      { field: 'email', reason: 'a lead needs a name or an email' },
    ]);
  }
  return next;
}

function reasonText(reason: string | null | undefined): string | null {
  return text(reason, 'reason', MAX_REASON);
}

function assertExists(state: LeadState): void {
  if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Lead not found');
}

const conversionPending = (state: LeadState) => state.conversion?.status === 'pending';

/** A converted lead is history; one being converted is frozen until the conversion ends. */
function assertChangeable(state: LeadState, action: string): void {
  if (state.status === 'converted') throw new DomainError('conflict', `A converted lead cannot be ${action}`);
  if (conversionPending(state)) throw new DomainError('conflict', `The lead is being converted; it cannot be ${action} now`);
}

function capture(command: Extract<LeadCommand, { type: 'CaptureLead' }>, state: LeadState): LeadEvent[] {
  if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Lead ${command.leadId} already exists`);
  const fields = applyInput(emptyFields(), command.input);
  return [
    {
      type: 'LeadCaptured',
      data: {
        leadId: command.leadId,
        ...fields,
        capturedVia: command.capturedVia,
        webFormId: command.webFormId ?? null,
        territoryId: fields.ownerId ? (command.territoryId ?? null) : null,
      },
    },
  ];
}

const FIELD_NAMES = Object.keys(emptyFields()) as LeadFieldName[];

function fieldsOf(state: LeadState): LeadFields {
  return Object.fromEntries(FIELD_NAMES.map((field) => [field, state[field]])) as unknown as LeadFields;
}

function update(input: LeadInput, state: LeadState): LeadEvent[] {
  assertChangeable(state, 'changed');
  const { ownerId: nextOwner, ...next } = applyInput(fieldsOf(state), input);
  const changed: Record<string, string | null> = {};
  for (const [field, value] of Object.entries(next)) {
    if (value !== state[field as LeadFieldName]) changed[field] = value;
  }
  const events: LeadEvent[] = [];
  if (Object.keys(changed).length > 0) events.push({ type: 'LeadDetailsChanged', data: changed });
  if (nextOwner !== state.ownerId) events.push({ type: 'LeadOwnerChanged', data: { ownerId: nextOwner, territoryId: null } });
  return events;
}

function requestConversion(command: Extract<LeadCommand, { type: 'RequestLeadConversion' }>, state: LeadState): LeadEvent[] {
  // Asking again for a conversion that is done or under way is a retry: it changes nothing.
  if (state.status === 'converted') return [];
  if (state.status === 'disqualified') throw new DomainError('conflict', 'A disqualified lead cannot be converted; qualify it first');
  const createCompany = command.options.createCompany === true;
  const deal = normaliseConversionDeal(command.options.deal);
  if (state.conversion && conversionPending(state)) {
    if (sameConversionRequest(state.conversion, createCompany, deal)) return [];
    throw new DomainError('conflict', 'The lead is already being converted with other options; wait for it to finish');
  }
  if (!state.firstName && !state.lastName) {
    throw invalid('name', 'the lead needs a name to become a contact; set firstName or lastName first');
  }
  if (createCompany && !state.companyName) throw invalid('createCompany', 'the lead has no company name; set companyName first');
  const ids = conversionIds(command.tenantId, state.id!, { createCompany, withDeal: deal !== null });
  return [
    {
      type: 'LeadConversionRequested',
      data: {
        leadId: state.id!,
        ...ids,
        createCompany,
        deal,
        contact: {
          firstName: state.firstName,
          lastName: state.lastName,
          email: state.email,
          phone: state.phone,
          title: state.title,
          region: state.region,
          industry: state.industry,
          country: state.country,
          ownerId: state.ownerId,
        },
        company: createCompany ? { name: state.companyName!, industry: state.industry, region: state.region, country: state.country } : null,
      },
    },
  ];
}

function completeConversion(command: Extract<LeadCommand, { type: 'CompleteLeadConversion' }>, state: LeadState): LeadEvent[] {
  if (state.status === 'converted') return [];
  const conversion = state.conversion;
  if (!conversion || conversion.status !== 'pending') throw new DomainError('conflict', 'The lead has no conversion under way');
  if (conversion.contactId !== command.contactId || conversion.companyId !== command.companyId || conversion.dealId !== command.dealId) {
    throw new DomainError('conflict', 'The records do not belong to the conversion under way');
  }
  return [{ type: 'LeadConverted', data: { leadId: state.id!, contactId: command.contactId, companyId: command.companyId, dealId: command.dealId } }];
}

function decide(command: LeadCommand, state: LeadState): LeadEvent[] {
  if (command.type === 'CaptureLead') return capture(command, state);
  assertExists(state);
  switch (command.type) {
    case 'UpdateLead':
      return update(command.input, state);
    case 'AssignLeadOwner': {
      assertChangeable(state, 'reassigned');
      const owner = ownerId(command.ownerId);
      return owner === state.ownerId ? [] : [{ type: 'LeadOwnerChanged', data: { ownerId: owner, territoryId: owner ? (command.territoryId ?? null) : null } }];
    }
    case 'QualifyLead': {
      assertChangeable(state, 'qualified');
      // Qualifying a qualified lead again is a retry, not a new decision.
      if (state.status === 'qualified') return [];
      return [{ type: 'LeadQualified', data: { reason: reasonText(command.reason) } }];
    }
    case 'DisqualifyLead': {
      assertChangeable(state, 'disqualified');
      const reason = reasonText(command.reason);
      if (!reason) throw invalid('reason', 'a lead is disqualified for a reason');
      if (state.status === 'disqualified') return [];
      return [{ type: 'LeadDisqualified', data: { reason } }];
    }
    case 'RequestLeadConversion':
      return requestConversion(command, state);
    case 'CompleteLeadConversion':
      return completeConversion(command, state);
    case 'FailLeadConversion':
      if (!conversionPending(state)) return [];
      return [{ type: 'LeadConversionFailed', data: { leadId: state.id!, reason: text(command.reason, 'reason', MAX_REASON) ?? 'unknown' } }];
  }
}

function evolve(state: LeadState, event: LeadEvent): LeadState {
  switch (event.type) {
    case 'LeadCaptured': {
      const { leadId, capturedVia, webFormId, territoryId, ...fields } = event.data;
      return { ...state, ...fields, id: leadId, lifecycle: 'active', status: 'new', capturedVia, webFormId, territoryId };
    }
    case 'LeadDetailsChanged':
      return { ...state, ...event.data };
    case 'LeadOwnerChanged':
      return { ...state, ownerId: event.data.ownerId, territoryId: event.data.territoryId };
    case 'LeadQualified':
      return { ...state, status: 'qualified', statusReason: event.data.reason };
    case 'LeadDisqualified':
      return { ...state, status: 'disqualified', statusReason: event.data.reason };
    case 'LeadConversionRequested': {
      const { contactId, companyId, dealId, createCompany, deal } = event.data;
      return { ...state, conversion: { status: 'pending', contactId, companyId, dealId, createCompany, deal, failureReason: null } };
    }
    case 'LeadConverted':
      return { ...state, status: 'converted', conversion: state.conversion && { ...state.conversion, status: 'converted' } };
    case 'LeadConversionFailed':
      return { ...state, conversion: state.conversion && { ...state.conversion, status: 'failed', failureReason: event.data.reason } };
    default:
      return state;
  }
}

export const leadDecider: Decider<LeadCommand, LeadState, LeadEvent> = {
  initialState: () => ({
    ...emptyFields(),
    id: null,
    lifecycle: 'absent',
    status: 'new',
    statusReason: null,
    territoryId: null,
    capturedVia: 'api',
    webFormId: null,
    conversion: null,
  }),
  decide,
  evolve,
};

/** The fields each event changes, for `GET /leads/{id}/history` (events not listed name the keys of their data). */
export const LEAD_FIELDS_BY_EVENT: Partial<Record<LeadEventType, string[]>> = {
  LeadOwnerChanged: ['ownerId', 'territoryId'],
  LeadQualified: ['status', 'statusReason'],
  LeadDisqualified: ['status', 'statusReason'],
  LeadConversionRequested: ['conversion'],
  LeadConverted: ['status', 'conversion'],
  LeadConversionFailed: ['conversion'],
};

export const leadFullName = (state: Pick<LeadFields, 'firstName' | 'lastName'>): string => `${state.firstName} ${state.lastName}`.trim();

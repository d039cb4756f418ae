import { type Decider, DomainError } from '@crm/decider';
import type { LeadInput } from './lead';

/** The lead fields a web form can fill (`name` is a full name, split into first and last). */
export const WEB_FORM_LEAD_FIELDS = [
  'name',
  'firstName',
  'lastName',
  'email',
  'phone',
  'companyName',
  'title',
  'region',
  'industry',
  'country',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'utmTerm',
  'utmContent',
  'campaignId',
] as const;
export type WebFormLeadField = (typeof WEB_FORM_LEAD_FIELDS)[number];

/** Attribution parameters as marketing tools name them: recognised in every submission without mapping. */
const STANDARD_PARAMETERS: Readonly<Record<string, WebFormLeadField>> = {
  utm_source: 'utmSource',
  utm_medium: 'utmMedium',
  utm_campaign: 'utmCampaign',
  utm_term: 'utmTerm',
  utm_content: 'utmContent',
  campaign_id: 'campaignId',
};

export const DEFAULT_HONEYPOT_FIELD = '_hp';
export const DEFAULT_WEB_FORM_SOURCE = 'web-form';

export interface WebFormFields {
  name: string;
  /** Submitted field name → lead field. */
  fields: Record<string, WebFormLeadField>;
  /** The `source` of every lead the form captures. */
  defaultSource: string;
  defaultCampaignId: string | null;
  /** Origins (`https://example.com`) whose pages may submit; empty means any. */
  allowedOrigins: string[];
  /** A field hidden from people: a submission that fills it is a bot's, dropped without a word. */
  honeypotField: string;
}

export interface WebFormInput {
  name?: string;
  fields?: Record<string, string>;
  defaultSource?: string | null;
  defaultCampaignId?: string | null;
  allowedOrigins?: string[];
  honeypotField?: string | null;
}

export interface WebFormState extends WebFormFields {
  id: string | null;
  lifecycle: 'absent' | 'active';
}

export type WebFormEvent = { type: 'WebFormCreated'; data: { formId: string } & WebFormFields };
export type WebFormCommand = { type: 'CreateWebForm'; formId: string; input: WebFormInput };

const FORM_FIELD_NAME = /^[A-Za-z0-9_.[\]-]{1,100}$/;
const MAX_MAPPED_FIELDS = 50;
const MAX_ORIGINS = 50;
const CAMPAIGN_ID = /^[0-9A-Za-z_.:-]{1,64}$/;

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

function formName(value: string | undefined): string {
  const trimmed = value?.trim() ?? '';
  if (!trimmed) throw invalid('name', 'a web form needs a name');
  if (trimmed.length > 200) throw invalid('name', 'at most 200 characters');
  return trimmed;
}

function fieldMapping(mapping: Record<string, string> | undefined): Record<string, WebFormLeadField> {
  const entries = Object.entries(mapping ?? {});
  if (entries.length === 0) throw invalid('fields', 'map at least one submitted field to a lead field, e.g. { "your-email": "email" }');
  if (entries.length > MAX_MAPPED_FIELDS) throw invalid('fields', `at most ${MAX_MAPPED_FIELDS} fields`);
  const targets = new Set<string>();
  const result: Record<string, WebFormLeadField> = {};
  for (const [formField, leadField] of entries) {
    if (!FORM_FIELD_NAME.test(formField)) throw invalid(`fields.${formField}`, 'field names are 1-100 letters, digits or _.-[]');
    if (!(WEB_FORM_LEAD_FIELDS as readonly string[]).includes(leadField)) {
      throw invalid(`fields.${formField}`, `maps to one of ${WEB_FORM_LEAD_FIELDS.join(', ')}`);
    }
    if (targets.has(leadField)) throw invalid(`fields.${formField}`, `another field already maps to ${leadField}`);
    targets.add(leadField);
    result[formField] = leadField as WebFormLeadField;
  }
  const hasName = ['name', 'firstName', 'lastName'].some((field) => targets.has(field));
  if (!hasName && !targets.has('email')) throw invalid('fields', 'map a name or an email field: a lead needs one of them');
  return result;
}

function origins(list: string[] | undefined): string[] {
  if (list === undefined) return [];
  if (list.length > MAX_ORIGINS) throw invalid('allowedOrigins', `at most ${MAX_ORIGINS} origins`);
  return [
    ...new Set(
      list.map((entry, index) => {
        const origin = entry.trim().toLowerCase().replace(/\/$/, '');
        if (!/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
          throw invalid(`allowedOrigins.${index}`, 'an origin is a scheme and a host, e.g. https://www.example.com');
        }
        return origin;
      }),
    ),
  ];
}

function decide(command: WebFormCommand, state: WebFormState): WebFormEvent[] {
  if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Web form ${command.formId} already exists`);
  const { input } = command;
  const fields = fieldMapping(input.fields);
  const honeypotField = input.honeypotField?.trim() || DEFAULT_HONEYPOT_FIELD;
  if (!FORM_FIELD_NAME.test(honeypotField)) throw invalid('honeypotField', 'field names are 1-100 letters, digits or _.-[]');
  if (honeypotField in fields) throw invalid('honeypotField', 'the honeypot cannot be a mapped field');
  const defaultSource = input.defaultSource?.trim() || DEFAULT_WEB_FORM_SOURCE;
  if (defaultSource.length > 200) throw invalid('defaultSource', 'at most 200 characters');
  const defaultCampaignId = input.defaultCampaignId?.trim() || null;
  if (defaultCampaignId !== null && !CAMPAIGN_ID.test(defaultCampaignId)) throw invalid('defaultCampaignId', '1-64 letters, digits or _.:-');
  return [
    {
      type: 'WebFormCreated',
      data: { formId: command.formId, name: formName(input.name), fields, defaultSource, defaultCampaignId, allowedOrigins: origins(input.allowedOrigins), honeypotField },
    },
  ];
}

export const webFormDecider: Decider<WebFormCommand, WebFormState, WebFormEvent> = {
  initialState: () => ({
    id: null,
    lifecycle: 'absent',
    name: '',
    fields: {},
    defaultSource: DEFAULT_WEB_FORM_SOURCE,
    defaultCampaignId: null,
    allowedOrigins: [],
    honeypotField: DEFAULT_HONEYPOT_FIELD,
  }),
  decide,
  evolve: (state, event) => {
    const { formId, ...fields } = event.data;
    return { ...state, ...fields, id: formId, lifecycle: 'active' };
  },
};

// ---- submissions ----

/** Whether a page of `origin` may submit; a submission without an Origin header comes from a server, not a page. */
export function originAllowed(form: Pick<WebFormFields, 'allowedOrigins'>, origin: string | undefined): boolean {
  if (form.allowedOrigins.length === 0 || origin === undefined) return true;
  return form.allowedOrigins.includes(origin.trim().toLowerCase().replace(/\/$/, ''));
}

export type MappedSubmission =
  | { kind: 'spam' }
  /** `sourceFields` names, for each lead field, the submitted field it came from (to word errors in the form's terms). */
  | { kind: 'lead'; input: LeadInput; sourceFields: Partial<Record<string, string>> };

const MAX_SUBMITTED_FIELDS = 100;
const MAX_VALUE_LENGTH = 2_000;

function submittedValue(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw invalid(field, 'must be a single text value');
  if (value.length > MAX_VALUE_LENGTH) throw invalid(field, `at most ${MAX_VALUE_LENGTH} characters`);
  return value.trim() === '' ? undefined : value;
}

/**
 * Turns a submission (JSON or form-encoded, so values are text) into lead input: mapped fields first,
 * then fields named like lead fields, then the standard `utm_*` parameters. Other fields (buttons,
 * consent boxes) are ignored. The form gives the source, and the campaign when the submission names none.
 */
export function mapSubmission(form: WebFormFields, submission: unknown): MappedSubmission {
  if (typeof submission !== 'object' || submission === null || Array.isArray(submission)) {
    throw invalid('body', 'a submission is a set of named fields (JSON object or form-encoded)');
  }
  const entries = Object.entries(submission as Record<string, unknown>);
  if (entries.length > MAX_SUBMITTED_FIELDS) throw invalid('body', `at most ${MAX_SUBMITTED_FIELDS} fields`);
  const honeypot = (submission as Record<string, unknown>)[form.honeypotField];
  if (honeypot !== undefined && honeypot !== null && String(honeypot).trim() !== '') return { kind: 'spam' };
  const input: Record<string, string> = {};
  const sourceFields: Record<string, string> = {};
  const take = (leadField: string, formField: string, raw: unknown) => {
    if (leadField in input) return;
    const value = submittedValue(raw, formField);
    if (value === undefined) return;
    input[leadField] = value;
    sourceFields[leadField] = formField;
  };
  for (const [formField, raw] of entries) {
    const mapped = form.fields[formField];
    if (mapped) take(mapped, formField, raw);
  }
  for (const [formField, raw] of entries) {
    if (formField in form.fields) continue;
    if ((WEB_FORM_LEAD_FIELDS as readonly string[]).includes(formField)) take(formField, formField, raw);
    else if (STANDARD_PARAMETERS[formField]) take(STANDARD_PARAMETERS[formField], formField, raw);
  }
  if (!('firstName' in input) && !('lastName' in input) && !('name' in input) && !('email' in input)) {
    const expected = Object.keys(form.fields).filter((field) => ['name', 'firstName', 'lastName', 'email'].includes(form.fields[field]));
    throw new DomainError(
      'invalid',
      'Invalid submission: a name or an email is needed',
      (expected.length ? expected : ['email']).map((field) => ({ field, reason: 'a name or an email is needed' })),
    );
  }
  return {
    kind: 'lead',
    input: { ...input, source: form.defaultSource, campaignId: input.campaignId ?? form.defaultCampaignId },
    sourceFields,
  };
}

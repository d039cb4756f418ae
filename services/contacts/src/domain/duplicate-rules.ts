import { type Decider, DomainError } from '@crm/decider';
import { getCountries, type CountryCode } from 'libphonenumber-js';
import { CUSTOM_FIELD_KEY } from './common';

/**
 * Duplicate rules: per tenant, which fields two contacts must share to be named as likely duplicates.
 * A rule matches when every field it lists is present on both contacts and equal after normalisation.
 * One stream per tenant holds the whole rule set; a tenant that never wrote one gets the defaults.
 */

export const duplicateRulesStream = (tenantId: string): string => `${tenantId}.duplicate-rules`;

/** The fields a rule can compare; `customFields.<name>` compares one custom field. */
export const MATCH_FIELDS = ['primaryEmail', 'email', 'phone', 'name', 'firstName', 'lastName', 'companyId', 'birthday'] as const;
export type BuiltInMatchField = (typeof MATCH_FIELDS)[number];
export type MatchField = BuiltInMatchField | `customFields.${string}`;

export interface DuplicateRule {
  /** Names the rule in answers (`{ id, rule }`); lower-case letters, digits and dashes. */
  name: string;
  fields: MatchField[];
  enabled: boolean;
}

export interface DuplicateRuleSet {
  /** ISO 3166-1 alpha-2 region for phone numbers written without a country code; null: such numbers match nothing. */
  defaultRegion: string | null;
  rules: DuplicateRule[];
}

export interface DuplicateRulesState extends DuplicateRuleSet {
  /** Stream revision, -1 while the tenant still runs on the defaults. */
  revision: number;
}

export type DuplicateRulesCommand = { type: 'ReplaceDuplicateRules'; rules: DuplicateRuleSet };
export type DuplicateRulesEvent = { type: 'DuplicateRulesReplaced'; data: DuplicateRuleSet };

export const DEFAULT_DUPLICATE_RULES: DuplicateRuleSet = {
  defaultRegion: null,
  rules: [
    { name: 'same-primary-email', fields: ['primaryEmail'], enabled: true },
    { name: 'same-phone', fields: ['phone'], enabled: true },
    { name: 'same-name-and-company', fields: ['name', 'companyId'], enabled: true },
  ],
};

export const MAX_RULES = 20;
const MAX_FIELDS_PER_RULE = 5;
const RULE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const COUNTRIES = new Set<string>(getCountries());

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

export function isMatchField(field: string): field is MatchField {
  if ((MATCH_FIELDS as readonly string[]).includes(field)) return true;
  return field.startsWith('customFields.') && CUSTOM_FIELD_KEY.test(field.slice('customFields.'.length));
}

function validate(input: DuplicateRuleSet): DuplicateRuleSet {
  const defaultRegion = input.defaultRegion?.trim().toUpperCase() || null;
  if (defaultRegion && !COUNTRIES.has(defaultRegion)) throw invalid('defaultRegion', 'must be an ISO 3166-1 alpha-2 region with a calling code, e.g. LT');
  if (input.rules.length > MAX_RULES) throw invalid('rules', `at most ${MAX_RULES} rules`);
  const names = new Set<string>();
  const rules = input.rules.map((rule, index) => {
    if (!RULE_NAME.test(rule.name)) throw invalid(`rules.${index}.name`, 'lower-case letters, digits and dashes, at most 64');
    if (names.has(rule.name)) throw invalid(`rules.${index}.name`, `"${rule.name}" is used twice`);
    names.add(rule.name);
    const fields = [...new Set(rule.fields)];
    if (fields.length === 0 || fields.length > MAX_FIELDS_PER_RULE) throw invalid(`rules.${index}.fields`, `1 to ${MAX_FIELDS_PER_RULE} fields`);
    fields.forEach((field, fieldIndex) => {
      if (!isMatchField(field)) throw invalid(`rules.${index}.fields.${fieldIndex}`, `must be one of ${MATCH_FIELDS.join(', ')} or customFields.<name>`);
    });
    return { name: rule.name, fields: fields as MatchField[], enabled: rule.enabled !== false };
  });
  return { defaultRegion, rules };
}

export const duplicateRulesDecider: Decider<DuplicateRulesCommand, DuplicateRulesState, DuplicateRulesEvent> = {
  initialState: () => ({ ...structuredClone(DEFAULT_DUPLICATE_RULES), revision: -1 }),
  decide(command, state) {
    const next = validate(command.rules);
    const same = JSON.stringify(next) === JSON.stringify({ defaultRegion: state.defaultRegion, rules: state.rules });
    // Saving the defaults for the first time is still recorded: from then on the tenant has its own set.
    return same && state.revision >= 0 ? [] : [{ type: 'DuplicateRulesReplaced', data: next }];
  },
  evolve(state, event) {
    if (event.type !== 'DuplicateRulesReplaced') return state;
    return { defaultRegion: event.data.defaultRegion, rules: event.data.rules, revision: state.revision + 1 };
  },
};

// ---- match keys ----

/**
 * Names are compared without case, diacritics, punctuation-like spacing differences:
 * "  José  da Silva" and "jose DA silva" are one name.
 */
export function normaliseName(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The contact's values that rules compare, already normalised; a field absent here matches nothing. */
export interface MatchValues {
  primaryEmail?: string;
  emails: string[];
  phones: string[];
  name?: string;
  firstName?: string;
  lastName?: string;
  companyId?: string;
  birthday?: string;
  customFields: Record<string, string>;
}

export interface MatchSource {
  firstName?: string | null;
  lastName?: string | null;
  emails?: { address: string; primary?: boolean }[];
  /** E.164 already, or numbers to parse with `phoneRegion`. */
  phones?: { number: string }[];
  companyId?: string | null;
  birthday?: string | null;
  customFields?: Record<string, unknown>;
}

export function matchValues(contact: MatchSource, parsePhone: (number: string) => string | null = (number) => number): MatchValues {
  const emails = (contact.emails ?? []).map((email) => email.address.trim().toLowerCase()).filter(Boolean);
  const primary = (contact.emails ?? []).find((email) => email.primary) ?? contact.emails?.[0];
  const firstName = normaliseName(contact.firstName ?? '');
  const lastName = normaliseName(contact.lastName ?? '');
  const name = normaliseName(`${firstName} ${lastName}`);
  const customFields: Record<string, string> = {};
  for (const [key, value] of Object.entries(contact.customFields ?? {})) {
    if (value === null || value === undefined || value === '') continue;
    customFields[key] = typeof value === 'string' ? normaliseName(value) : JSON.stringify(value);
  }
  return {
    primaryEmail: primary ? primary.address.trim().toLowerCase() : undefined,
    emails,
    phones: (contact.phones ?? []).map((phone) => parsePhone(phone.number)).filter((number): number is string => Boolean(number)),
    name: name || undefined,
    firstName: firstName || undefined,
    lastName: lastName || undefined,
    companyId: contact.companyId?.trim() || undefined,
    birthday: contact.birthday?.trim() || undefined,
    customFields,
  };
}

/** The values of one field: several for emails and phones, none when the contact lacks it. */
function valuesOf(values: MatchValues, field: MatchField): string[] {
  if (field.startsWith('customFields.')) {
    const value = values.customFields[field.slice('customFields.'.length)];
    return value === undefined ? [] : [value];
  }
  switch (field as BuiltInMatchField) {
    case 'email':
      return values.emails;
    case 'phone':
      return values.phones;
    default: {
      const value = values[field as Exclude<BuiltInMatchField, 'email' | 'phone'>];
      return value === undefined ? [] : [value];
    }
  }
}

/**
 * Every value a contact can be found by, one key each (`name:ada lovelace`, `phone:+370…`). The read
 * model indexes these, so a rule of several fields is answered by a seek on its first field, then
 * checked on the few documents found; rule changes need no re-indexing.
 */
export function matchKeys(values: MatchValues): string[] {
  const keys = new Set<string>();
  for (const field of MATCH_FIELDS) for (const value of valuesOf(values, field)) keys.add(`${field}:${value}`);
  for (const [key, value] of Object.entries(values.customFields)) keys.add(`customFields.${key}:${value}`);
  return [...keys];
}

/** Keys of the candidate that can find other contacts under a rule: those of the rule's first field. */
export function lookupKeys(values: MatchValues, rule: DuplicateRule): string[] {
  return valuesOf(values, rule.fields[0]).map((value) => `${rule.fields[0]}:${value}`);
}

export function ruleMatches(rule: DuplicateRule, candidate: MatchValues, other: MatchValues): boolean {
  return rule.fields.every((field) => {
    const mine = valuesOf(candidate, field);
    const theirs = new Set(valuesOf(other, field));
    return mine.some((value) => theirs.has(value));
  });
}

export function isRegion(region: string | null | undefined): region is CountryCode {
  return Boolean(region && COUNTRIES.has(region));
}

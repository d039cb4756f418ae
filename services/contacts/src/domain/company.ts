import { type Decider, DomainError } from '@crm/decider';
import {
  applyCustomFieldChanges,
  assertExists,
  customFieldChanges,
  type CustomFields,
  type JsonValue,
  type Lifecycle,
  normaliseAddress,
  normaliseTags,
  type PostalAddress,
  sameValue,
  tagChanges,
  trimOrNull,
} from './common';

export const COMPANY_SIZES = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'] as const;
export type CompanySize = (typeof COMPANY_SIZES)[number];

export interface CompanyFields {
  name: string;
  /** Lower-case host name without scheme, e.g. `acme.com`. */
  domain: string | null;
  industry: string | null;
  region: string | null;
  size: CompanySize | null;
  address: PostalAddress | null;
  tags: string[];
  customFields: CustomFields;
}

export interface CompanyInput {
  name?: string;
  domain?: string | null;
  industry?: string | null;
  region?: string | null;
  size?: CompanySize | null;
  address?: PostalAddress | null;
  tags?: string[];
  customFields?: Record<string, JsonValue | null>;
}

export interface CompanyState extends CompanyFields {
  id: string | null;
  lifecycle: Lifecycle;
}

export type CompanyCommand =
  | { type: 'CreateCompany'; companyId: string; input: CompanyInput }
  | { type: 'UpdateCompany'; input: CompanyInput }
  | { type: 'ArchiveCompany' }
  | { type: 'RestoreCompany' }
  | { type: 'DeleteCompany' };

export type CompanyEvent =
  | { type: 'CompanyCreated'; data: { companyId: string } & CompanyFields }
  | { type: 'CompanyRenamed'; data: { name: string } }
  | { type: 'CompanyDomainChanged'; data: { domain: string | null } }
  | { type: 'CompanyIndustryChanged'; data: { industry: string | null } }
  | { type: 'CompanyRegionChanged'; data: { region: string | null } }
  | { type: 'CompanySizeChanged'; data: { size: CompanySize | null } }
  | { type: 'CompanyAddressChanged'; data: { address: PostalAddress | null } }
  | { type: 'CompanyTagged'; data: { tag: string } }
  | { type: 'CompanyUntagged'; data: { tag: string } }
  | { type: 'CompanyCustomFieldsChanged'; data: { set: CustomFields; removed: string[] } }
  | { type: 'CompanyArchived'; data: Record<string, never> }
  | { type: 'CompanyRestored'; data: Record<string, never> }
  | { type: 'CompanyDeleted'; data: Record<string, never> };

export type CompanyEventType = CompanyEvent['type'];

const emptyFields = (): CompanyFields => ({
  name: '',
  domain: null,
  industry: null,
  region: null,
  size: null,
  address: null,
  tags: [],
  customFields: {},
});

function normaliseName(name: string | undefined): string {
  const trimmed = name?.trim() ?? '';
  if (!trimmed) throw new DomainError('invalid', 'Invalid name: a company needs a name', [{ field: 'name', reason: 'a company needs a name' }]);
  return trimmed;
}

function normaliseDomain(domain: string | null | undefined): string | null {
  const value = trimOrNull(domain)?.toLowerCase().replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/.*$/, '');
  if (!value) return null;
  if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(value)) {
    throw new DomainError('invalid', 'Invalid domain', [{ field: 'domain', reason: 'must be a host name such as acme.com' }]);
  }
  return value;
}

function decide(command: CompanyCommand, state: CompanyState): CompanyEvent[] {
  if (command.type === 'CreateCompany') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Company ${command.companyId} already exists`);
    const { input } = command;
    return [
      {
        type: 'CompanyCreated',
        data: {
          companyId: command.companyId,
          name: normaliseName(input.name),
          domain: normaliseDomain(input.domain),
          industry: trimOrNull(input.industry),
          region: trimOrNull(input.region),
          size: input.size ?? null,
          address: normaliseAddress(input.address),
          tags: normaliseTags(input.tags ?? []),
          customFields: customFieldChanges({}, input.customFields ?? {})?.set ?? {},
        },
      },
    ];
  }
  assertExists(state.lifecycle, 'Company');
  switch (command.type) {
    case 'UpdateCompany': {
      const { input } = command;
      const events: CompanyEvent[] = [];
      if (input.name !== undefined && normaliseName(input.name) !== state.name) events.push({ type: 'CompanyRenamed', data: { name: normaliseName(input.name) } });
      if (input.domain !== undefined && normaliseDomain(input.domain) !== state.domain) {
        events.push({ type: 'CompanyDomainChanged', data: { domain: normaliseDomain(input.domain) } });
      }
      if (input.industry !== undefined && trimOrNull(input.industry) !== state.industry) {
        events.push({ type: 'CompanyIndustryChanged', data: { industry: trimOrNull(input.industry) } });
      }
      if (input.region !== undefined && trimOrNull(input.region) !== state.region) {
        events.push({ type: 'CompanyRegionChanged', data: { region: trimOrNull(input.region) } });
      }
      if (input.size !== undefined && input.size !== state.size) events.push({ type: 'CompanySizeChanged', data: { size: input.size } });
      if (input.address !== undefined && !sameValue(normaliseAddress(input.address), state.address)) {
        events.push({ type: 'CompanyAddressChanged', data: { address: normaliseAddress(input.address) } });
      }
      if (input.tags !== undefined) {
        const { added, removed } = tagChanges(state.tags, input.tags);
        for (const tag of removed) events.push({ type: 'CompanyUntagged', data: { tag } });
        for (const tag of added) events.push({ type: 'CompanyTagged', data: { tag } });
      }
      if (input.customFields !== undefined) {
        const change = customFieldChanges(state.customFields, input.customFields);
        if (change) events.push({ type: 'CompanyCustomFieldsChanged', data: change });
      }
      return events;
    }
    case 'ArchiveCompany':
      return state.lifecycle === 'archived' ? [] : [{ type: 'CompanyArchived', data: {} }];
    case 'RestoreCompany':
      return state.lifecycle === 'active' ? [] : [{ type: 'CompanyRestored', data: {} }];
    case 'DeleteCompany':
      return [{ type: 'CompanyDeleted', data: {} }];
  }
}

function evolve(state: CompanyState, event: CompanyEvent): CompanyState {
  switch (event.type) {
    case 'CompanyCreated': {
      const { companyId, ...fields } = event.data;
      return { ...emptyFields(), ...fields, id: companyId, lifecycle: 'active' };
    }
    case 'CompanyRenamed':
      return { ...state, name: event.data.name };
    case 'CompanyDomainChanged':
      return { ...state, domain: event.data.domain };
    case 'CompanyIndustryChanged':
      return { ...state, industry: event.data.industry };
    case 'CompanyRegionChanged':
      return { ...state, region: event.data.region };
    case 'CompanySizeChanged':
      return { ...state, size: event.data.size };
    case 'CompanyAddressChanged':
      return { ...state, address: event.data.address };
    case 'CompanyTagged':
      return { ...state, tags: state.tags.includes(event.data.tag) ? state.tags : [...state.tags, event.data.tag] };
    case 'CompanyUntagged':
      return { ...state, tags: state.tags.filter((tag) => tag !== event.data.tag) };
    case 'CompanyCustomFieldsChanged':
      return { ...state, customFields: applyCustomFieldChanges(state.customFields, event.data) };
    case 'CompanyArchived':
      return { ...state, lifecycle: 'archived' };
    case 'CompanyRestored':
      return { ...state, lifecycle: 'active' };
    case 'CompanyDeleted':
      return { ...emptyFields(), id: state.id, lifecycle: 'deleted' };
    default:
      return state;
  }
}

export const companyDecider: Decider<CompanyCommand, CompanyState, CompanyEvent> = {
  initialState: () => ({ ...emptyFields(), id: null, lifecycle: 'absent' }),
  decide,
  evolve,
};

export const COMPANY_FIELDS_BY_EVENT: Record<CompanyEventType, (keyof CompanyFields | 'archived')[]> = {
  CompanyCreated: [],
  CompanyRenamed: ['name'],
  CompanyDomainChanged: ['domain'],
  CompanyIndustryChanged: ['industry'],
  CompanyRegionChanged: ['region'],
  CompanySizeChanged: ['size'],
  CompanyAddressChanged: ['address'],
  CompanyTagged: ['tags'],
  CompanyUntagged: ['tags'],
  CompanyCustomFieldsChanged: ['customFields'],
  CompanyArchived: ['archived'],
  CompanyRestored: ['archived'],
  CompanyDeleted: [],
};

import { type Decider, DomainError } from '@crm/decider';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
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
import { type ContactMergeState, type FieldChoices, type MergeEffect, noMerge, planMerge, planUnmerge } from './contact-merge';

export const CONTACT_STATUSES = ['lead', 'prospect', 'customer', 'inactive'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export interface ContactEmail {
  address: string;
  primary: boolean;
}

export interface ContactPhone {
  /** E.164. */
  number: string;
  primary: boolean;
}

export interface ContactFields {
  firstName: string;
  lastName: string;
  emails: ContactEmail[];
  phones: ContactPhone[];
  title: string | null;
  companyId: string | null;
  address: PostalAddress | null;
  industry: string | null;
  region: string | null;
  status: ContactStatus;
  tags: string[];
  /** YYYY-MM-DD. */
  birthday: string | null;
  ownerId: string | null;
  source: string | null;
  customFields: CustomFields;
}

/** What a caller may send: lists are whole replacements, null clears a field, absent leaves it. */
export interface ContactInput {
  firstName?: string | null;
  lastName?: string | null;
  emails?: { address: string; primary?: boolean }[];
  phones?: { number: string; primary?: boolean }[];
  title?: string | null;
  companyId?: string | null;
  address?: PostalAddress | null;
  industry?: string | null;
  region?: string | null;
  status?: ContactStatus;
  tags?: string[];
  birthday?: string | null;
  ownerId?: string | null;
  source?: string | null;
  customFields?: Record<string, JsonValue | null>;
}

export interface ContactState extends ContactFields {
  id: string | null;
  lifecycle: Lifecycle;
  /** Merges this record took part in (see contact-merge.ts); not part of the API view. */
  merge: ContactMergeState;
}

export type ContactCommand =
  | { type: 'CreateContact'; contactId: string; input: ContactInput }
  | { type: 'UpdateContact'; input: ContactInput }
  | { type: 'ArchiveContact' }
  | { type: 'RestoreContact' }
  | { type: 'DeleteContact' }
  /** On the survivor: takes in the source's state as loaded just before. */
  | { type: 'MergeContact'; sourceId: string; source: ContactState; fieldChoices: FieldChoices }
  /** On the source, after the survivor recorded the merge. */
  | { type: 'MarkMergedInto'; targetId: string }
  | { type: 'UnmergeContact'; sourceId: string }
  | { type: 'ClearMergedInto'; targetId: string };

export type ContactEvent =
  | { type: 'ContactCreated'; data: { contactId: string } & ContactFields }
  | { type: 'ContactRenamed'; data: { firstName: string; lastName: string } }
  | { type: 'ContactEmailAdded'; data: ContactEmail }
  | { type: 'ContactEmailRemoved'; data: { address: string } }
  | { type: 'ContactPrimaryEmailChanged'; data: { address: string } }
  | { type: 'ContactPhoneAdded'; data: ContactPhone }
  | { type: 'ContactPhoneRemoved'; data: { number: string } }
  | { type: 'ContactPrimaryPhoneChanged'; data: { number: string } }
  | { type: 'ContactTitleChanged'; data: { title: string | null } }
  | { type: 'ContactLinkedToCompany'; data: { companyId: string } }
  | { type: 'ContactUnlinkedFromCompany'; data: { companyId: string } }
  | { type: 'ContactAddressChanged'; data: { address: PostalAddress | null } }
  | { type: 'ContactIndustryChanged'; data: { industry: string | null } }
  | { type: 'ContactRegionChanged'; data: { region: string | null } }
  | { type: 'ContactStatusChanged'; data: { from: ContactStatus; to: ContactStatus } }
  | { type: 'ContactTagged'; data: { tag: string } }
  | { type: 'ContactUntagged'; data: { tag: string } }
  | { type: 'ContactBirthdayChanged'; data: { birthday: string | null } }
  | { type: 'ContactOwnerAssigned'; data: { ownerId: string | null } }
  | { type: 'ContactSourceChanged'; data: { source: string | null } }
  | { type: 'ContactCustomFieldsChanged'; data: { set: CustomFields; removed: string[] } }
  | { type: 'ContactArchived'; data: Record<string, never> }
  | { type: 'ContactRestored'; data: Record<string, never> }
  | { type: 'ContactDeleted'; data: Record<string, never> }
  /** On the survivor, before the change events that carry the merge out. */
  | { type: 'ContactMerged'; data: MergeEffect }
  /** On the survivor, before the change events that revert the merge. */
  | { type: 'ContactUnmerged'; data: { sourceId: string; restoredFields: string[]; keptFields: string[] } }
  | { type: 'ContactMergedInto'; data: { targetId: string } }
  | { type: 'ContactUnmergedFrom'; data: { targetId: string } };

export type ContactEventType = ContactEvent['type'];

const emptyFields = (): ContactFields => ({
  firstName: '',
  lastName: '',
  emails: [],
  phones: [],
  title: null,
  companyId: null,
  address: null,
  industry: null,
  region: null,
  status: 'lead',
  tags: [],
  birthday: null,
  ownerId: null,
  source: null,
  customFields: {},
});

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

function normaliseEmails(emails: { address: string; primary?: boolean }[]): ContactEmail[] {
  const seen = new Set<string>();
  const result: ContactEmail[] = [];
  for (const email of emails) {
    const address = email.address.trim().toLowerCase();
    if (seen.has(address)) continue;
    seen.add(address);
    result.push({ address, primary: email.primary === true });
  }
  return withOnePrimary(result, 'emails');
}

function normalisePhones(phones: { number: string; primary?: boolean }[], country: string | undefined): ContactPhone[] {
  const seen = new Set<string>();
  const result: ContactPhone[] = [];
  phones.forEach((phone, index) => {
    const parsed = parsePhoneNumberFromString(phone.number, (country as CountryCode | undefined) ?? undefined);
    if (!parsed || !parsed.isValid()) {
      throw invalid(`phones.${index}.number`, 'not a valid phone number; use international format such as +37060012345');
    }
    if (seen.has(parsed.number)) return;
    seen.add(parsed.number);
    result.push({ number: parsed.number, primary: phone.primary === true });
  });
  return withOnePrimary(result, 'phones');
}

/** Exactly one primary when the list is not empty: the first one unless the caller chose. */
function withOnePrimary<T extends { primary: boolean }>(items: T[], field: string): T[] {
  const primaries = items.filter((item) => item.primary).length;
  if (primaries > 1) throw invalid(field, 'only one entry can be primary');
  if (items.length > 0 && primaries === 0) items[0] = { ...items[0], primary: true };
  return items;
}

function validateBirthday(birthday: string | null): string | null {
  if (birthday === null) return null;
  const time = Date.parse(`${birthday}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthday) || Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== birthday) {
    throw invalid('birthday', 'must be a date as YYYY-MM-DD');
  }
  if (time > Date.now()) throw invalid('birthday', 'cannot be in the future');
  return birthday;
}

function validateNames(firstName: string, lastName: string): void {
  if (!firstName && !lastName) throw invalid('firstName', 'a contact needs a first or a last name');
}

function createFields(input: ContactInput): ContactFields {
  const fields = emptyFields();
  fields.firstName = input.firstName?.trim() ?? '';
  fields.lastName = input.lastName?.trim() ?? '';
  validateNames(fields.firstName, fields.lastName);
  fields.address = normaliseAddress(input.address);
  fields.emails = normaliseEmails(input.emails ?? []);
  fields.phones = normalisePhones(input.phones ?? [], fields.address?.country);
  fields.title = trimOrNull(input.title);
  fields.companyId = trimOrNull(input.companyId);
  fields.industry = trimOrNull(input.industry);
  fields.region = trimOrNull(input.region);
  fields.status = input.status ?? 'lead';
  fields.tags = normaliseTags(input.tags ?? []);
  fields.birthday = validateBirthday(trimOrNull(input.birthday));
  fields.ownerId = trimOrNull(input.ownerId);
  fields.source = trimOrNull(input.source);
  fields.customFields = customFieldChanges({}, input.customFields ?? {})?.set ?? {};
  return fields;
}

/** Turns a patch into the fine-grained events that describe it; an empty list when nothing changes. */
function updateEvents(state: ContactState, input: ContactInput): ContactEvent[] {
  const events: ContactEvent[] = [];
  if (input.firstName !== undefined || input.lastName !== undefined) {
    const firstName = input.firstName === undefined ? state.firstName : (input.firstName?.trim() ?? '');
    const lastName = input.lastName === undefined ? state.lastName : (input.lastName?.trim() ?? '');
    validateNames(firstName, lastName);
    if (firstName !== state.firstName || lastName !== state.lastName) events.push({ type: 'ContactRenamed', data: { firstName, lastName } });
  }
  if (input.emails !== undefined) {
    const wanted = normaliseEmails(input.emails);
    const current = state.emails.map((email) => email.address);
    for (const address of current.filter((address) => !wanted.some((email) => email.address === address))) {
      events.push({ type: 'ContactEmailRemoved', data: { address } });
    }
    for (const email of wanted.filter((email) => !current.includes(email.address))) {
      events.push({ type: 'ContactEmailAdded', data: { address: email.address, primary: false } });
    }
    const primary = wanted.find((email) => email.primary);
    const currentPrimary = state.emails.find((email) => email.primary);
    if (primary && (primary.address !== currentPrimary?.address || events.some((event) => event.type === 'ContactEmailRemoved'))) {
      events.push({ type: 'ContactPrimaryEmailChanged', data: { address: primary.address } });
    }
  }
  const address = input.address === undefined ? state.address : normaliseAddress(input.address);
  if (input.phones !== undefined) {
    const wanted = normalisePhones(input.phones, address?.country);
    const current = state.phones.map((phone) => phone.number);
    for (const number of current.filter((number) => !wanted.some((phone) => phone.number === number))) {
      events.push({ type: 'ContactPhoneRemoved', data: { number } });
    }
    for (const phone of wanted.filter((phone) => !current.includes(phone.number))) {
      events.push({ type: 'ContactPhoneAdded', data: { number: phone.number, primary: false } });
    }
    const primary = wanted.find((phone) => phone.primary);
    const currentPrimary = state.phones.find((phone) => phone.primary);
    if (primary && (primary.number !== currentPrimary?.number || events.some((event) => event.type === 'ContactPhoneRemoved'))) {
      events.push({ type: 'ContactPrimaryPhoneChanged', data: { number: primary.number } });
    }
  }
  if (input.title !== undefined && !sameValue(trimOrNull(input.title), state.title)) {
    events.push({ type: 'ContactTitleChanged', data: { title: trimOrNull(input.title) } });
  }
  if (input.companyId !== undefined) {
    const companyId = trimOrNull(input.companyId);
    if (companyId !== state.companyId) {
      if (state.companyId) events.push({ type: 'ContactUnlinkedFromCompany', data: { companyId: state.companyId } });
      if (companyId) events.push({ type: 'ContactLinkedToCompany', data: { companyId } });
    }
  }
  if (input.address !== undefined && !sameValue(address, state.address)) {
    events.push({ type: 'ContactAddressChanged', data: { address } });
  }
  if (input.industry !== undefined && !sameValue(trimOrNull(input.industry), state.industry)) {
    events.push({ type: 'ContactIndustryChanged', data: { industry: trimOrNull(input.industry) } });
  }
  if (input.region !== undefined && !sameValue(trimOrNull(input.region), state.region)) {
    events.push({ type: 'ContactRegionChanged', data: { region: trimOrNull(input.region) } });
  }
  if (input.status !== undefined && input.status !== state.status) {
    events.push({ type: 'ContactStatusChanged', data: { from: state.status, to: input.status } });
  }
  if (input.tags !== undefined) {
    const { added, removed } = tagChanges(state.tags, input.tags);
    for (const tag of removed) events.push({ type: 'ContactUntagged', data: { tag } });
    for (const tag of added) events.push({ type: 'ContactTagged', data: { tag } });
  }
  if (input.birthday !== undefined) {
    const birthday = validateBirthday(trimOrNull(input.birthday));
    if (birthday !== state.birthday) events.push({ type: 'ContactBirthdayChanged', data: { birthday } });
  }
  if (input.ownerId !== undefined && !sameValue(trimOrNull(input.ownerId), state.ownerId)) {
    events.push({ type: 'ContactOwnerAssigned', data: { ownerId: trimOrNull(input.ownerId) } });
  }
  if (input.source !== undefined && !sameValue(trimOrNull(input.source), state.source)) {
    events.push({ type: 'ContactSourceChanged', data: { source: trimOrNull(input.source) } });
  }
  if (input.customFields !== undefined) {
    const change = customFieldChanges(state.customFields, input.customFields);
    if (change) events.push({ type: 'ContactCustomFieldsChanged', data: change });
  }
  return events;
}

function decide(command: ContactCommand, state: ContactState): ContactEvent[] {
  if (command.type === 'CreateContact') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Contact ${command.contactId} already exists`);
    return [{ type: 'ContactCreated', data: { contactId: command.contactId, ...createFields(command.input) } }];
  }
  assertExists(state.lifecycle, 'Contact');
  // A merged source is frozen until it is unmerged, so that an unmerge gives back what was merged.
  const frozenFor = ['UpdateContact', 'ArchiveContact', 'RestoreContact', 'MergeContact', 'UnmergeContact'];
  if (state.merge.into && frozenFor.includes(command.type)) {
    throw new DomainError('conflict', `Contact ${state.id} was merged into ${state.merge.into}; unmerge it first`);
  }
  switch (command.type) {
    case 'MergeContact':
      return mergeEvents(state, command);
    case 'MarkMergedInto':
      if (state.merge.into === command.targetId) return [];
      if (state.merge.into) throw new DomainError('conflict', `Contact ${state.id} was merged into ${state.merge.into}`);
      return [{ type: 'ContactMergedInto', data: { targetId: command.targetId } }];
    case 'UnmergeContact': {
      const effect = state.merge.from[command.sourceId];
      if (!effect) throw new DomainError('conflict', `Contact ${command.sourceId} is not merged into ${state.id}`, [{ field: 'sourceId', reason: 'not merged into this contact' }]);
      const { input, restored, kept } = planUnmerge(state, effect);
      return [{ type: 'ContactUnmerged', data: { sourceId: command.sourceId, restoredFields: restored, keptFields: kept } }, ...updateEvents(state, input)];
    }
    case 'ClearMergedInto':
      return state.merge.into === command.targetId ? [{ type: 'ContactUnmergedFrom', data: { targetId: command.targetId } }] : [];
    case 'UpdateContact':
      return updateEvents(state, command.input);
    case 'ArchiveContact':
      return state.lifecycle === 'archived' ? [] : [{ type: 'ContactArchived', data: {} }];
    case 'RestoreContact':
      return state.lifecycle === 'active' ? [] : [{ type: 'ContactRestored', data: {} }];
    case 'DeleteContact':
      return [{ type: 'ContactDeleted', data: {} }];
  }
}

function mergeEvents(state: ContactState, command: Extract<ContactCommand, { type: 'MergeContact' }>): ContactEvent[] {
  const { sourceId, source } = command;
  // Already recorded: a retry after a failure between the two streams only has the source left to mark.
  if (state.merge.from[sourceId]) return [];
  const invalidSource = (reason: string) => new DomainError('invalid', `Invalid sourceId: ${reason}`, [{ field: 'sourceId', reason }]);
  if (sourceId === state.id) throw invalidSource('a contact cannot be merged into itself');
  if (source.lifecycle === 'absent' || source.lifecycle === 'deleted') throw new DomainError('not_found', `Contact ${sourceId} not found`, [{ field: 'sourceId', reason: 'no contact with this id' }]);
  if (source.merge.into) throw new DomainError('conflict', `Contact ${sourceId} was already merged into ${source.merge.into}`, [{ field: 'sourceId', reason: 'already merged' }]);
  const { effect, input } = planMerge(state, source, sourceId, command.fieldChoices);
  return [{ type: 'ContactMerged', data: effect }, ...updateEvents(state, input)];
}

const setPrimary = <T extends { primary: boolean }>(items: T[], isPrimary: (item: T) => boolean): T[] =>
  items.map((item) => ({ ...item, primary: isPrimary(item) }));

function evolve(state: ContactState, event: ContactEvent): ContactState {
  switch (event.type) {
    case 'ContactCreated': {
      const { contactId, ...fields } = event.data;
      return { ...emptyFields(), ...fields, id: contactId, lifecycle: 'active', merge: noMerge() };
    }
    case 'ContactRenamed':
      return { ...state, firstName: event.data.firstName, lastName: event.data.lastName };
    case 'ContactEmailAdded': {
      const emails = [...state.emails, event.data];
      return { ...state, emails: event.data.primary || emails.length === 1 ? setPrimary(emails, (email) => email.address === event.data.address) : emails };
    }
    case 'ContactEmailRemoved': {
      const emails = state.emails.filter((email) => email.address !== event.data.address);
      return { ...state, emails: emails.length && !emails.some((email) => email.primary) ? setPrimary(emails, (email) => email === emails[0]) : emails };
    }
    case 'ContactPrimaryEmailChanged':
      return { ...state, emails: setPrimary(state.emails, (email) => email.address === event.data.address) };
    case 'ContactPhoneAdded': {
      const phones = [...state.phones, event.data];
      return { ...state, phones: event.data.primary || phones.length === 1 ? setPrimary(phones, (phone) => phone.number === event.data.number) : phones };
    }
    case 'ContactPhoneRemoved': {
      const phones = state.phones.filter((phone) => phone.number !== event.data.number);
      return { ...state, phones: phones.length && !phones.some((phone) => phone.primary) ? setPrimary(phones, (phone) => phone === phones[0]) : phones };
    }
    case 'ContactPrimaryPhoneChanged':
      return { ...state, phones: setPrimary(state.phones, (phone) => phone.number === event.data.number) };
    case 'ContactTitleChanged':
      return { ...state, title: event.data.title };
    case 'ContactLinkedToCompany':
      return { ...state, companyId: event.data.companyId };
    case 'ContactUnlinkedFromCompany':
      return { ...state, companyId: state.companyId === event.data.companyId ? null : state.companyId };
    case 'ContactAddressChanged':
      return { ...state, address: event.data.address };
    case 'ContactIndustryChanged':
      return { ...state, industry: event.data.industry };
    case 'ContactRegionChanged':
      return { ...state, region: event.data.region };
    case 'ContactStatusChanged':
      return { ...state, status: event.data.to };
    case 'ContactTagged':
      return { ...state, tags: state.tags.includes(event.data.tag) ? state.tags : [...state.tags, event.data.tag] };
    case 'ContactUntagged':
      return { ...state, tags: state.tags.filter((tag) => tag !== event.data.tag) };
    case 'ContactBirthdayChanged':
      return { ...state, birthday: event.data.birthday };
    case 'ContactOwnerAssigned':
      return { ...state, ownerId: event.data.ownerId };
    case 'ContactSourceChanged':
      return { ...state, source: event.data.source };
    case 'ContactCustomFieldsChanged':
      return { ...state, customFields: applyCustomFieldChanges(state.customFields, event.data) };
    case 'ContactArchived':
      return { ...state, lifecycle: 'archived' };
    case 'ContactRestored':
      return { ...state, lifecycle: 'active' };
    case 'ContactDeleted':
      // Erasure: keep nothing but the fact that the record existed.
      return { ...emptyFields(), id: state.id, lifecycle: 'deleted', merge: noMerge() };
    // `?? noMerge()`: read-model documents projected before merges existed carry no `merge`.
    case 'ContactMerged': {
      const merge = state.merge ?? noMerge();
      return { ...state, merge: { ...merge, from: { ...merge.from, [event.data.sourceId]: event.data } } };
    }
    case 'ContactUnmerged': {
      const merge = state.merge ?? noMerge();
      return { ...state, merge: { ...merge, from: Object.fromEntries(Object.entries(merge.from).filter(([sourceId]) => sourceId !== event.data.sourceId)) } };
    }
    case 'ContactMergedInto':
      return { ...state, merge: { ...(state.merge ?? noMerge()), into: event.data.targetId } };
    case 'ContactUnmergedFrom':
      return { ...state, merge: { ...(state.merge ?? noMerge()), into: null } };
    default:
      // Unknown event types (written by a newer version) leave the state alone.
      return state;
  }
}

export const contactDecider: Decider<ContactCommand, ContactState, ContactEvent> = {
  initialState: () => ({ ...emptyFields(), id: null, lifecycle: 'absent', merge: noMerge() }),
  decide,
  evolve,
};

/** The top-level field each event type touches, for history and integration events. */
export const CONTACT_FIELDS_BY_EVENT: Record<ContactEventType, (keyof ContactFields | 'archived')[]> = {
  ContactCreated: [],
  ContactRenamed: ['firstName', 'lastName'],
  ContactEmailAdded: ['emails'],
  ContactEmailRemoved: ['emails'],
  ContactPrimaryEmailChanged: ['emails'],
  ContactPhoneAdded: ['phones'],
  ContactPhoneRemoved: ['phones'],
  ContactPrimaryPhoneChanged: ['phones'],
  ContactTitleChanged: ['title'],
  ContactLinkedToCompany: ['companyId'],
  ContactUnlinkedFromCompany: ['companyId'],
  ContactAddressChanged: ['address'],
  ContactIndustryChanged: ['industry'],
  ContactRegionChanged: ['region'],
  ContactStatusChanged: ['status'],
  ContactTagged: ['tags'],
  ContactUntagged: ['tags'],
  ContactBirthdayChanged: ['birthday'],
  ContactOwnerAssigned: ['ownerId'],
  ContactSourceChanged: ['source'],
  ContactCustomFieldsChanged: ['customFields'],
  ContactArchived: ['archived'],
  ContactRestored: ['archived'],
  ContactDeleted: [],
  // The change events that follow a merge or unmerge name the fields; these only mark it.
  ContactMerged: [],
  ContactUnmerged: [],
  ContactMergedInto: [],
  ContactUnmergedFrom: [],
};

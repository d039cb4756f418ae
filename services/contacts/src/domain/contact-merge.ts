import { type CustomFields, type JsonValue, sameValue } from './common';
import type { ContactInput, ContactState } from './contact';

/**
 * Reversible merge. A merge records its own effect on the survivor (each value it changed, before and
 * after, and what it added to the lists), and the survivor's ordinary change events carry it out. An
 * unmerge reads that record back and reverts exactly what the merge did and is still in place: later
 * edits to other fields (or to the same field) are kept, and the source record, which the merge never
 * changed, only loses its "merged into" mark.
 */

/** Single-valued fields the caller can take from either side; `name` is first and last name together. */
export const MERGE_SCALAR_FIELDS = ['name', 'title', 'companyId', 'address', 'industry', 'region', 'status', 'birthday', 'ownerId', 'source'] as const;
export type MergeScalarField = (typeof MERGE_SCALAR_FIELDS)[number];
/** What `fieldChoices` may name: the scalars, which primary email and phone win, and conflicting custom fields. */
export const MERGE_CHOICE_FIELDS = [...MERGE_SCALAR_FIELDS, 'primaryEmail', 'primaryPhone', 'customFields'] as const;
export type MergeChoiceField = (typeof MERGE_CHOICE_FIELDS)[number];
export type MergeSide = 'target' | 'source';
export type FieldChoices = Partial<Record<MergeChoiceField, MergeSide>>;

export interface ValueChange {
  before: JsonValue;
  after: JsonValue;
}

/** What a merge changed on the survivor: the data of `ContactMerged`, and all an unmerge needs. */
export interface MergeEffect {
  sourceId: string;
  fields: Partial<Record<MergeScalarField, ValueChange>>;
  addedEmails: string[];
  addedPhones: string[];
  addedTags: string[];
  primaryEmail: ValueChange | null;
  primaryPhone: ValueChange | null;
  /** Custom fields the merge set; `before` null when the survivor did not have the key. */
  customFields: Record<string, ValueChange>;
}

export interface ContactMergeState {
  /** Set on a merged source: the survivor GETs are redirected to. */
  into: string | null;
  /** On a survivor: the effect of each merge still in place, by source id. */
  from: Record<string, MergeEffect>;
}

export const noMerge = (): ContactMergeState => ({ into: null, from: {} });

type Side = Record<string, unknown> & Pick<ContactState, 'firstName' | 'lastName'>;

function scalarOf(contact: Side, field: MergeScalarField): JsonValue {
  if (field === 'name') return { firstName: contact.firstName, lastName: contact.lastName };
  return (contact[field] ?? null) as JsonValue;
}

function setScalar(input: ContactInput, field: MergeScalarField, value: JsonValue): void {
  if (field === 'name') {
    const name = value as { firstName: string; lastName: string };
    input.firstName = name.firstName;
    input.lastName = name.lastName;
  } else {
    (input as Record<string, unknown>)[field] = value;
  }
}

const primaryOf = <T extends { primary: boolean }>(items: T[]): T | undefined => items.find((item) => item.primary);

/**
 * The survivor's change and its record. Scalars follow `fieldChoices`; without a choice the survivor keeps
 * its value, unless it has none and the source has one (a merge fills gaps). Emails, phones and tags are
 * unioned; custom fields the survivor lacks come from the source.
 */
export function planMerge(target: ContactState, source: ContactState, sourceId: string, choices: FieldChoices): { effect: MergeEffect; input: ContactInput } {
  const input: ContactInput = {};
  const effect: MergeEffect = { sourceId, fields: {}, addedEmails: [], addedPhones: [], addedTags: [], primaryEmail: null, primaryPhone: null, customFields: {} };
  for (const field of MERGE_SCALAR_FIELDS) {
    const before = scalarOf(target as unknown as Side, field);
    const theirs = scalarOf(source as unknown as Side, field);
    const side = choices[field] ?? (before === null && theirs !== null ? 'source' : 'target');
    if (side !== 'source' || sameValue(before, theirs)) continue;
    effect.fields[field] = { before, after: theirs };
    setScalar(input, field, theirs);
  }

  effect.addedEmails = source.emails.map((email) => email.address).filter((address) => !target.emails.some((email) => email.address === address));
  const targetPrimaryEmail = primaryOf(target.emails)?.address ?? null;
  const sourcePrimaryEmail = primaryOf(source.emails)?.address ?? null;
  const primaryEmail = choices.primaryEmail === 'source' && sourcePrimaryEmail ? sourcePrimaryEmail : targetPrimaryEmail;
  if (primaryEmail !== targetPrimaryEmail) effect.primaryEmail = { before: targetPrimaryEmail, after: primaryEmail };
  if (effect.addedEmails.length || effect.primaryEmail) {
    input.emails = [...target.emails.map((email) => email.address), ...effect.addedEmails].map((address) => ({ address, primary: address === primaryEmail }));
  }

  effect.addedPhones = source.phones.map((phone) => phone.number).filter((number) => !target.phones.some((phone) => phone.number === number));
  const targetPrimaryPhone = primaryOf(target.phones)?.number ?? null;
  const sourcePrimaryPhone = primaryOf(source.phones)?.number ?? null;
  const primaryPhone = choices.primaryPhone === 'source' && sourcePrimaryPhone ? sourcePrimaryPhone : targetPrimaryPhone;
  if (primaryPhone !== targetPrimaryPhone) effect.primaryPhone = { before: targetPrimaryPhone, after: primaryPhone };
  if (effect.addedPhones.length || effect.primaryPhone) {
    input.phones = [...target.phones.map((phone) => phone.number), ...effect.addedPhones].map((number) => ({ number, primary: number === primaryPhone }));
  }

  effect.addedTags = source.tags.filter((tag) => !target.tags.includes(tag));
  if (effect.addedTags.length) input.tags = [...target.tags, ...effect.addedTags];

  const customFields: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(source.customFields)) {
    const mine = key in target.customFields ? target.customFields[key] : null;
    if (sameValue(mine, value) || (mine !== null && choices.customFields !== 'source')) continue;
    effect.customFields[key] = { before: mine, after: value };
    customFields[key] = value;
  }
  if (Object.keys(customFields).length) input.customFields = customFields;
  return { effect, input };
}

/**
 * The survivor's change that undoes a merge, and which fields were restored or kept. A value is put back
 * only while it is still the one the merge wrote: a later edit of the same field wins over the unmerge.
 */
export function planUnmerge(state: ContactState, effect: MergeEffect): { input: ContactInput; restored: string[]; kept: string[] } {
  const input: ContactInput = {};
  const restored: string[] = [];
  const kept: string[] = [];
  for (const [field, change] of Object.entries(effect.fields) as [MergeScalarField, ValueChange][]) {
    if (sameValue(scalarOf(state as unknown as Side, field), change.after)) {
      setScalar(input, field, change.before);
      restored.push(field);
    } else {
      kept.push(field);
    }
  }

  const emails = state.emails.filter((email) => !effect.addedEmails.includes(email.address));
  const currentPrimaryEmail = primaryOf(state.emails)?.address ?? null;
  let primaryEmail = emails.some((email) => email.address === currentPrimaryEmail) ? currentPrimaryEmail : (emails[0]?.address ?? null);
  if (effect.primaryEmail && currentPrimaryEmail === effect.primaryEmail.after && emails.some((email) => email.address === effect.primaryEmail!.before)) {
    primaryEmail = effect.primaryEmail.before as string;
  }
  if (emails.length !== state.emails.length || primaryEmail !== currentPrimaryEmail) {
    input.emails = emails.map((email) => ({ address: email.address, primary: email.address === primaryEmail }));
    restored.push('emails');
  }

  const phones = state.phones.filter((phone) => !effect.addedPhones.includes(phone.number));
  const currentPrimaryPhone = primaryOf(state.phones)?.number ?? null;
  let primaryPhone = phones.some((phone) => phone.number === currentPrimaryPhone) ? currentPrimaryPhone : (phones[0]?.number ?? null);
  if (effect.primaryPhone && currentPrimaryPhone === effect.primaryPhone.after && phones.some((phone) => phone.number === effect.primaryPhone!.before)) {
    primaryPhone = effect.primaryPhone.before as string;
  }
  if (phones.length !== state.phones.length || primaryPhone !== currentPrimaryPhone) {
    input.phones = phones.map((phone) => ({ number: phone.number, primary: phone.number === primaryPhone }));
    restored.push('phones');
  }

  if (state.tags.some((tag) => effect.addedTags.includes(tag))) {
    input.tags = state.tags.filter((tag) => !effect.addedTags.includes(tag));
    restored.push('tags');
  }

  const customFields: Record<string, JsonValue | null> = {};
  for (const [key, change] of Object.entries(effect.customFields)) {
    if (sameValue((state.customFields as CustomFields)[key] ?? null, change.after)) customFields[key] = change.before;
    else kept.push(`customFields.${key}`);
  }
  if (Object.keys(customFields).length) {
    input.customFields = customFields;
    restored.push('customFields');
  }
  return { input, restored, kept };
}

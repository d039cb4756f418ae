import { DomainError } from '@crm/decider';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type CustomFields = Record<string, JsonValue>;

export interface PostalAddress {
  street?: string;
  city?: string;
  region?: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
  postalCode?: string;
}

/** Where a record is in its life: a deleted record keeps only a tombstone. */
export type Lifecycle = 'absent' | 'active' | 'archived' | 'deleted';

/** Custom field names: also the rule for the names of custom field definitions. */
export const CUSTOM_FIELD_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_CUSTOM_FIELDS = 100;
const MAX_CUSTOM_FIELD_BYTES = 16_384;

export function assertExists(lifecycle: Lifecycle, what: string): void {
  if (lifecycle === 'absent' || lifecycle === 'deleted') throw new DomainError('not_found', `${what} not found`);
}

/**
 * Merge-patch semantics (RFC 7396) for custom fields: a null value removes the key.
 * Returns what to set and what to remove, or null when nothing changes.
 */
export function customFieldChanges(current: CustomFields, patch: Record<string, JsonValue | null>) {
  const set: CustomFields = {};
  const removed: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!CUSTOM_FIELD_KEY.test(key)) {
      throw new DomainError('invalid', 'Invalid custom field name', [
        { field: `customFields.${key}`, reason: 'names start with a letter or _ and hold at most 64 letters, digits or _' },
      ]);
    }
    if (value === null) {
      if (key in current) removed.push(key);
    } else if (JSON.stringify(current[key]) !== JSON.stringify(value)) {
      set[key] = value;
    }
  }
  const result = { ...current, ...set };
  for (const key of removed) delete result[key];
  if (Object.keys(result).length > MAX_CUSTOM_FIELDS) {
    throw new DomainError('invalid', 'Too many custom fields', [{ field: 'customFields', reason: `at most ${MAX_CUSTOM_FIELDS} fields` }]);
  }
  if (Buffer.byteLength(JSON.stringify(result)) > MAX_CUSTOM_FIELD_BYTES) {
    throw new DomainError('invalid', 'Custom fields too large', [{ field: 'customFields', reason: `at most ${MAX_CUSTOM_FIELD_BYTES} bytes of JSON` }]);
  }
  return Object.keys(set).length || removed.length ? { set, removed } : null;
}

export function applyCustomFieldChanges(current: CustomFields, change: { set: CustomFields; removed: string[] }): CustomFields {
  const result = { ...current, ...change.set };
  for (const key of change.removed) delete result[key];
  return result;
}

/** Tags are trimmed, lower-cased and unique, so `VIP` and `vip ` are one tag. */
export function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim().toLowerCase()).filter((tag) => tag.length > 0))];
}

export function tagChanges(current: string[], wanted: string[]) {
  const next = normaliseTags(wanted);
  return { added: next.filter((tag) => !current.includes(tag)), removed: current.filter((tag) => !next.includes(tag)) };
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function normaliseAddress(address: PostalAddress | null | undefined): PostalAddress | null {
  if (!address) return null;
  const entries = Object.entries(address).filter(([, value]) => typeof value === 'string' && value.trim() !== '');
  if (entries.length === 0) return null;
  const result = Object.fromEntries(entries.map(([key, value]) => [key, (value as string).trim()])) as PostalAddress;
  if (result.country) result.country = result.country.toUpperCase();
  return result;
}

export const trimOrNull = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

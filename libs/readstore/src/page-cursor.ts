import { createHash } from 'node:crypto';
import { type Filter, InvalidCursorError, type SortSpec } from './read-store.port';

/**
 * Keyset pagination shared by the read-store adapters: the sort keys of a page query with `_id`
 * as the final tie-breaker, and the opaque cursor that carries the last item's sort values.
 */

export type SortDirection = 1 | -1;

export interface PageSortKey {
  path: string;
  direction: SortDirection;
}

/** Where the previous page ended: the sort values of its last item (one per key before `_id`) and its `_id`. */
export interface PagePosition {
  values: unknown[];
  id: string;
}

/**
 * The sort keys of a page query. `_id` ends the list because it is unique: keys after it could never
 * decide an order. It takes the direction of the last key so that one index on `(key, _id)` serves
 * both the order and the keyset condition.
 */
export function pageSortKeys(sort: SortSpec | undefined): PageSortKey[] {
  const keys: PageSortKey[] = [];
  for (const [path, direction] of Object.entries(sort ?? {})) {
    if (direction !== 1 && direction !== -1) throw new Error(`Sort direction of ${path} must be 1 or -1`);
    keys.push({ path, direction });
    if (path === '_id') return keys;
  }
  keys.push({ path: '_id', direction: keys.at(-1)?.direction ?? 1 });
  return keys;
}

/** Identifies the query a cursor belongs to, so that a cursor is never replayed against another one. */
export function pageFingerprint(collection: string, filter: Filter, keys: PageSortKey[]): string {
  return digest(stableJson({ collection, filter, keys: keys.map((key) => [key.path, key.direction]) }));
}

export function encodePageCursor(position: PagePosition, fingerprint: string): string {
  const body = Buffer.from(JSON.stringify({ v: position.values, i: position.id, f: fingerprint })).toString('base64url');
  return `${body}.${digest(body)}`;
}

/** Throws InvalidCursorError when the cursor was altered, is not ours, or belongs to another query. */
export function decodePageCursor(cursor: string, fingerprint: string, keys: PageSortKey[]): PagePosition {
  if (typeof cursor !== 'string') throw new InvalidCursorError();
  const [body, checksum, extra] = cursor.split('.');
  if (!body || !checksum || extra !== undefined || digest(body) !== checksum) throw new InvalidCursorError();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof decoded !== 'object' || decoded === null) throw new InvalidCursorError();
  const { v: values, i: id, f: cursorFingerprint } = decoded as Record<string, unknown>;
  if (
    cursorFingerprint !== fingerprint ||
    typeof id !== 'string' ||
    !Array.isArray(values) ||
    values.length !== keys.length - 1
  ) {
    throw new InvalidCursorError();
  }
  return { values, id };
}

/** JSON with object keys in a fixed order and regular expressions spelled out, for fingerprints. */
export function stableJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
  if (value instanceof RegExp) return { $regex: value.source, $options: value.flags };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, canonical(item)]));
  }
  return value;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

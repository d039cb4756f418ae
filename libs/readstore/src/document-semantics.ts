import { randomUUID } from 'node:crypto';
import { Context } from 'mingo';
import * as expressionOperators from 'mingo/operators/expression';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as updateOperators from 'mingo/operators/update';
import { Query } from 'mingo/query';
import { compare, resolve } from 'mingo/util';
import type { Document, Filter, UpdateSpec } from './read-store.port';
import type { PageSortKey } from './page-cursor';

/**
 * MongoDB query and update semantics, evaluated in memory by mingo. Adapters that cannot hand a
 * filter to a server use these functions so that every adapter agrees on what a filter means.
 */

// mingo's top-level Query copies every operator of every kind into a fresh context on each
// construction (~25 µs); a context built once with only what filters and projections use brings that to a few µs.
const MINGO_OPTIONS = {
  context: Context.init({
    query: { ...queryOperators },
    projection: { ...projectionOperators },
    expression: { ...expressionOperators },
  }),
};

type AnyDocument = Record<string, unknown>;
type UpdateOperator = (expression: AnyDocument) => (document: AnyDocument) => string[];
const UPDATE_OPERATORS = updateOperators as unknown as Record<string, UpdateOperator | undefined>;

export type DocumentMatcher = (document: AnyDocument) => boolean;

/** Compiled on first use: writes that find no candidate row (most upserts of a rebuild) never pay for it. */
export function compileFilter(filter: Filter): DocumentMatcher {
  if (Object.keys(filter).length === 0) return () => true;
  let query: Query | undefined;
  return (document) => (query ??= new Query(filter, MINGO_OPTIONS)).test(document);
}

/**
 * Orders documents by MongoDB's sort keys (`sortKeyOf`) compared with mingo's `compare`, ties kept
 * in input order, reading each document's keys once.
 */
export function sortDocuments<T extends AnyDocument>(documents: T[], keys: PageSortKey[], limit = Infinity): T[] {
  if (keys.length === 0) return documents.slice(0, limit);
  const ranked = firstInOrder(
    documents.map((document) => ({ document, values: keys.map((key) => sortValueOf(document, key)) })),
    keys,
    limit,
  );
  return ranked.map((entry) => entry.document);
}

/**
 * The first `limit` entries in the order of their sort values, ties kept in input order. With a
 * small limit, keeps only those instead of sorting everything.
 */
export function firstInOrder<E extends { values: unknown[] }>(entries: E[], keys: PageSortKey[], limit: number): E[] {
  const order = (left: E, right: E) => compareSortValues(left.values, right.values, keys);
  if (limit * 8 >= entries.length) return entries.sort(order).slice(0, limit);
  const kept: E[] = [];
  for (const entry of entries) {
    if (kept.length === limit && order(entry, kept[kept.length - 1]!) >= 0) continue;
    // After the equal ones already kept, so that ties keep their input order.
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (order(entry, kept[middle]!) < 0) high = middle;
      else low = middle + 1;
    }
    kept.splice(low, 0, entry);
    if (kept.length > limit) kept.pop();
  }
  return kept;
}

export function projectDocuments<T>(documents: T[], projection: Record<string, 0 | 1> | undefined): T[] {
  if (!projection || Object.keys(projection).length === 0) return documents;
  return new Query({}, MINGO_OPTIONS).find<AnyDocument>(documents, projection).all() as T[];
}

/** The value at `path` as a sort sees it: see `sortKeyOf`. */
export function sortValueOf(document: AnyDocument, key: PageSortKey): unknown {
  return sortKeyOf(resolve(document, key.path), key.direction);
}

/**
 * MongoDB's sort key for a value: missing and null are the same (and sort first); an array sorts by
 * its smallest element ascending and its largest descending, an empty array before null. A single
 * key per document keeps the order total, which keyset pages rely on (mingo's own sort compares
 * whole arrays, which is not).
 */
export function sortKeyOf(value: unknown, direction: 1 | -1): unknown {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0) return value;
  let chosen: unknown = value[0] ?? null;
  for (let index = 1; index < value.length; index++) {
    const candidate: unknown = value[index] ?? null;
    if (compare(candidate, chosen) * direction < 0) chosen = candidate;
  }
  return chosen;
}

/** The value found at `path`, for messages (not sorting). */
export function valueAt(document: AnyDocument, path: string): unknown {
  return resolve(document, path) ?? null;
}

/** Orders two documents' sort values the way mingo's sort does, key by key. */
export function compareSortValues(left: unknown[], right: unknown[], keys: PageSortKey[]): number {
  for (let index = 0; index < keys.length; index++) {
    const order = compare(left[index] ?? null, right[index] ?? null);
    if (order !== 0) return order * keys[index]!.direction;
  }
  return 0;
}

/**
 * Applies an update document in place. `$setOnInsert` is honoured only when the update creates the
 * document, as in MongoDB.
 */
export function applyUpdate(document: AnyDocument, update: UpdateSpec, inserting: boolean): void {
  const id = document._id;
  for (const [operatorName, expression] of Object.entries(update)) {
    if (expression === undefined) continue;
    if (operatorName === '$setOnInsert') {
      if (inserting) runOperator('$set', expression as AnyDocument, document);
      continue;
    }
    runOperator(operatorName, expression as AnyDocument, document);
  }
  if (document._id !== id) throw new Error(`An update may not change _id (${String(id)})`);
}

export function assertUpdateDocument(update: UpdateSpec): void {
  const keys = Object.keys(update);
  if (keys.some((key) => !key.startsWith('$'))) {
    throw new Error('An update document holds only update operators ($set, $inc, ...); use replaceOne to replace');
  }
  for (const key of keys) {
    if (key !== '$setOnInsert' && !UPDATE_OPERATORS[key]) throw new Error(`Unsupported update operator ${key}`);
  }
}

function runOperator(operatorName: string, expression: AnyDocument, document: AnyDocument): void {
  const operator = UPDATE_OPERATORS[operatorName];
  if (!operator) throw new Error(`Unsupported update operator ${operatorName}`);
  if (Object.keys(expression).length > 0) operator(expression)(document);
}

/**
 * The document an upsert starts from: the filter's equality conditions (MongoDB's rule), with an
 * `_id` taken from the filter or generated.
 */
export function documentSeededFromFilter(filter: Filter): Document {
  const equalities: AnyDocument = {};
  collectEqualities(filter, equalities);
  const { _id: filterId, ...fields } = equalities;
  const document: AnyDocument = { _id: typeof filterId === 'string' ? filterId : randomUUID() };
  if (Object.keys(fields).length > 0) runOperator('$set', fields, document);
  return document as Document;
}

function collectEqualities(filter: Filter, into: AnyDocument): void {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(condition)) {
      for (const part of condition) collectEqualities(part as Filter, into);
      continue;
    }
    if (key.startsWith('$') || condition instanceof RegExp) continue;
    if (isOperatorObject(condition)) {
      if ('$eq' in condition) into[key] = condition.$eq;
      continue;
    }
    into[key] = condition;
  }
}

export function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => key.startsWith('$'));
}

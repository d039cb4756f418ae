import type { SQLInputValue } from 'node:sqlite';
import { isOperatorObject } from './document-semantics';
import type { PageSortKey } from './page-cursor';
import type { Filter } from './read-store.port';

/**
 * Turns the parts of a MongoDB filter that SQLite can check into SQL conditions on the JSON
 * documents, so that indexes narrow the rows before mingo reads them. The SQL never decides on
 * its own: it selects a superset of the matching rows and mingo evaluates the whole filter on
 * them, unless every condition was translated exactly (`exact`).
 */

/**
 * What has been seen at an indexed path, maintained on every write (like MongoDB's multikey flag).
 * - `multikey`: an array was met along the path, so `json_extract` no longer finds every match.
 * - `unorderable`: a value whose SQLite order differs from mingo's was stored (boolean, object,
 *   array, or a string with characters from U+D800 up, where UTF-8 and UTF-16 orders part).
 */
export interface PathProfile {
  multikey: boolean;
  unorderable: boolean;
}

export interface PlanContext {
  /** The profile of an indexed path; undefined when no index covers the path. */
  profileOf(path: string): PathProfile | undefined;
  /**
   * The table indexing the elements of an indexed top-level path that holds arrays (columns
   * `value`, `type`, `_id`, keyed by value): MongoDB's multikey index, which an expression index cannot be.
   */
  elementIndexOf(path: string): string | undefined;
}

export interface SqlSelection {
  /** Conditions to AND together. */
  where: string[];
  params: SQLInputValue[];
  /** True when the rows selected are exactly the rows the filter matches. */
  exact: boolean;
}

export interface SqlOrderTerm {
  expression: string;
  direction: 1 | -1;
}

const FIELD_SEGMENT = /^[^"$.\\\u0000-\u001f][^".\\\u0000-\u001f]*$/;

/** The SQL string literal of the JSON path for a dotted field path, or null when it cannot be spelled. */
export function jsonPathLiteral(path: string): string | null {
  const segments = path.split('.');
  if (!segments.every((segment) => FIELD_SEGMENT.test(segment))) return null;
  const jsonPath = '$' + segments.map((segment) => `."${segment}"`).join('');
  return `'${jsonPath.replaceAll("'", "''")}'`;
}

/** The expression both the indexes and the queries use, spelled identically so that SQLite matches them. */
export function jsonExtract(path: string): string | null {
  if (path === '_id') return '_id';
  const literal = jsonPathLiteral(path);
  return literal === null ? null : `json_extract(doc, ${literal})`;
}

export function jsonType(path: string): string | null {
  const literal = jsonPathLiteral(path);
  return literal === null ? null : `json_type(doc, ${literal})`;
}

/** Classifies the value a document holds at a path, for the path's profile. */
export function profileOfValue(document: Record<string, unknown>, path: string): PathProfile {
  let value: unknown = document;
  for (const segment of path.split('.')) {
    if (Array.isArray(value)) return { multikey: true, unorderable: true };
    if (value === null || typeof value !== 'object') return { multikey: false, unorderable: false };
    value = (value as Record<string, unknown>)[segment];
  }
  if (Array.isArray(value)) return { multikey: true, unorderable: true };
  const unorderable =
    typeof value === 'boolean' ||
    (typeof value === 'object' && value !== null) ||
    (typeof value === 'string' && /[\ud800-\uffff]/.test(value));
  return { multikey: false, unorderable };
}

export function planFilter(filter: Filter, context: PlanContext): SqlSelection {
  const { predicates, exact } = filterPredicates(filter, context);
  return { where: predicates.map((predicate) => predicate.sql), params: predicates.flatMap((predicate) => predicate.params), exact };
}

/**
 * ORDER BY terms equivalent to mingo's sort, or null when SQLite would order differently
 * (path not indexed, so its values are unknown, or holding arrays, booleans or objects).
 */
export function planOrder(keys: PageSortKey[], context: PlanContext): SqlOrderTerm[] | null {
  const terms: SqlOrderTerm[] = [];
  for (const key of keys) {
    const expression = jsonExtract(key.path);
    if (expression === null) return null;
    if (key.path !== '_id') {
      const profile = context.profileOf(key.path);
      if (!profile || profile.multikey || profile.unorderable) return null;
    }
    terms.push({ expression, direction: key.direction });
  }
  return terms;
}

export function orderByClause(terms: SqlOrderTerm[]): string {
  return terms.map((term) => `${term.expression} ${term.direction === 1 ? 'ASC' : 'DESC'}`).join(', ');
}

/**
 * Rows strictly after `values`/`id` in the order of `terms` (the last term being `_id`), with
 * SQLite's NULL-first order, which is also mingo's for missing and null values.
 */
export function keysetCondition(terms: SqlOrderTerm[], values: SQLInputValue[]): { sql: string; params: SQLInputValue[] } {
  const build = (index: number): { sql: string; params: SQLInputValue[] } => {
    const { expression, direction } = terms[index]!;
    const value = values[index]!;
    if (index === terms.length - 1) return { sql: `${expression} ${direction === 1 ? '>' : '<'} ?`, params: [value] };
    const rest = build(index + 1);
    const same = value === null ? { sql: `${expression} IS NULL`, params: [] } : { sql: `${expression} = ?`, params: [value] };
    const beyond =
      direction === 1
        ? value === null
          ? { sql: `${expression} IS NOT NULL`, params: [] }
          : { sql: `${expression} > ?`, params: [value] }
        : value === null
          ? null // nothing sorts after null in descending order but other nulls
          : { sql: `(${expression} < ? OR ${expression} IS NULL)`, params: [value] };
    const tie = { sql: `(${same.sql} AND ${rest.sql})`, params: [...same.params, ...rest.params] };
    return beyond ? { sql: `(${beyond.sql} OR ${tie.sql})`, params: [...beyond.params, ...tie.params] } : tie;
  };
  return build(0);
}

/**
 * Plain range conditions on the first sort key implied by the keyset condition, which SQLite can
 * seek on (it cannot through the OR). Each entry is one leg to read in turn: descending order
 * after a non-null value needs the values below it first and then the nulls.
 */
export function keysetSeekLegs(terms: SqlOrderTerm[], firstValue: SQLInputValue): Array<{ sql: string; params: SQLInputValue[] }> {
  if (terms.length < 2) return [{ sql: '1', params: [] }];
  const { expression, direction } = terms[0]!;
  if (direction === 1) {
    return firstValue === null ? [{ sql: '1', params: [] }] : [{ sql: `${expression} >= ?`, params: [firstValue] }];
  }
  if (firstValue === null) return [{ sql: `${expression} IS NULL`, params: [] }];
  return [
    { sql: `${expression} <= ?`, params: [firstValue] },
    { sql: `${expression} IS NULL`, params: [] },
  ];
}

/**
 * A SQL condition on a document row. Unless `exact`, it may hold for rows the MongoDB condition
 * rejects (a superset), never the other way round; only exact predicates may be negated.
 */
interface Predicate {
  sql: string;
  params: SQLInputValue[];
  exact: boolean;
}

const exactly = (sql: string, params: SQLInputValue[] = []): Predicate => ({ sql, params, exact: true });
const atLeast = (sql: string, params: SQLInputValue[] = []): Predicate => ({ sql, params, exact: false });

/**
 * The conditions to AND for a filter (a part with no SQL form contributes nothing), and whether
 * they select its matches exactly: every part of it translated exactly.
 */
function filterPredicates(filter: Filter, context: PlanContext): { predicates: Predicate[]; exact: boolean } {
  const predicates: Predicate[] = [];
  let exact = true;
  for (const [key, condition] of Object.entries(filter)) {
    const part = conjunctPredicates(key, condition, context);
    predicates.push(...part);
    exact &&= part.length > 0 && part.every((predicate) => predicate.exact);
  }
  return { predicates, exact };
}

function conjunctPredicates(key: string, condition: unknown, context: PlanContext): Predicate[] {
  if (key === '$and' && Array.isArray(condition)) {
    const parts = condition.map((part) => filterPredicates(part as Filter, context));
    const exact = parts.every((part) => part.exact);
    return parts.flatMap((part) => part.predicates).map((predicate) => ({ ...predicate, exact: exact && predicate.exact }));
  }
  if (key === '$or' && Array.isArray(condition) && condition.length > 0) {
    const branches = condition.map((branch) => filterPredicates(branch as Filter, context));
    // A branch SQL cannot narrow could match any row: then so could the whole $or.
    if (branches.some((branch) => branch.predicates.length === 0)) return [];
    return [
      {
        sql: `(${branches.map((branch) => `(${branch.predicates.map((predicate) => predicate.sql).join(' AND ')})`).join(' OR ')})`,
        params: branches.flatMap((branch) => branch.predicates.flatMap((predicate) => predicate.params)),
        exact: branches.every((branch) => branch.exact),
      },
    ];
  }
  if (key.startsWith('$')) return [];
  return fieldPredicates(key, condition, context);
}

/** One predicate per operator; an operator without a SQL form leaves the field's predicates inexact. */
function fieldPredicates(path: string, condition: unknown, context: PlanContext): Predicate[] {
  if (condition instanceof RegExp) return optional(prefixRegexPredicate(path, condition.source, condition.flags, context));
  if (!isOperatorObject(condition)) return optional(equalityPredicate(path, [condition], context));
  const predicates: Predicate[] = [];
  let whole = true;
  const add = (predicate: Predicate | null) => {
    if (predicate) predicates.push(predicate);
    else whole = false;
  };
  for (const [operator, operand] of Object.entries(condition)) {
    switch (operator) {
      case '$eq':
        add(equalityPredicate(path, [operand], context));
        break;
      case '$in':
        add(Array.isArray(operand) ? equalityPredicate(path, operand, context) : null);
        break;
      case '$ne':
        add(negation(equalityPredicate(path, [operand], context)));
        break;
      case '$nin':
        add(Array.isArray(operand) ? negation(equalityPredicate(path, operand, context)) : null);
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        add(rangePredicate(path, operator, operand, context));
        break;
      case '$exists':
        add(existsPredicate(path, Boolean(operand), context));
        break;
      case '$not':
        add(negatedRange(path, operand, context));
        break;
      case '$regex': {
        const source = operand instanceof RegExp ? operand.source : operand;
        const flags = (operand instanceof RegExp ? operand.flags : '') + String(condition.$options ?? '');
        add(typeof source === 'string' ? prefixRegexPredicate(path, source, flags, context) : null);
        whole = false; // a prefix says nothing of the rest of the pattern
        break;
      }
      case '$options':
        break; // read with $regex
      default:
        whole = false;
    }
  }
  return whole ? predicates : predicates.map((predicate) => ({ ...predicate, exact: false }));
}

/** `$not` of a single comparison, such as the `{ $not: { $gte: position } }` guard of idempotent writes. */
function negatedRange(path: string, operand: unknown, context: PlanContext): Predicate | null {
  if (!isOperatorObject(operand) || Object.keys(operand).length !== 1) return null;
  const [operator, bound] = Object.entries(operand)[0]!;
  if (!['$gt', '$gte', '$lt', '$lte'].includes(operator)) return null;
  return negation(rangePredicate(path, operator, bound, context));
}

function optional(predicate: Predicate | null): Predicate[] {
  return predicate ? [predicate] : [];
}

/** NOT of an exact predicate; a NULL (missing field) counts as false before negating, as in MongoDB. */
function negation(predicate: Predicate | null): Predicate | null {
  if (!predicate || !predicate.exact) return null;
  return exactly(`NOT COALESCE(${predicate.sql}, 0)`, predicate.params);
}

type EqualityValue = string | number | boolean;

function isEqualityValue(value: unknown): value is EqualityValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function placeholders(values: unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** MongoDB equality to any of `values`: the field's value itself, or an element of an array held there. */
function equalityPredicate(path: string, values: unknown[], context: PlanContext): Predicate | null {
  if (!values.every(isEqualityValue)) return null;
  if (values.length === 0) return exactly('0');
  if (path === '_id') {
    return values.every((value) => typeof value === 'string') ? exactly(`_id IN (${placeholders(values)})`, values) : null;
  }
  const literal = jsonPathLiteral(path);
  if (literal === null) return null;
  const profile = context.profileOf(path);
  if (profile && !profile.multikey) {
    // The plain IN is what the expression index serves; the typed test keeps true apart from 1 and
    // a string from an object's JSON text, where such values have been stored.
    const indexed = exactly(`json_extract(doc, ${literal}) IN (${placeholders(values)})`, values.map(sqlScalar));
    if (!profile.unorderable && !values.some((value) => typeof value === 'boolean')) return indexed;
    const typed = typedEquality(`json_type(doc, ${literal})`, `json_extract(doc, ${literal})`, values);
    return exactly(`(${indexed.sql} AND ${typed.sql})`, [...indexed.params, ...typed.params]);
  }
  if (path.includes('.')) return null; // an array part-way down the path would hide matches from json_extract
  const elementIndex = context.elementIndexOf(path);
  if (elementIndex) {
    const element = typedEquality('type', 'value', values);
    return exactly(`_id IN (SELECT _id FROM ${elementIndex} WHERE ${element.sql})`, element.params);
  }
  const scalar = typedEquality(`json_type(doc, ${literal})`, `json_extract(doc, ${literal})`, values);
  const element = typedEquality('type', 'value', values);
  return exactly(
    `(CASE json_type(doc, ${literal}) WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(doc, ${literal}) WHERE ${element.sql}) ELSE ${scalar.sql} END)`,
    [...element.params, ...scalar.params],
  );
}

function sqlScalar(value: EqualityValue): SQLInputValue {
  return typeof value === 'boolean' ? Number(value) : value;
}

/** Equality to any of `values` that also compares JSON types, as MongoDB does (true is not 1). */
function typedEquality(typeExpression: string, valueExpression: string, values: EqualityValue[]): { sql: string; params: SQLInputValue[] } {
  const strings = values.filter((value) => typeof value === 'string');
  const numbers = values.filter((value) => typeof value === 'number');
  const booleans = [...new Set(values.filter((value) => typeof value === 'boolean'))];
  const terms: string[] = [];
  const params: SQLInputValue[] = [];
  if (strings.length > 0) {
    terms.push(`(${typeExpression} = 'text' AND ${valueExpression} IN (${placeholders(strings)}))`);
    params.push(...strings);
  }
  if (numbers.length > 0) {
    terms.push(`(${typeExpression} IN ('integer', 'real') AND ${valueExpression} IN (${placeholders(numbers)}))`);
    params.push(...numbers);
  }
  if (booleans.length > 0) terms.push(`${typeExpression} IN (${booleans.map((value) => `'${String(value)}'`).join(', ')})`);
  return { sql: `(${terms.join(' OR ')})`, params };
}

/**
 * A comparison with a number, or with a printable-ASCII string (SQLite's UTF-8 order and mingo's
 * UTF-16 order agree on every comparison with such a string). Typed, because MongoDB compares
 * within one type only.
 */
function rangePredicate(path: string, operator: string, bound: unknown, context: PlanContext): Predicate | null {
  const isNumber = typeof bound === 'number' && Number.isFinite(bound);
  if (!isNumber && !(typeof bound === 'string' && /^[\x20-\x7e]*$/.test(bound))) return null;
  if (path === '_id') return null;
  const literal = jsonPathLiteral(path);
  if (literal === null) return null;
  const sqlOperator = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[operator]!;
  const types = isNumber ? "('integer', 'real')" : "('text')";
  const profile = context.profileOf(path);
  if (profile && !profile.multikey) {
    // The bare comparison first, for the expression index to seek on.
    return exactly(`(json_extract(doc, ${literal}) ${sqlOperator} ? AND json_type(doc, ${literal}) IN ${types})`, [bound as SQLInputValue]);
  }
  if (path.includes('.')) return null;
  return exactly(
    `(CASE json_type(doc, ${literal}) WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(doc, ${literal}) WHERE type IN ${types} AND value ${sqlOperator} ?)` +
      ` ELSE (json_type(doc, ${literal}) IN ${types} AND json_extract(doc, ${literal}) ${sqlOperator} ?) END)`,
    [bound as SQLInputValue, bound as SQLInputValue],
  );
}

function existsPredicate(path: string, exists: boolean, context: PlanContext): Predicate | null {
  const literal = path === '_id' ? null : jsonPathLiteral(path);
  if (literal === null) return null;
  const profile = context.profileOf(path);
  // Through an array part-way down, MongoDB looks into the elements; json_type would not.
  if (path.includes('.') && (!profile || profile.multikey)) return null;
  return exactly(`json_type(doc, ${literal}) IS ${exists ? 'NOT NULL' : 'NULL'}`);
}

/** Anchored regular expressions with a literal ASCII prefix become LIKE (and, case-sensitive, a range). */
function prefixRegexPredicate(path: string, source: string, flags: string, context: PlanContext): Predicate | null {
  if (![...flags].every((flag) => flag === 'i')) return null;
  const prefix = literalPrefix(source);
  if (!prefix) return null;
  const literal = path === '_id' ? null : jsonPathLiteral(path);
  if (literal === null) return null;
  const pattern = prefix.replace(/[\\%_]/g, (character) => `\\${character}`) + '%';
  const caseSensitive = !flags.includes('i');
  const profile = context.profileOf(path);
  if (profile && !profile.multikey) {
    const expression = `json_extract(doc, ${literal})`;
    if (caseSensitive) return atLeast(`(${expression} >= ? AND ${expression} < ?)`, [prefix, prefixUpperBound(prefix)]);
    return atLeast(`${expression} LIKE ? ESCAPE '\\'`, [pattern]);
  }
  if (path.includes('.')) return null;
  const elementIndex = context.elementIndexOf(path);
  if (elementIndex && caseSensitive) {
    return atLeast(`_id IN (SELECT _id FROM ${elementIndex} WHERE value >= ? AND value < ? AND type = 'text')`, [prefix, prefixUpperBound(prefix)]);
  }
  return atLeast(`EXISTS (SELECT 1 FROM json_each(doc, ${literal}) WHERE value LIKE ? ESCAPE '\\')`, [pattern]);
}

/** The least string above every string starting with `prefix` (printable ASCII, so UTF-8 and UTF-16 orders agree). */
function prefixUpperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/**
 * The literal text every match starts with, for a pattern `^literal...`; '' when there is none.
 * LIKE folds ASCII case only, as JavaScript's non-Unicode `i` flag does for an ASCII pattern,
 * so the prefix is kept to printable ASCII.
 */
function literalPrefix(source: string): string {
  if (!source.startsWith('^') || source.includes('|')) return '';
  let prefix = '';
  for (let index = 1; index < source.length; index++) {
    let character = source[index]!;
    if (character === '\\') {
      const escaped = source[index + 1];
      if (escaped === undefined || !/[\\^$.|?*+()[\]{}\/\-]/.test(escaped)) break;
      character = escaped;
      index++;
    } else if (/[\^$.|?*+()[\]{}]/.test(character) || !/[\x20-\x7e]/.test(character)) {
      break;
    }
    // A quantifier after this character may repeat it zero times: it is not part of every match.
    if (/[*?{]/.test(source[index + 1] ?? '')) break;
    prefix += character;
    if (source[index + 1] === '+') break;
  }
  return prefix;
}

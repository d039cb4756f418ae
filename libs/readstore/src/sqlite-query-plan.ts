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
  const selection: SqlSelection = { where: [], params: [], exact: true };
  addConjuncts(filter, context, selection);
  return selection;
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

function addConjuncts(filter: Filter, context: PlanContext, selection: SqlSelection): void {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(condition)) {
      for (const part of condition) addConjuncts(part as Filter, context, selection);
      continue;
    }
    if (key.startsWith('$')) {
      selection.exact = false;
      continue;
    }
    if (!addFieldCondition(key, condition, context, selection)) selection.exact = false;
  }
}

/** Returns true when the condition was translated exactly. */
function addFieldCondition(path: string, condition: unknown, context: PlanContext, selection: SqlSelection): boolean {
  if (condition instanceof RegExp) {
    addPrefixRegex(path, condition.source, condition.flags, context, selection);
    return false;
  }
  if (!isOperatorObject(condition)) return addEquality(path, [condition], context, selection);
  let exact = true;
  for (const [operator, operand] of Object.entries(condition)) {
    switch (operator) {
      case '$eq':
        exact = addEquality(path, [operand], context, selection) && exact;
        break;
      case '$in':
        exact = (Array.isArray(operand) && addEquality(path, operand, context, selection)) && exact;
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        exact = addRange(path, operator, operand, context, selection) && exact;
        break;
      case '$regex': {
        const source = operand instanceof RegExp ? operand.source : operand;
        const flags = (operand instanceof RegExp ? operand.flags : '') + String(condition.$options ?? '');
        if (typeof source === 'string') addPrefixRegex(path, source, flags, context, selection);
        exact = false;
        break;
      }
      default:
        exact = false;
    }
  }
  return exact;
}

type EqualityValue = string | number | boolean;

function isEqualityValue(value: unknown): value is EqualityValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function addEquality(path: string, values: unknown[], context: PlanContext, selection: SqlSelection): boolean {
  if (!values.every(isEqualityValue)) return false;
  if (values.length === 0) {
    selection.where.push('0');
    return true;
  }
  if (path === '_id') {
    if (!values.every((value) => typeof value === 'string')) return false;
    selection.where.push(`_id IN (${values.map(() => '?').join(', ')})`);
    selection.params.push(...values);
    return true;
  }
  const literal = jsonPathLiteral(path);
  if (literal === null) return false;
  const profile = context.profileOf(path);
  if (profile && !profile.multikey) {
    // The plain IN is what the expression index serves; the typed test keeps true apart from 1 and
    // a string from an object's JSON text, where such values have been stored.
    selection.where.push(`json_extract(doc, ${literal}) IN (${values.map(() => '?').join(', ')})`);
    selection.params.push(...values.map((value) => (typeof value === 'boolean' ? Number(value) : value)));
    if (profile.unorderable || values.some((value) => typeof value === 'boolean')) {
      const typed = typedEquality(`json_type(doc, ${literal})`, `json_extract(doc, ${literal})`, values);
      selection.where.push(typed.sql);
      selection.params.push(...typed.params);
    }
    return true;
  }
  if (path.includes('.')) return false; // an array part-way down the path would hide matches from json_extract
  const elementIndex = context.elementIndexOf(path);
  if (elementIndex) {
    const element = typedEquality('type', 'value', values);
    selection.where.push(`_id IN (SELECT _id FROM ${elementIndex} WHERE ${element.sql})`);
    selection.params.push(...element.params);
    return true;
  }
  // MongoDB's equality on a field matches the value itself or an element of an array held there.
  const scalar = typedEquality(`json_type(doc, ${literal})`, `json_extract(doc, ${literal})`, values);
  const element = typedEquality('type', 'value', values);
  selection.where.push(
    `(CASE json_type(doc, ${literal}) WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(doc, ${literal}) WHERE ${element.sql}) ELSE ${scalar.sql} END)`,
  );
  selection.params.push(...element.params, ...scalar.params);
  return true;
}

/** Equality to any of `values` that also compares JSON types, as MongoDB does (true is not 1). */
function typedEquality(typeExpression: string, valueExpression: string, values: EqualityValue[]): { sql: string; params: SQLInputValue[] } {
  const strings = values.filter((value) => typeof value === 'string');
  const numbers = values.filter((value) => typeof value === 'number');
  const booleans = [...new Set(values.filter((value) => typeof value === 'boolean'))];
  const terms: string[] = [];
  const params: SQLInputValue[] = [];
  if (strings.length > 0) {
    terms.push(`(${typeExpression} = 'text' AND ${valueExpression} IN (${strings.map(() => '?').join(', ')}))`);
    params.push(...strings);
  }
  if (numbers.length > 0) {
    terms.push(`(${typeExpression} IN ('integer', 'real') AND ${valueExpression} IN (${numbers.map(() => '?').join(', ')}))`);
    params.push(...numbers);
  }
  if (booleans.length > 0) terms.push(`${typeExpression} IN (${booleans.map((value) => `'${String(value)}'`).join(', ')})`);
  return { sql: `(${terms.join(' OR ')})`, params };
}

function addRange(path: string, operator: string, bound: unknown, context: PlanContext, selection: SqlSelection): boolean {
  const isNumber = typeof bound === 'number' && Number.isFinite(bound);
  if (!isNumber && typeof bound !== 'string') return false;
  const profile = context.profileOf(path);
  const expression = path === '_id' ? null : jsonExtract(path);
  if (!profile || profile.multikey || profile.unorderable || expression === null) return false;
  const sqlOperator = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[operator]!;
  selection.where.push(`${expression} ${sqlOperator} ?`);
  selection.params.push(bound);
  // SQLite orders numbers before strings; MongoDB compares within one type only. The bounds
  // that exclude the other type on their own are exact.
  const upward = operator === '$gt' || operator === '$gte';
  return isNumber ? !upward : upward;
}

/** Anchored regular expressions with a literal ASCII prefix become LIKE (and, case-sensitive, a range). */
function addPrefixRegex(path: string, source: string, flags: string, context: PlanContext, selection: SqlSelection): void {
  if (![...flags].every((flag) => flag === 'i')) return;
  const prefix = literalPrefix(source);
  if (!prefix) return;
  const literal = path === '_id' ? null : jsonPathLiteral(path);
  if (literal === null) return;
  const pattern = prefix.replace(/[\\%_]/g, (character) => `\\${character}`) + '%';
  const profile = context.profileOf(path);
  if (profile && !profile.multikey) {
    const expression = `json_extract(doc, ${literal})`;
    if (!flags.includes('i') && !profile.unorderable) {
      selection.where.push(`${expression} >= ?`, `${expression} < ?`);
      selection.params.push(prefix, prefixUpperBound(prefix));
      return;
    }
    selection.where.push(`${expression} LIKE ? ESCAPE '\\'`);
    selection.params.push(pattern);
    return;
  }
  if (path.includes('.')) return;
  const elementIndex = context.elementIndexOf(path);
  if (elementIndex && !flags.includes('i')) {
    selection.where.push(`_id IN (SELECT _id FROM ${elementIndex} WHERE value >= ? AND value < ? AND type = 'text')`);
    selection.params.push(prefix, prefixUpperBound(prefix));
    return;
  }
  selection.where.push(`EXISTS (SELECT 1 FROM json_each(doc, ${literal}) WHERE value LIKE ? ESCAPE '\\')`);
  selection.params.push(pattern);
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

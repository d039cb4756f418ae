import type { PageSortKey } from './page-cursor';
import type { Filter } from './read-store.port';

/**
 * The filter that lets a MongoDB server skip what a keyset page has already returned: documents whose
 * sort values come after `values` (one per key, `_id` last) in the order of `keys`.
 *
 * MongoDB orders values of different types by type bracket (empty array, null and missing, numbers,
 * strings, objects, ..., booleans), compares only within a bracket with $gt/$lt, and sorts an array
 * by its smallest element ascending (largest descending) while matching it when any element matches.
 * So "after v" is: greater than v within v's bracket, or anything in a bracket further on. Over
 * scalar fields the filter is exact. Over arrays it lets through a superset (an array matches when
 * any element does, not only the one it sorts by), which the caller trims with the exact comparison.
 */
export function keysetAfter(keys: PageSortKey[], values: unknown[]): Filter {
  const branches: Filter[] = [];
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const after = key.path === '_id' ? idAfter(key, values[index]) : valueAfter(key, values[index]);
    if (after === NOTHING) continue;
    // Equal on every earlier key, after on this one.
    const equalities = keys.slice(0, index).map((earlier, earlierIndex) => equalTo(earlier.path, values[earlierIndex]));
    const conditions = [...equalities, after].filter((condition) => Object.keys(condition).length > 0);
    branches.push(conditions.length === 1 ? conditions[0]! : { $and: conditions });
  }
  // An impossible condition: the cursor sits after every possible value.
  if (branches.length === 0) return { _id: { $in: [] } };
  return branches.length === 1 ? branches[0]! : { $or: branches };
}

/** Returned when no document can come after the value on this key alone. */
const NOTHING: Filter = Object.freeze({ $nothing: true });

/** MongoDB's sort brackets that JSON documents (and the driver's dates) can hold, in ascending order. */
type Bracket = 'emptyArray' | 'null' | 'number' | 'string' | 'object' | 'bool' | 'date';
const BRACKETS: Bracket[] = ['emptyArray', 'null', 'number', 'string', 'object', 'bool', 'date'];
/** The `$type` alias of each bracket matched by type. */
const TYPE_ALIASES: Partial<Record<Bracket, string>> = { number: 'number', string: 'string', object: 'object', bool: 'bool', date: 'date' };

function bracketOf(value: unknown): Bracket | null {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'emptyArray' : null;
  if (value instanceof Date) return 'date';
  switch (typeof value) {
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'object':
      return 'object';
    default:
      return null;
  }
}

function valueAfter(key: PageSortKey, value: unknown): Filter {
  const bracket = bracketOf(value);
  // A value of a kind this does not model (an array nested in an array): no narrowing on this key.
  if (bracket === null) return {};
  const { path, direction } = key;
  const conditions: Filter[] = [];

  if (bracket === 'number' || bracket === 'string') {
    conditions.push({ [path]: { [direction === 1 ? '$gt' : '$lt']: value } });
  } else if (bracket === 'bool' && value === (direction === 1 ? false : true)) {
    conditions.push({ [path]: direction === 1 });
  } else if (bracket === 'object' || bracket === 'date') {
    // Comparing documents or dates inside the bracket is left to the caller: take the whole bracket.
    conditions.push({ [path]: { $type: TYPE_ALIASES[bracket] } });
  }

  const position = BRACKETS.indexOf(bracket);
  const further = BRACKETS.filter((_, index) => (index - position) * direction > 0);
  const types = further.flatMap((candidate) => TYPE_ALIASES[candidate] ?? []);
  if (types.length > 0) conditions.push({ [path]: { $type: types } });
  if (further.includes('null')) conditions.push({ [path]: null });
  if (further.includes('emptyArray')) conditions.push({ [path]: { $size: 0 } });

  if (conditions.length === 0) return NOTHING;
  return conditions.length === 1 ? conditions[0]! : { $or: conditions };
}

/** `_id`s are strings (the port requires it): only their own bracket matters. */
function idAfter(key: PageSortKey, value: unknown): Filter {
  if (typeof value !== 'string') return {};
  return { _id: { [key.direction === 1 ? '$gt' : '$lt']: value } };
}

/** Documents whose sort value on `path` may equal `value` (any element of an array matching). */
function equalTo(path: string, value: unknown): Filter {
  switch (bracketOf(value)) {
    case 'null':
      return { [path]: null };
    case 'emptyArray':
      return { [path]: { $size: 0 } };
    case 'number':
    case 'string':
    case 'bool':
      return { [path]: value };
    case 'object':
    case 'date':
      // Document equality depends on field order, dates went through JSON in the cursor: the whole bracket.
      return { [path]: { $type: TYPE_ALIASES[bracketOf(value)!] } };
    default:
      return {};
  }
}

import { compareSortValues, compileFilter, sortValueOf } from './document-semantics';
import { keysetAfter } from './mongo-keyset';
import { type PageSortKey, pageSortKeys } from './page-cursor';
import type { SortSpec } from './read-store.port';

/**
 * keysetAfter, evaluated with MongoDB semantics in memory (mingo): it must let through every document
 * that sorts after the cursor (a superset is trimmed by the adapter), and exactly those where the
 * sort fields hold scalars.
 */

type Doc = { _id: string } & Record<string, unknown>;

const MIXED: Doc[] = [
  { _id: 'a', v: 3, w: 'x', tags: ['m', 'b'] },
  { _id: 'b', v: 3, w: 'y', tags: [] },
  { _id: 'c', v: null, w: 'x', tags: ['z'] },
  { _id: 'd', w: 'x', tags: 'solo' },
  { _id: 'e', v: 'text', w: 'a', tags: ['b', 'q'] },
  { _id: 'f', v: true, w: 'x' },
  { _id: 'g', v: false, w: 'z', tags: [null, 'k'] },
  { _id: 'h', v: { nested: 1 }, w: 'x', tags: ['m'] },
  { _id: 'i', v: -1.5, w: 'b', tags: ['a', 'z'] },
  { _id: 'j', v: 3, w: 'x', tags: ['c'] },
];

const SCALARS: Doc[] = [
  { _id: 'a', v: 3, w: 'x' },
  { _id: 'b', v: 3, w: 'y' },
  { _id: 'c', v: null, w: 'x' },
  { _id: 'd', w: 'x' },
  { _id: 'e', v: 'text', w: 'a' },
  { _id: 'f', v: true, w: 'x' },
  { _id: 'g', v: false, w: 'z' },
  { _id: 'i', v: -1.5, w: 'b' },
  { _id: 'j', v: 7, w: 'x' },
];

const SORTS: SortSpec[] = [{ v: 1 }, { v: -1 }, { v: 1, w: -1 }, { w: 1, v: -1 }, { tags: 1 }, { tags: -1 }, { tags: 1, v: 1 }, {}];

function valuesOf(document: Doc, keys: PageSortKey[]): unknown[] {
  return keys.map((key) => sortValueOf(document, key));
}

/** [ids strictly after the cursor, ids the filter lets through], for each document taken as the cursor. */
function cases(documents: Doc[], sort: SortSpec): Array<{ cursor: string; after: string[]; matched: string[] }> {
  const keys = pageSortKeys(sort);
  return documents.map((cursorDocument) => {
    // The cursor went through JSON, as page cursors do.
    const cursorValues = JSON.parse(JSON.stringify(valuesOf(cursorDocument, keys))) as unknown[];
    const matcher = compileFilter(keysetAfter(keys, cursorValues));
    // mingo's $type does not look into arrays as MongoDB's does, so a document is also tried with each
    // array replaced by one of its elements: together, a subset of what MongoDB matches.
    const matches = (document: Doc) =>
      matcher(document) ||
      Object.entries(document).some(([field, value]) => Array.isArray(value) && value.some((element) => matcher({ ...document, [field]: element })));
    return {
      cursor: cursorDocument._id,
      after: documents.filter((document) => compareSortValues(valuesOf(document, keys), cursorValues, keys) > 0).map((document) => document._id),
      matched: documents.filter(matches).map((document) => document._id),
    };
  });
}

describe('keysetAfter', () => {
  it.each(SORTS.map((sort) => [JSON.stringify(sort), sort]))('selects exactly the documents after the cursor over scalars, sorted by %s', (_label, sort) => {
    for (const { cursor, after, matched } of cases(SCALARS, sort as SortSpec)) {
      expect({ cursor, matched }).toEqual({ cursor, matched: after });
    }
  });

  it.each(SORTS.map((sort) => [JSON.stringify(sort), sort]))('lets through every document after the cursor over arrays and mixed types, sorted by %s', (_label, sort) => {
    for (const { cursor, after, matched } of cases(MIXED, sort as SortSpec)) {
      expect({ cursor, missing: after.filter((id) => !matched.includes(id)) }).toEqual({ cursor, missing: [] });
    }
  });

  it('lets nothing of JSON through after true ascending, or after an empty array descending', () => {
    const documents = [{ _id: 'a', flag: true }, { _id: 'b', flag: 'x' }, { _id: 'c' }, { _id: 'd', flag: [] }, { _id: 'e', flag: { x: 1 } }];
    const afterTrue = compileFilter(keysetAfter([{ path: 'flag', direction: 1 }], [true]));
    expect(documents.filter((document) => afterTrue(document))).toEqual([]);
    expect(keysetAfter([{ path: 'flag', direction: -1 }], [[]])).toEqual({ _id: { $in: [] } });
  });
});

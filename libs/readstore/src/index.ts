export * from './read-store.port';
export * from './embedded-read-store';
export * from './projection';
export { decodePageCursor, encodePageCursor, pageFingerprint, pageSortKeys, type PagePosition, type PageSortKey } from './page-cursor';
export * from './mongo-read-store';

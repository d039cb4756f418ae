import { ValidationProblem } from './problem-details';

export const ETAG_HEADER = 'etag';
export const IF_MATCH_HEADER = 'if-match';
export const CONSISTENCY_TOKEN_HEADER = 'x-consistency-token';

/** The ETag of an event-sourced record is its quoted stream revision: `"0"` after creation. */
export const etagFor = (revision: number): string => `"${revision}"`;

/** Reads `If-Match: "3"` (or `W/"3"`); undefined when absent, 400 when malformed. `*` means any revision. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(value);
  if (!match) throw new ValidationProblem([{ field: 'If-Match', messages: ['If-Match must be a quoted revision such as "3", as sent in ETag'] }]);
  return Number(match[1]);
}

/** Parses `?asOf=` as an ISO-8601 instant; 400 when it is not one. */
export function parseAsOf(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const isoInstant = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
  const time = Date.parse(value);
  if (!isoInstant.test(value) || Number.isNaN(time)) {
    throw new ValidationProblem([{ field: 'asOf', messages: ['asOf must be an ISO-8601 instant, e.g. 2026-11-23T10:00:00Z'] }]);
  }
  return new Date(time).toISOString();
}

/** Consistency tokens carry the global log position of the caller's last write. */
export const consistencyTokenFor = (position: number): string => `p${position}`;

export function parseConsistencyToken(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return undefined;
  const match = /^p(\d{1,15})$/.exec(value.trim());
  if (!match) throw new ValidationProblem([{ field: 'X-Consistency-Token', messages: ['X-Consistency-Token must be a token returned by a write'] }]);
  return Number(match[1]);
}

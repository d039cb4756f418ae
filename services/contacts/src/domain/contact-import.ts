import { type Decider, DomainError } from '@crm/decider';

/**
 * The contact import job: a small event-sourced aggregate that makes an import durable. Its stream
 * records the start, one checkpoint per batch of rows (with that batch's row errors), and the end, so
 * a restarted service knows where each unfinished import stands and resumes from its last checkpoint.
 */

export const IMPORT_FORMATS = ['csv', 'xlsx', 'vcf'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const IMPORT_MODES = ['create', 'upsert', 'skip-duplicates'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export type ImportStatus = 'absent' | 'running' | 'completed' | 'failed';

/** One refused row. `row` is the spreadsheet row number (the header is row 1), or the card number in a vCard file. */
export interface ImportRowError {
  row: number;
  field: string | null;
  reason: string;
}

export interface ImportCounts {
  /** Rows read so far (every data row up to `throughRow`, good or bad). */
  done: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export interface ImportSettings {
  importId: string;
  fileName: string;
  format: ImportFormat;
  mode: ImportMode;
  /** Header → field overrides; headers not named here are matched by name. */
  mapping: Record<string, string>;
  externalIdColumn: string | null;
  /** Size of the stored upload, for the ETA. */
  bytes: number;
}

export type ContactImportEvent =
  | { type: 'ContactImportStarted'; data: ImportSettings }
  /** A (re)start of processing: rates and ETAs are measured from the latest one. */
  | { type: 'ContactImportResumed'; data: { fromRow: number; done: number; bytesRead: number } }
  | { type: 'ContactImportCheckpointed'; data: { throughRow: number; bytesRead: number; counts: ImportCounts; errors: ImportRowError[] } }
  | { type: 'ContactImportCompleted'; data: { rowsTotal: number; counts: ImportCounts } }
  | { type: 'ContactImportFailed'; data: { reason: string } };

export type ContactImportCommand =
  | { type: 'StartContactImport'; settings: ImportSettings }
  | { type: 'ResumeContactImport' }
  | { type: 'CheckpointContactImport'; throughRow: number; bytesRead: number; counts: ImportCounts; errors: ImportRowError[] }
  | { type: 'CompleteContactImport'; rowsTotal: number }
  | { type: 'FailContactImport'; reason: string };

export interface ContactImportState {
  status: ImportStatus;
  settings: ImportSettings | null;
  /** Last data row whose outcome is durable; rows after it are (re)processed on resume. */
  throughRow: number;
  bytesRead: number;
  counts: ImportCounts;
  rowsTotal: number | null;
  errorCount: number;
  failureReason: string | null;
}

export const emptyCounts = (): ImportCounts => ({ done: 0, created: 0, updated: 0, skipped: 0, failed: 0 });

/** `contactimport`, not `contact-import`: stream kinds are `[a-z]+`, and `contact-…` streams are contacts to the projections. */
export const contactImportStream = (tenantId: string, importId: string): string => `${tenantId}.contactimport-${importId}`;

function decide(command: ContactImportCommand, state: ContactImportState): ContactImportEvent[] {
  if (command.type === 'StartContactImport') {
    if (state.status !== 'absent') throw new DomainError('conflict', `Import ${command.settings.importId} already exists`);
    return [{ type: 'ContactImportStarted', data: command.settings }];
  }
  if (state.status === 'absent') throw new DomainError('not_found', 'Import not found');
  // A finished job ignores late commands, so a runner that lost a race changes nothing.
  if (state.status !== 'running') return [];
  switch (command.type) {
    case 'ResumeContactImport':
      return [{ type: 'ContactImportResumed', data: { fromRow: state.throughRow, done: state.counts.done, bytesRead: state.bytesRead } }];
    case 'CheckpointContactImport':
      if (command.throughRow <= state.throughRow) return [];
      return [
        {
          type: 'ContactImportCheckpointed',
          data: { throughRow: command.throughRow, bytesRead: command.bytesRead, counts: command.counts, errors: command.errors },
        },
      ];
    case 'CompleteContactImport':
      return [{ type: 'ContactImportCompleted', data: { rowsTotal: command.rowsTotal, counts: state.counts } }];
    case 'FailContactImport':
      return [{ type: 'ContactImportFailed', data: { reason: command.reason } }];
  }
}

function evolve(state: ContactImportState, event: ContactImportEvent): ContactImportState {
  switch (event.type) {
    case 'ContactImportStarted':
      return { ...state, status: 'running', settings: event.data };
    case 'ContactImportResumed':
      return state;
    case 'ContactImportCheckpointed':
      return {
        ...state,
        throughRow: event.data.throughRow,
        bytesRead: event.data.bytesRead,
        counts: event.data.counts,
        errorCount: state.errorCount + event.data.errors.length,
      };
    case 'ContactImportCompleted':
      return { ...state, status: 'completed', rowsTotal: event.data.rowsTotal, counts: event.data.counts, bytesRead: state.settings?.bytes ?? state.bytesRead };
    case 'ContactImportFailed':
      return { ...state, status: 'failed', failureReason: event.data.reason };
    default:
      return state;
  }
}

export const contactImportDecider: Decider<ContactImportCommand, ContactImportState, ContactImportEvent> = {
  initialState: () => ({
    status: 'absent',
    settings: null,
    throughRow: 0,
    bytesRead: 0,
    counts: emptyCounts(),
    rowsTotal: null,
    errorCount: 0,
    failureReason: null,
  }),
  decide,
  evolve,
};

import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import {
  type ContactImportCommand,
  contactImportDecider,
  type ContactImportEvent,
  type ContactImportState,
  contactImportStream,
  type ImportCounts,
  type ImportRowError,
  type ImportSettings,
} from '../domain/contact-import';

export interface ContactImportView {
  id: string;
  status: 'running' | 'completed' | 'failed';
  fileName: string;
  format: ImportSettings['format'];
  mode: ImportSettings['mode'];
  rows: ImportCounts & { total: number | null };
  bytes: { total: number; read: number };
  /** Rows per second in the current (or last) run. */
  rate: number | null;
  /** Seconds left, from the bytes still to read at the current rate. */
  etaSeconds: number | null;
  errorCount: number;
  failureReason: string | null;
  startedAt: string;
  updatedAt: string;
}

export interface ImportErrorPage {
  items: ImportRowError[];
  nextCursor: string | null;
}

/** Starts import jobs and answers what they are doing; the work itself is the runner's. */
export class ContactImports {
  private readonly handler: EventSourcedCommandHandler<ContactImportCommand, ContactImportState, ContactImportEvent>;

  constructor(
    private readonly store: EventStore,
    private readonly newId: () => string = newRecordId,
  ) {
    this.handler = new EventSourcedCommandHandler(store, contactImportDecider);
  }

  newImportId(): string {
    return this.newId();
  }

  async start(context: CommandContext, settings: ImportSettings): Promise<{ position: number }> {
    const result = await this.handler.handle(contactImportStream(context.tenantId, settings.importId), { type: 'StartContactImport', settings }, context);
    return { position: result.position };
  }

  async status(tenantId: string, importId: string): Promise<ContactImportView> {
    const events = await this.store.readStream(contactImportStream(tenantId, importId));
    if (events.length === 0) throw new DomainError('not_found', 'Import not found');
    const state = fold(events);
    const settings = state.settings!;
    const resumed = [...events].reverse().find((event) => event.type === 'ContactImportResumed');
    const last = events[events.length - 1]!;
    let rate: number | null = null;
    let etaSeconds: number | null = null;
    if (resumed) {
      const from = resumed.data as { done: number; bytesRead: number };
      const seconds = (Date.parse(last.metadata.occurredAt) - Date.parse(resumed.metadata.occurredAt)) / 1000;
      if (seconds > 0 && state.counts.done > from.done) {
        rate = Math.round((state.counts.done - from.done) / seconds);
        const bytesPerSecond = (state.bytesRead - from.bytesRead) / seconds;
        if (state.status === 'running' && bytesPerSecond > 0) etaSeconds = Math.max(0, Math.round((settings.bytes - state.bytesRead) / bytesPerSecond));
      }
    }
    if (state.status !== 'running') etaSeconds = state.status === 'completed' ? 0 : null;
    return {
      id: importId,
      status: state.status as ContactImportView['status'],
      fileName: settings.fileName,
      format: settings.format,
      mode: settings.mode,
      rows: { total: state.rowsTotal, ...state.counts },
      bytes: { total: settings.bytes, read: state.bytesRead },
      rate,
      etaSeconds,
      errorCount: state.errorCount,
      failureReason: state.failureReason,
      startedAt: events[0]!.metadata.occurredAt,
      updatedAt: last.metadata.occurredAt,
    };
  }

  /** Row errors in row order; the cursor is the last row number returned. */
  async errors(tenantId: string, importId: string, cursor: string | undefined, limit: number): Promise<ImportErrorPage> {
    const events = await this.store.readStream(contactImportStream(tenantId, importId));
    if (events.length === 0) throw new DomainError('not_found', 'Import not found');
    const after = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isSafeInteger(after) || after < 0) throw new DomainError('invalid', 'Invalid cursor', [{ field: 'cursor', reason: 'must be the nextCursor of a previous page' }]);
    const items: ImportRowError[] = [];
    let more = false;
    for (const event of events) {
      if (event.type !== 'ContactImportCheckpointed') continue;
      const data = event.data as { throughRow: number; errors: ImportRowError[] };
      if (data.throughRow <= after) continue;
      for (const error of data.errors) {
        if (error.row <= after) continue;
        // A page never splits one row's errors, so the row number is a sound cursor.
        if (items.length >= limit && error.row !== items[items.length - 1]!.row) {
          more = true;
          break;
        }
        items.push(error);
      }
      if (more) break;
    }
    return { items, nextCursor: more ? String(items[items.length - 1]!.row) : null };
  }
}

function fold(events: RecordedEvent[]): ContactImportState {
  return events.reduce(
    (state, event) => contactImportDecider.evolve(state, { type: event.type, data: event.data } as ContactImportEvent),
    contactImportDecider.initialState(),
  );
}

import { type CommandContext, deterministicId, DomainError, eventMetadataFor, EventSourcedCommandHandler } from '@crm/decider';
import {
  DuplicateEventIdError,
  type EventStore,
  EventStoreClosedError,
  type NewEvent,
  type RecordedEvent,
  type StreamAppend,
  WrongExpectedRevisionError,
} from '@crm/eventstore';
import { createHash } from 'node:crypto';
import { companyDecider } from '../domain/company';
import { contactDecider, type ContactCommand, type ContactEvent, type ContactInput, type ContactState } from '../domain/contact';
import {
  type ContactImportCommand,
  contactImportDecider,
  type ContactImportEvent,
  type ContactImportState,
  contactImportStream,
  type ImportCounts,
  type ImportFormat,
  type ImportRowError,
} from '../domain/contact-import';
import { checkCustomFields, type CustomFieldSchemaState } from '../domain/custom-field-definitions';
import { companyStream, contactStream } from '../domain/streams';
import type { CustomFieldDefinitions } from './custom-fields.service';
import type { CompanyFinder, ExistingContactFinder } from './import-lookups';
import { type ImportTarget, mapRow, type MappedRow, normaliseHeader, resolveColumns, RowError } from './import-row-mapping';

export type ImportRecord =
  | { kind: 'header'; values: string[] }
  | { kind: 'row'; row: number; values: string[] | null; error?: string };

/** Reads a stored upload as a header followed by rows, streaming; `counter.bytes` follows the read. */
export interface ImportFileReader {
  read(path: string, format: ImportFormat, counter: { bytes: number }): AsyncIterable<ImportRecord>;
}

/** Field-level problems of a contact input under the create route's rules (the DTO's), or none. */
export type ContactInputValidator = (input: ContactInput) => { field: string; reason: string }[];

export interface ContactImportRunnerOptions {
  store: EventStore;
  reader: ImportFileReader;
  contacts: ExistingContactFinder;
  companies: CompanyFinder;
  customFields: CustomFieldDefinitions;
  validate: ContactInputValidator;
  /** Where uploads are kept: `<importId>.<format>`. */
  uploadPath(importId: string, format: ImportFormat): string;
  /** Rows per checkpoint: one group commit of contacts, then one checkpoint event. Default 1000. */
  batchSize?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Contact ids of imported rows derive from (import, row), so replaying a row after a crash rewrites nothing. */
export const importedContactId = (importId: string, row: number): string => `${importId}-${row}`;
const importedCompanyId = (importId: string, key: string): string => `${importId}-co${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;

/** The default custom field that holds an external id when its column is mapped to nothing else. */
export const EXTERNAL_ID_FIELD = 'externalId';

type Action = { kind: 'create'; contactId: string } | { kind: 'update'; contactId: string } | { kind: 'skip' };

interface PreparedRow {
  row: number;
  mapped: MappedRow;
}

class StoppedError extends Error {}

/**
 * Runs import jobs one after another in the background. Each batch of rows is validated, written
 * (contacts in one group commit, with ids and event ids derived from the import and the row), and then
 * checkpointed on the job stream with its row errors; after a crash the job restarts from the last
 * checkpoint and rows written past it are recognised by the store as retries.
 */
export class ContactImportRunner {
  private readonly pending: { tenantId: string; importId: string }[] = [];
  private readonly queued = new Set<string>();
  private current: Promise<void> | undefined;
  private stopping = false;
  private readonly batchSize: number;

  constructor(private readonly options: ContactImportRunnerOptions) {
    this.batchSize = options.batchSize ?? 1000;
  }

  enqueue(tenantId: string, importId: string): void {
    const key = `${tenantId}/${importId}`;
    if (this.stopping || this.queued.has(key)) return;
    this.queued.add(key);
    this.pending.push({ tenantId, importId });
    if (!this.current) this.current = this.drain();
  }

  /** Finds imports that were started and never finished (the service stopped or crashed), and queues them. */
  async resumeUnfinished(): Promise<number> {
    const open = new Map<string, { tenantId: string; importId: string }>();
    let after = -1;
    for (;;) {
      const page = await this.options.store.readAll({
        afterPosition: after,
        maxCount: 10_000,
        filter: { eventTypes: ['ContactImportStarted', 'ContactImportCompleted', 'ContactImportFailed'] },
      });
      for (const event of page) {
        const importId = event.streamName.slice(event.streamName.indexOf('.contactimport-') + '.contactimport-'.length);
        if (event.type === 'ContactImportStarted') open.set(event.streamName, { tenantId: event.metadata.tenantId, importId });
        else open.delete(event.streamName);
      }
      if (page.length < 10_000) break;
      after = page[page.length - 1]!.position;
    }
    for (const job of open.values()) this.enqueue(job.tenantId, job.importId);
    return open.size;
  }

  /** Stops after the batch in hand; an unfinished job stays open and resumes at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.current;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.stopping) {
      const job = this.pending.shift()!;
      try {
        await this.run(job.tenantId, job.importId);
      } catch (error) {
        if (!(error instanceof StoppedError)) this.options.log?.('import stopped by an unexpected error', { importId: job.importId, err: String(error) });
      } finally {
        this.queued.delete(`${job.tenantId}/${job.importId}`);
      }
    }
    this.current = undefined;
  }

  private async run(tenantId: string, importId: string): Promise<void> {
    const job = await JobStream.load(this.options.store, tenantId, importId);
    if (job.state.status !== 'running' || !job.state.settings) return;
    const settings = job.state.settings;
    await job.apply({ type: 'ResumeContactImport' });
    const counts: ImportCounts = { ...job.state.counts };
    const counter = { bytes: 0 };
    const session = new ImportSession(this.options, job, importId, counts);
    let batch: { row: number; values: string[] | null; error?: string }[] = [];
    let lastRow = job.state.throughRow;
    try {
      for await (const record of this.options.reader.read(this.options.uploadPath(importId, settings.format), settings.format, counter)) {
        if (this.stopping) throw new StoppedError();
        if (record.kind === 'header') {
          const problem = await session.useHeader(record.values, settings.mapping, settings.externalIdColumn);
          if (problem) return void (await job.apply({ type: 'FailContactImport', reason: problem }));
          continue;
        }
        if (record.row <= job.state.throughRow) continue;
        lastRow = record.row;
        batch.push(record);
        if (batch.length >= this.batchSize) {
          await session.process(batch, lastRow, counter.bytes);
          batch = [];
        }
      }
      if (!session.hasHeader) return void (await job.apply({ type: 'FailContactImport', reason: 'The file has no header row and no rows' }));
      if (batch.length > 0) await session.process(batch, lastRow, counter.bytes);
      await job.apply({ type: 'CompleteContactImport', rowsTotal: counts.done });
      this.options.log?.('import completed', { importId, ...counts });
    } catch (error) {
      if (error instanceof StoppedError || error instanceof EventStoreClosedError || this.stopping) throw new StoppedError();
      if (error instanceof WrongExpectedRevisionError) throw error;
      // The file itself could not be read on (a corrupt workbook, a broken CSV stream): the rows
      // checkpointed so far stay imported; the job says why it ended.
      await job.apply({ type: 'FailContactImport', reason: `The file could not be read past row ${lastRow}: ${(error as Error).message}` });
    }
  }
}

/** The job's stream, kept in memory while it runs: one append per checkpoint, no re-reads. */
class JobStream {
  private constructor(
    private readonly store: EventStore,
    readonly stream: string,
    public state: ContactImportState,
    private revision: number,
    readonly started: RecordedEvent | undefined,
  ) {}

  static async load(store: EventStore, tenantId: string, importId: string): Promise<JobStream> {
    const stream = contactImportStream(tenantId, importId);
    const events = await store.readStream(stream);
    const state = events.reduce(
      (current, event) => contactImportDecider.evolve(current, { type: event.type, data: event.data } as ContactImportEvent),
      contactImportDecider.initialState(),
    );
    return new JobStream(store, stream, state, events.length - 1, events[0]);
  }

  context(): CommandContext {
    const metadata = this.started!.metadata;
    return { tenantId: metadata.tenantId, actorId: metadata.actorId, correlationId: metadata.correlationId, causationId: this.started!.eventId };
  }

  async apply(command: ContactImportCommand): Promise<void> {
    const events = contactImportDecider.decide(command, this.state);
    if (events.length === 0) return;
    const context = this.context();
    const occurredAt = new Date().toISOString();
    const result = await this.store.append(
      this.stream,
      events.map((event, index) => ({
        // Derived from what the event records, so a checkpoint rewritten after a crash is a retry.
        eventId: deterministicId(`${this.stream}:${event.type}:${command.type === 'CheckpointContactImport' ? command.throughRow : this.revision}:${index}`),
        type: event.type,
        data: event.data,
        metadata: metadataOf(context, occurredAt),
      })),
      this.revision,
    );
    this.revision = result.nextExpectedRevision;
    this.state = events.reduce((state, event) => contactImportDecider.evolve(state, event), this.state);
  }
}

const metadataOf = (context: CommandContext, occurredAt: string) => eventMetadataFor(context, occurredAt, 1);

/** One run of one job: the column layout, the caches of what this run has matched or written. */
class ImportSession {
  private columns: (ImportTarget | null)[] = [];
  private externalIdIndex = -1;
  private externalIdField: string | null = null;
  hasHeader = false;
  private schema!: CustomFieldSchemaState;
  /** Primary email or external id → contact id, for rows matched or written by this run. */
  private readonly seen = new Map<string, string>();
  private readonly companiesByKey = new Map<string, string>();
  private readonly knownCompanyIds = new Map<string, boolean>();
  private readonly tenantId: string;
  private readonly mode;

  constructor(
    private readonly options: ContactImportRunnerOptions,
    private readonly job: JobStream,
    private readonly importId: string,
    private readonly counts: ImportCounts,
  ) {
    this.tenantId = job.context().tenantId;
    this.mode = job.state.settings!.mode;
  }

  /** Resolves the columns; returns why the file cannot be imported, or null. */
  async useHeader(headers: string[], mapping: Record<string, string>, externalIdColumn: string | null): Promise<string | null> {
    this.hasHeader = true;
    this.schema = await this.options.customFields.schema(this.tenantId, 'contact');
    const { columns } = resolveColumns(headers, mapping as Record<string, ImportTarget>, this.schema);
    this.columns = columns;
    if (externalIdColumn) {
      this.externalIdIndex = headers.findIndex((header) => normaliseHeader(header) === normaliseHeader(externalIdColumn));
      if (this.externalIdIndex < 0) return `The external id column ${externalIdColumn} is not in the file`;
      const target = columns[this.externalIdIndex];
      this.externalIdField = target?.startsWith('customFields.') ? target.slice('customFields.'.length) : EXTERNAL_ID_FIELD;
      // The external id is kept on the contact, where the next import finds it.
      if (!target?.startsWith('customFields.')) this.columns[this.externalIdIndex] = `customFields.${EXTERNAL_ID_FIELD}`;
    }
    const known = this.columns.filter((column) => column && column !== 'ignore' && column !== 'id');
    if (known.length === 0) return `No column matches a contact field (headers: ${headers.join(', ')}); send a mapping`;
    return null;
  }

  async process(batch: { row: number; values: string[] | null; error?: string }[], throughRow: number, bytesRead: number): Promise<void> {
    // Read again per batch: a definition changed during a long import applies from the next batch on.
    this.schema = await this.options.customFields.schema(this.tenantId, 'contact');
    const errors: ImportRowError[] = [];
    const fail = (row: number, field: string | null, reason: string) => {
      errors.push({ row, field, reason });
      this.counts.failed++;
    };
    const prepared: PreparedRow[] = [];
    for (const record of batch) {
      this.counts.done++;
      if (!record.values) {
        fail(record.row, null, record.error ?? 'unreadable row');
        continue;
      }
      try {
        const mapped = mapRow(record.values, this.columns, this.schema, this.externalIdIndex);
        const problems = this.options.validate(mapped.input);
        if (problems.length > 0) {
          for (const problem of problems) errors.push({ row: record.row, field: problem.field, reason: problem.reason });
          this.counts.failed++;
          continue;
        }
        prepared.push({ row: record.row, mapped });
      } catch (error) {
        if (error instanceof RowError) fail(record.row, error.field, error.reason);
        else throw error;
      }
    }

    const companyIds = await this.resolveCompanies(prepared, fail);
    const actions = await this.decideActions(prepared.filter((entry) => !companyIds.failed.has(entry.row)));
    const context = this.job.context();
    const occurredAt = new Date().toISOString();
    const creates: { row: number; contactId: string; append: StreamAppend }[] = [];
    const updates: { entry: PreparedRow; contactId: string }[] = [];
    for (const { entry, action } of actions) {
      const input = { ...entry.mapped.input };
      const companyId = companyIds.byRow.get(entry.row);
      if (companyId) input.companyId = companyId;
      try {
        if (action.kind === 'skip') {
          this.counts.skipped++;
          continue;
        }
        checkCustomFields(this.schema, 'contact', input.customFields, action.kind === 'create' ? 'create' : 'update');
        if (input.companyId && !companyId) await this.assertCompanyExists(input.companyId);
        if (action.kind === 'update') {
          updates.push({ entry: { ...entry, mapped: { ...entry.mapped, input } }, contactId: action.contactId });
          continue;
        }
        const events = contactDecider.decide({ type: 'CreateContact', contactId: action.contactId, input }, contactDecider.initialState());
        const streamName = contactStream(this.tenantId, action.contactId);
        const append = { streamName, events: toNewEvents(events, `${this.importId}:${entry.row}`, context, occurredAt), expectedRevision: 'no_stream' as const };
        creates.push({ row: entry.row, contactId: action.contactId, append });
      } catch (error) {
        if (error instanceof DomainError) this.failFromDomain(entry.row, error, fail, errors);
        else throw error;
      }
    }
    await this.writeCreates(creates, fail);
    // Updates after the creates: a later row of the same batch may update a contact an earlier row created.
    for (const { entry, contactId } of updates) {
      try {
        await this.contactHandler().handle(contactStream(this.tenantId, contactId), { type: 'UpdateContact', input: entry.mapped.input }, {
          ...context,
          idempotencyKey: `${this.importId}:${entry.row}`,
        });
        this.counts.updated++;
      } catch (error) {
        if (error instanceof DomainError) this.failFromDomain(entry.row, error, fail, errors);
        else throw error;
      }
    }
    errors.sort((a, b) => a.row - b.row);
    await this.job.apply({ type: 'CheckpointContactImport', throughRow, bytesRead, counts: { ...this.counts }, errors });
  }

  /**
   * Writes the batch's new contacts with one `appendMany` where the store has it (one queue entry, one
   * savepoint, no promise per row). It is all or nothing, so when one row conflicts (its contact id is
   * taken) the batch is written again row by row, which tells the conflicting rows apart; replayed rows
   * after a crash are retries of the same ids and pass either way.
   */
  private async writeCreates(creates: { row: number; contactId: string; append: StreamAppend }[], fail: (row: number, field: string | null, reason: string) => void) {
    if (creates.length === 0) return;
    const { store } = this.options;
    if (store.appendMany) {
      try {
        await store.appendMany(creates.map((create) => create.append));
        this.counts.created += creates.length;
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError)) throw error;
      }
    }
    await Promise.all(
      creates.map(({ row, contactId, append }) =>
        store
          .append(append.streamName, append.events, append.expectedRevision)
          .then(() => void this.counts.created++)
          .catch((error) => {
            if (error instanceof WrongExpectedRevisionError) fail(row, null, `contact ${contactId} already exists`);
            else throw error;
          }),
      ),
    );
  }

  private handler: EventSourcedCommandHandler<ContactCommand, ContactState, ContactEvent> | undefined;
  private contactHandler() {
    this.handler ??= new EventSourcedCommandHandler(this.options.store, contactDecider);
    return this.handler;
  }

  /** Every problem of the row is listed; the row counts once as failed. */
  private failFromDomain(row: number, error: DomainError, fail: (row: number, field: string | null, reason: string) => void, errors: ImportRowError[]) {
    if (error.details.length === 0) return fail(row, null, error.message);
    fail(row, error.details[0].field ?? null, error.details[0].reason);
    for (const detail of error.details.slice(1)) errors.push({ row, field: detail.field ?? null, reason: detail.reason });
  }

  /** Upsert and skip-duplicates look for existing contacts: first among this run's own rows, then in the read model. */
  private async decideActions(prepared: PreparedRow[]): Promise<{ entry: PreparedRow; action: Action }[]> {
    const keyOf = (entry: PreparedRow) =>
      this.externalIdField && entry.mapped.externalId ? `x:${entry.mapped.externalId}` : entry.mapped.primaryEmail ? `e:${entry.mapped.primaryEmail}` : null;
    if (this.mode === 'create') return prepared.map((entry) => ({ entry, action: { kind: 'create', contactId: importedContactId(this.importId, entry.row) } }));
    const lookupEmails = new Set<string>();
    const lookupExternal = new Set<string>();
    for (const entry of prepared) {
      const key = keyOf(entry);
      if (!key || this.seen.has(key)) continue;
      if (key.startsWith('x:')) lookupExternal.add(key.slice(2));
      else lookupEmails.add(key.slice(2));
    }
    const byEmail = await this.options.contacts.byPrimaryEmail(this.tenantId, [...lookupEmails]);
    const byExternal = this.externalIdField ? await this.options.contacts.byCustomField(this.tenantId, this.externalIdField, [...lookupExternal]) : new Map();
    for (const [email, id] of byEmail) this.seen.set(`e:${email}`, id);
    for (const [value, id] of byExternal) this.seen.set(`x:${value}`, id);
    return prepared.map((entry) => {
      const ownId = importedContactId(this.importId, entry.row);
      const key = keyOf(entry);
      const existing = key ? this.seen.get(key) : undefined;
      if (key && !existing) this.seen.set(key, ownId);
      // A match on the contact this very row created before a crash is the row's own earlier write.
      if (!existing || existing === ownId) return { entry, action: { kind: 'create', contactId: ownId } };
      return { entry, action: this.mode === 'upsert' ? { kind: 'update', contactId: existing } : { kind: 'skip' } };
    });
  }

  /** Company name or domain → company id; missing companies are created once per import, with ids derived from the key. */
  private async resolveCompanies(prepared: PreparedRow[], fail: (row: number, field: string | null, reason: string) => void) {
    const byRow = new Map<number, string>();
    const failed = new Set<number>();
    const keyOf = (entry: PreparedRow) => {
      const domain = entry.mapped.companyDomain?.toLowerCase().replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/.*$/, '');
      if (domain) return { key: `d:${domain}`, domain, name: entry.mapped.companyName ?? domain };
      if (entry.mapped.companyName) return { key: `n:${entry.mapped.companyName.toLowerCase()}`, domain: null, name: entry.mapped.companyName };
      return null;
    };
    const names = new Set<string>();
    const domains = new Set<string>();
    for (const entry of prepared) {
      const company = keyOf(entry);
      if (!company || this.companiesByKey.has(company.key)) continue;
      if (company.domain) domains.add(company.domain);
      else names.add(company.name);
    }
    for (const [domain, id] of await this.options.companies.byDomains(this.tenantId, [...domains])) this.companiesByKey.set(`d:${domain}`, id);
    for (const [name, id] of await this.options.companies.byNames(this.tenantId, [...names])) this.companiesByKey.set(`n:${name}`, id);
    const context = this.job.context();
    for (const entry of prepared) {
      const company = keyOf(entry);
      if (!company) continue;
      let companyId = this.companiesByKey.get(company.key);
      if (!companyId) {
        companyId = importedCompanyId(this.importId, company.key);
        try {
          const events = companyDecider.decide(
            { type: 'CreateCompany', companyId, input: { name: company.name, domain: company.domain } },
            companyDecider.initialState(),
          );
          await this.options.store.append(companyStream(this.tenantId, companyId), toNewEvents(events, `${this.importId}:${company.key}`, context, new Date().toISOString()), 'no_stream');
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          failed.add(entry.row);
          fail(entry.row, company.domain ? 'companyDomain' : 'companyName', error.details[0]?.reason ?? error.message);
          continue;
        }
        this.companiesByKey.set(company.key, companyId);
        this.knownCompanyIds.set(companyId, true);
      }
      byRow.set(entry.row, companyId);
    }
    return { byRow, failed };
  }

  private async assertCompanyExists(companyId: string): Promise<void> {
    let exists = this.knownCompanyIds.get(companyId);
    if (exists === undefined) {
      const events = await this.options.store.readStream(companyStream(this.tenantId, companyId));
      exists = events.length > 0 && events[events.length - 1]!.type !== 'CompanyDeleted';
      this.knownCompanyIds.set(companyId, exists);
    }
    if (!exists) throw new DomainError('invalid', 'Invalid companyId: no such company', [{ field: 'companyId', reason: 'no company with this id' }]);
  }
}

function toNewEvents(events: { type: string; data: unknown }[], key: string, context: CommandContext, occurredAt: string): NewEvent[] {
  return events.map((event, index) => ({
    eventId: deterministicId(`${key}:${index}`),
    type: event.type,
    data: event.data,
    metadata: metadataOf(context, occurredAt),
  }));
}

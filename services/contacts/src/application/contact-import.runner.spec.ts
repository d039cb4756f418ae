import { type EventStore, InMemoryEventStore, SqliteEventStore } from '@crm/eventstore';
import { newTestEvent } from '@crm/eventstore/testing';
import { eventually } from '@crm/testing';
import { validateContactInput } from '../api/import-validation';
import { contactStream } from '../domain/streams';
import { ContactImportRunner, type ImportFileReader, type ImportRecord, importedContactId } from './contact-import.runner';
import { ContactImports } from './contact-imports.service';
import { CustomFieldDefinitions } from './custom-fields.service';

const TENANT = 't1';
const context = { tenantId: TENANT, actorId: 'user-1', correlationId: 'corr-1', causationId: 'cause-1' };
const noMatches = async () => new Map<string, string>();

/** A file of `rows` contacts, rows numbered from 2 as a spreadsheet shows them. */
function readerOf(rows: number): ImportFileReader {
  return {
    async *read(): AsyncIterable<ImportRecord> {
      yield { kind: 'header', values: ['First Name', 'Last Name', 'E-mail'] };
      for (let row = 2; row <= rows + 1; row++) yield { kind: 'row', row, values: ['Ada', `Row${row}`, `ada.${row}@example.com`] };
    },
  };
}

async function runImport(store: EventStore, importId: string, rows: number) {
  const imports = new ContactImports(store, () => importId);
  const runner = new ContactImportRunner({
    store,
    reader: readerOf(rows),
    contacts: { byPrimaryEmail: noMatches, byCustomField: noMatches },
    companies: { byNames: noMatches, byDomains: noMatches },
    customFields: new CustomFieldDefinitions(store),
    validate: validateContactInput,
    uploadPath: () => 'unused',
    batchSize: 4,
  });
  await imports.start(context, { importId, fileName: 'f.csv', format: 'csv', mode: 'create', mapping: {}, externalIdColumn: null, bytes: 1 });
  runner.enqueue(TENANT, importId);
  await eventually(async () => (await imports.status(TENANT, importId)).status !== 'running', { description: 'the import to end' });
  await runner.stop();
  return imports;
}

describe.each([
  ['SqliteEventStore (appendMany)', () => new SqliteEventStore(':memory:')],
  ['InMemoryEventStore (appendMany)', () => new InMemoryEventStore()],
  ['a store without appendMany', () => Object.assign(new InMemoryEventStore(), { appendMany: undefined })],
])('ContactImportRunner writes rows in batches, on %s', (_name, createStore) => {
  let store: EventStore;

  beforeEach(() => {
    store = createStore();
  });

  afterEach(async () => {
    await store.close();
  });

  it('creates one contact per row, with ids derived from the import and the row', async () => {
    const imports = await runImport(store, 'imp1', 10);

    const status = await imports.status(TENANT, 'imp1');
    expect(status).toMatchObject({ status: 'completed', rows: { done: 10, created: 10, failed: 0 } });
    const created = await store.readStream(contactStream(TENANT, importedContactId('imp1', 7)));
    expect(created).toHaveLength(1);
    expect(created[0]!.data).toMatchObject({ lastName: 'Row7' });
  });

  it('fails only the row whose contact id is taken, and writes the rest of its batch', async () => {
    await store.append(contactStream(TENANT, importedContactId('imp2', 3)), [newTestEvent({ type: 'ContactCreated' })], 'no_stream');

    const imports = await runImport(store, 'imp2', 6);

    expect((await imports.status(TENANT, 'imp2')).rows).toMatchObject({ done: 6, created: 5, failed: 1 });
    const errors = await imports.errors(TENANT, 'imp2', undefined, 100);
    expect(errors.items).toEqual([{ row: 3, field: null, reason: `contact ${importedContactId('imp2', 3)} already exists` }]);
    expect(await store.readStream(contactStream(TENANT, importedContactId('imp2', 2)))).toHaveLength(1);
    expect(await store.readStream(contactStream(TENANT, importedContactId('imp2', 5)))).toHaveLength(1);
  });
});

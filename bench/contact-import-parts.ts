import { SqliteEventStore } from '@crm/eventstore';
import { EmbeddedReadStore, type Projection, ProjectionRunner } from '@crm/readstore';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { validateContactInput } from '../services/contacts/src/api/import-validation';
import { ContactImportRunner } from '../services/contacts/src/application/contact-import.runner';
import { ContactImports } from '../services/contacts/src/application/contact-imports.service';
import { CustomFieldDefinitions } from '../services/contacts/src/application/custom-fields.service';
import { ReadModelImportLookups } from '../services/contacts/src/application/import-lookups';
import { fileImportReader } from '../services/contacts/src/infrastructure/import-file-readers';
import { applyReadModelBatch, READ_MODEL_INDEXES, READ_MODEL_PROJECTION } from '../services/contacts/src/infrastructure/read-model.projection';
import { applyTimelineBatch, TIMELINE_INDEXES, TIMELINE_PROJECTION } from '../services/contacts/src/infrastructure/timeline.projection';
import { writeContactsCsv } from './contact-import';

export interface ImportPartsResult {
  rows: number;
  /** The import runner alone: file → validated rows → contact events, no projection running. */
  runnerMs: number;
  /** Rebuilding the list read model (contacts and companies) over the events the import wrote. */
  listMs: number;
  /** Rebuilding the timelines and participant handles over the same events. */
  timelineMs: number;
}

/**
 * Times the pieces of an import in one process, one after another, on the embedded stores: where the
 * service's single event loop spends its time when it runs them all at once.
 */
export async function benchContactImportParts(dir: string, rows: number): Promise<ImportPartsResult> {
  const file = join(dir, 'parts.csv');
  await writeContactsCsv(file, rows);
  const eventStore = new SqliteEventStore(join(dir, 'parts-events.db'));
  const readStore = new EmbeddedReadStore(join(dir, 'parts-read-models.db'));
  try {
    const customFields = new CustomFieldDefinitions(eventStore);
    const lookups = new ReadModelImportLookups(readStore);
    const runner = new ContactImportRunner({
      store: eventStore,
      reader: fileImportReader,
      contacts: lookups,
      companies: lookups,
      customFields,
      validate: validateContactInput,
      uploadPath: () => file,
    });
    const imports = new ContactImports(eventStore, () => 'parts');
    const context = { tenantId: 'bench-parts', actorId: 'bench', correlationId: 'bench', causationId: 'bench' };
    const settings = { importId: 'parts', fileName: 'parts.csv', format: 'csv' as const, mode: 'create' as const, mapping: {}, externalIdColumn: null, bytes: (await stat(file)).size };
    const started = performance.now();
    await imports.start(context, settings);
    runner.enqueue(context.tenantId, 'parts');
    for (;;) {
      const status = await imports.status(context.tenantId, 'parts');
      if (status.status !== 'running') {
        if (status.status !== 'completed' || status.rows.created !== rows) throw new Error(`import ended ${status.status} with ${JSON.stringify(status.rows)}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const runnerMs = performance.now() - started;
    await runner.stop();

    const rebuild = async (projection: Projection) => {
      const projectionRunner = new ProjectionRunner(eventStore, readStore, projection);
      const result = await projectionRunner.rebuild();
      await projectionRunner.stop();
      return result.durationMs;
    };
    const listMs = await rebuild({ name: READ_MODEL_PROJECTION, indexes: READ_MODEL_INDEXES, apply: (event, store) => applyReadModelBatch([event], store), applyBatch: applyReadModelBatch });
    const timelineMs = await rebuild({ name: TIMELINE_PROJECTION, indexes: TIMELINE_INDEXES, apply: (event, store) => applyTimelineBatch([event], store), applyBatch: applyTimelineBatch });
    return { rows, runnerMs, listMs, timelineMs };
  } finally {
    await readStore.close();
    await eventStore.close();
  }
}

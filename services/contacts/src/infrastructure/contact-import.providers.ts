import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import type { ServiceConfig } from '@crm/platform';
import { READ_STORE, type ReadStore } from '@crm/readstore';
import { cleanEnv, num } from 'envalid';
import { join } from 'node:path';
import { ContactImportRunner } from '../application/contact-import.runner';
import { ContactImports } from '../application/contact-imports.service';
import { CustomFieldDefinitions } from '../application/custom-fields.service';
import { ReadModelImportLookups } from '../application/import-lookups';
import { IMPORT_UPLOADS, type ImportUploadSettings } from '../api/contact-import.controller';
import { validateContactInput } from '../api/import-validation';
import { fileImportReader } from './import-file-readers';

/** Resumes unfinished imports once the app is up, and stops the runner before the stores close. */
class ContactImportLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ContactImports');

  constructor(private readonly runner: ContactImportRunner) {}

  async onApplicationBootstrap() {
    const resumed = await this.runner.resumeUnfinished();
    if (resumed > 0) this.logger.log(`resuming ${resumed} unfinished import(s)`);
  }

  async beforeApplicationShutdown() {
    await this.runner.stop();
  }
}

/** Providers of contact import jobs and their runner, for the contacts module. */
export function contactImportProviders(config: ServiceConfig): Provider[] {
  // 512 MiB by default: the requirement is "at least 200 MB"; uploads stream to disk, so only disk bounds it.
  const { IMPORT_MAX_BYTES, IMPORT_BATCH_ROWS } = cleanEnv(process.env, {
    IMPORT_MAX_BYTES: num({ default: 512 * 1024 * 1024 }),
    IMPORT_BATCH_ROWS: num({ default: 1000 }),
  });
  const directory = join(config.serviceDataDir, 'imports');
  const uploads: ImportUploadSettings = { directory, maxBytes: IMPORT_MAX_BYTES, pathOf: (importId, format) => join(directory, `${importId}.${format}`) };
  return [
    { provide: IMPORT_UPLOADS, useValue: uploads },
    { provide: ContactImports, useFactory: (store: EventStore) => new ContactImports(store), inject: [EVENT_STORE] },
    {
      provide: ContactImportRunner,
      useFactory: (store: EventStore, readStore: ReadStore, customFields: CustomFieldDefinitions) => {
        const lookups = new ReadModelImportLookups(readStore);
        const logger = new Logger('ContactImports');
        return new ContactImportRunner({
          store,
          reader: fileImportReader,
          contacts: lookups,
          companies: lookups,
          customFields,
          validate: validateContactInput,
          uploadPath: uploads.pathOf,
          batchSize: IMPORT_BATCH_ROWS,
          log: (message, fields) => logger.log(`${message} ${JSON.stringify(fields ?? {})}`),
        });
      },
      inject: [EVENT_STORE, READ_STORE, CustomFieldDefinitions],
    },
    { provide: ContactImportLifecycle, useFactory: (runner: ContactImportRunner) => new ContactImportLifecycle(runner), inject: [ContactImportRunner] },
  ];
}

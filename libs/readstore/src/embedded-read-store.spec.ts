import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInMemoryReadStore, EmbeddedReadStore } from './embedded-read-store';
import type { ReadStore } from './read-store.port';
import { readStoreContract } from './testing/read-store-contract';

describe('EmbeddedReadStore', () => {
  let store: ReadStore | undefined;

  readStoreContract('embedded, in memory', {
    create: async () => (store = createInMemoryReadStore()),
    dispose: async () => store?.close(),
  });

  let directory: string;
  let file: string;
  readStoreContract('embedded, SQLite file', {
    create: async () => {
      directory = mkdtempSync(join(tmpdir(), 'readstore-'));
      file = join(directory, 'read-models.db');
      return (store = new EmbeddedReadStore(file));
    },
    reopen: async () => {
      await store?.close();
      return (store = new EmbeddedReadStore(file));
    },
    dispose: async () => {
      await store?.close();
      rmSync(directory, { recursive: true, force: true });
    },
  });
});

import { createInMemoryReadStore, EmbeddedReadStore } from '@crm/readstore';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadStoreCheckpointStore } from './checkpoint-store';

describe('ReadStoreCheckpointStore', () => {
  it('knows no position until one is set, then keeps the latest per name', async () => {
    const checkpoints = new ReadStoreCheckpointStore(createInMemoryReadStore());
    expect(await checkpoints.get('relay')).toBeUndefined();
    await checkpoints.set('relay', 7);
    await checkpoints.set('relay', 12);
    await checkpoints.set('other', 3);
    expect(await checkpoints.get('relay')).toBe(12);
    expect(await checkpoints.get('other')).toBe(3);
  });

  it('keeps positions across a reopen of a durable read store', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'checkpoints-'));
    try {
      const first = new EmbeddedReadStore(join(folder, 'read.db'));
      await new ReadStoreCheckpointStore(first).set('relay', 42);
      await first.close();
      const second = new EmbeddedReadStore(join(folder, 'read.db'));
      expect(await new ReadStoreCheckpointStore(second).get('relay')).toBe(42);
      await second.close();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedReadStore } from '../embedded-read-store';

const N = 100_000;
const time = async (label: string, runs: number, fn: (i: number) => Promise<unknown>) => {
  const started = performance.now();
  let result: unknown;
  for (let i = 0; i < runs; i++) result = await fn(i);
  const ms = (performance.now() - started) / runs;
  console.log(`${label}: ${ms.toFixed(3)} ms/op`);
  return result;
};

test('perf', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rsperf-'));
  const store = new EmbeddedReadStore(join(dir, 'db'));
  const contacts = store.collection('contacts');
  await contacts.createIndexes([
    { keys: { tenantId: 1, createdAt: -1 } },
    { keys: { tenantId: 1, emailAddresses: 1 } },
    { keys: { tenantId: 1, lastName: 1 } },
    { keys: { email: 1 }, unique: true },
    { keys: { owner: 1 } },
  ]);
  const statuses = ['active', 'lead', 'lost'];
  let started = performance.now();
  const batch = [];
  for (let i = 0; i < N; i++) {
    const id = 'c' + String(i).padStart(6, '0');
    batch.push({ replaceOne: { filter: { _id: id }, upsert: true, replacement: {
      _id: id, tenantId: 't1', firstName: 'First' + (i % 1000), lastName: 'Last' + ((i * 7919) % N), email: `u${i}@ex.com`,
      emailAddresses: [`u${i}@ex.com`], status: statuses[i % 3], tags: i % 10 ? ['a'] : ['vip', 'a'], owner: 'u' + (i % 50),
      createdAt: new Date(1e12 + i * 1000).toISOString(), deleted: false, archived: false,
      searchKeys: [`first${i % 1000}`, `last${(i * 7919) % N}`, `u${i}@ex.com`], _position: i,
    } } });
    if (batch.length === 5000) { await contacts.bulkWrite(batch.splice(0)); }
  }
  console.log(`bulk upsert ${N}: ${(performance.now() - started).toFixed(0)} ms`);
  console.log(store.explain('contacts', { tenantId: 't1', deleted: false, archived: false }, { createdAt: -1, _id: -1 }));
  await time('findOne by _id', 2000, (i) => contacts.findOne({ _id: 'c' + String((i * 37) % N).padStart(6, '0') }));
  await time('find by unique indexed email', 2000, (i) => contacts.find({ email: `u${(i * 37) % N}@ex.com` }));
  await time('find owner eq (2000 hits)', 20, (i) => contacts.find({ owner: 'u' + i }));
  await time('count owner eq', 200, (i) => contacts.countDocuments({ owner: 'u' + (i % 50) }));
  await time('count status (not indexed)', 5, () => contacts.countDocuments({ status: 'active' }));
  await time('find emailAddresses (multikey) eq', 20, (i) => contacts.find({ tenantId: 't1', emailAddresses: `u${i * 31}@ex.com` }));
  await time('findPage first page createdAt desc', 200, () => contacts.findPage({ tenantId: 't1', deleted: false, archived: false }, { sort: { createdAt: -1 }, limit: 50 }));
  let cursor: string | undefined;
  await time('findPage walk 100 pages createdAt desc', 100, async () => { const p = await contacts.findPage({ tenantId: 't1', deleted: false, archived: false }, { sort: { createdAt: -1 }, limit: 50, cursor }); cursor = p.nextCursor ?? undefined; });
  await time('findPage lastName asc first page', 200, () => contacts.findPage({ tenantId: 't1', deleted: false }, { sort: { lastName: 1 }, limit: 50 }));
  await time('findPage searchKeys prefix + createdAt desc', 50, (i) => contacts.findPage({ tenantId: 't1', deleted: false, searchKeys: { $regex: `^last${i}` } }, { sort: { createdAt: -1 }, limit: 50 }));
  await time('findPage status (not indexed) sorted by createdAt', 50, () => contacts.findPage({ tenantId: 't1', status: 'lost' }, { sort: { createdAt: -1 }, limit: 50 }));
  await time('find sorted by unindexed firstName limit 50', 3, () => contacts.find({ tenantId: 't1' }, { sort: { firstName: 1 }, limit: 50 }));
  await time('find skip 50000 limit 50 sorted createdAt', 5, () => contacts.find({ tenantId: 't1' }, { sort: { createdAt: -1 }, skip: 50000, limit: 50 }));
  started = performance.now();
  for (let i = 0; i < 20000; i++) await contacts.updateOne({ _id: 'c' + String(i).padStart(6, '0'), _position: { $not: { $gte: N + i } } }, { $set: { status: 'x', _position: N + i } }, { upsert: true });
  console.log(`guarded updateOne: ${((performance.now() - started) / 20000 * 1000).toFixed(1)} us/op`);
  started = performance.now();
  for (let i = 0; i < 20000; i++) await contacts.insertOne({ _id: 'n' + i, tenantId: 't1', email: `n${i}@ex.com`, createdAt: 'x' });
  console.log(`insertOne: ${((performance.now() - started) / 20000 * 1000).toFixed(1)} us/op`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}, 600000);

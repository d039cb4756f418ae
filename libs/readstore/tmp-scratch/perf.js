const { EmbeddedReadStore } = require('../../../dist/libs/readstore/src/embedded-read-store.js');
const fs = require('fs'); const dir = '/tmp/rsperf'; fs.rmSync(dir, {force:true, recursive:true}); fs.mkdirSync(dir);
const N = +(process.argv[2] || 100000);
const time = async (label, runs, fn) => { const s = performance.now(); let r; for (let i = 0; i < runs; i++) r = await fn(i); console.log(`${label}: ${((performance.now() - s) / runs).toFixed(3)} ms/op`); return r; };
(async () => {
  const store = new EmbeddedReadStore(dir + '/db');
  const contacts = store.collection('contacts');
  await contacts.createIndexes([
    { keys: { tenantId: 1, createdAt: -1 } }, { keys: { tenantId: 1, emailAddresses: 1 } }, { keys: { tenantId: 1, lastName: 1 } },
    { keys: { email: 1 }, unique: true }, { keys: { owner: 1 } } ]);
  const statuses = ['active', 'lead', 'lost'];
  let started = performance.now(); let batch = [];
  for (let i = 0; i < N; i++) {
    const id = 'c' + String(i).padStart(6, '0');
    batch.push({ replaceOne: { filter: { _id: id }, upsert: true, replacement: {
      _id: id, tenantId: 't1', firstName: 'First' + (i % 1000), lastName: 'Last' + ((i * 7919) % N), email: `u${i}@ex.com`,
      emailAddresses: [`u${i}@ex.com`], status: statuses[i % 3], tags: i % 10 ? ['a'] : ['vip', 'a'], owner: 'u' + (i % 50),
      createdAt: new Date(1e12 + i * 1000).toISOString(), deleted: false, archived: false,
      searchKeys: [`first${i % 1000}`, `last${(i * 7919) % N}`, `u${i}@ex.com`], _position: i } } });
    if (batch.length === 5000) { await contacts.bulkWrite(batch); batch = []; }
  }
  console.log(`bulkWrite replaceOne upsert x${N}: ${((performance.now() - started) / N * 1000).toFixed(1)} us/doc`);
  const q = { tenantId: 't1', deleted: false, archived: false };
  await time('findOne by _id', 5000, (i) => contacts.findOne({ _id: 'c' + String((i * 37) % N).padStart(6, '0') }));
  await time('find by unique indexed email', 5000, (i) => contacts.find({ email: `u${(i * 37) % N}@ex.com` }));
  await time('find owner eq (indexed, 2000 hits)', 20, (i) => contacts.find({ owner: 'u' + i }));
  await time('countDocuments owner eq (indexed)', 200, (i) => contacts.countDocuments({ owner: 'u' + (i % 50) }));
  await time('countDocuments status (not indexed, exact SQL)', 5, () => contacts.countDocuments({ status: 'active' }));
  await time('countDocuments status $ne (mingo scan)', 2, () => contacts.countDocuments({ status: { $ne: 'active' } }));
  await time('find emailAddresses (multikey array) eq', 20, (i) => contacts.find({ tenantId: 't1', emailAddresses: `u${i * 31}@ex.com` }));
  await time('findPage first page, createdAt desc', 200, () => contacts.findPage(q, { sort: { createdAt: -1 }, limit: 50 }));
  let cursor;
  await time('findPage next pages (walk 200), createdAt desc', 200, async () => { const p = await contacts.findPage(q, { sort: { createdAt: -1 }, limit: 50, cursor }); cursor = p.nextCursor ?? undefined; });
  await time('findPage first page, lastName asc', 200, () => contacts.findPage(q, { sort: { lastName: 1 }, limit: 50 }));
  await time('findPage status filter (not indexed), createdAt desc', 50, () => contacts.findPage({ tenantId: 't1', status: 'lost' }, { sort: { createdAt: -1 }, limit: 50 }));
  await time('findPage searchKeys prefix (rare), createdAt desc', 20, (i) => contacts.findPage({ ...q, searchKeys: { $regex: `^last${i}9` } }, { sort: { createdAt: -1 }, limit: 50 }));
  await time('findPage sorted by unindexed firstName', 3, () => contacts.findPage(q, { sort: { firstName: 1 }, limit: 50 }));
  await time('find skip 50000 limit 50, createdAt desc', 5, () => contacts.find(q, { sort: { createdAt: -1 }, skip: 50000, limit: 50 }));
  started = performance.now();
  for (let i = 0; i < 5000; i++) await contacts.updateOne({ _id: 'c' + String(i).padStart(6, '0'), _position: { $not: { $gte: N + i } } }, { $set: { status: 'x', _position: N + i } }, { upsert: true });
  console.log(`guarded updateOne, autocommit: ${((performance.now() - started) / 5000 * 1000).toFixed(1)} us/op`);
  started = performance.now();
  await store.groupWrites(async () => { for (let i = 5000; i < 25000; i++) await contacts.updateOne({ _id: 'c' + String(i).padStart(6, '0'), _position: { $not: { $gte: N + i } } }, { $set: { status: 'x', _position: N + i } }, { upsert: true }); });
  console.log(`guarded updateOne, in groupWrites: ${((performance.now() - started) / 20000 * 1000).toFixed(1)} us/op`);
  started = performance.now();
  for (let i = 0; i < 5000; i++) await contacts.insertOne({ _id: 'n' + i, tenantId: 't1', email: `n${i}@ex.com`, createdAt: 'x' });
  console.log(`insertOne, autocommit: ${((performance.now() - started) / 5000 * 1000).toFixed(1)} us/op`);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
})();

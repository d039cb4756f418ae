const { EmbeddedReadStore } = require('../../../dist/libs/readstore/src/embedded-read-store.js');
const fs = require('fs'); const dir = '/tmp/rsperf5'; fs.rmSync(dir, {force:true, recursive:true}); fs.mkdirSync(dir);
const N = 100000;
(async () => {
  const store = new EmbeddedReadStore(dir + '/db');
  const contacts = store.collection('contacts');
  await contacts.createIndexes([
    { keys: { tenantId: 1, createdAt: -1 } }, { keys: { tenantId: 1, emailAddresses: 1 } }, { keys: { tenantId: 1, lastName: 1 } },
    { keys: { email: 1 }, unique: true }, { keys: { owner: 1 } } ]);
  let batch = [];
  for (let i = 0; i < N; i++) {
    const id = 'c' + String(i).padStart(6, '0');
    batch.push({ replaceOne: { filter: { _id: id }, upsert: true, replacement: {
      _id: id, tenantId: 't1', firstName: 'First' + (i % 1000), lastName: 'Last' + ((i * 7919) % N), email: `u${i}@ex.com`,
      emailAddresses: [`u${i}@ex.com`], status: 'a', tags: ['a'], owner: 'u' + (i % 50),
      createdAt: new Date(1e12 + i * 1000).toISOString(), deleted: false, archived: false, _position: i } } });
    if (batch.length === 5000) { await store.groupWrites(() => contacts.bulkWrite(batch)); batch = []; }
  }
  const q = { tenantId: 't1', deleted: false, archived: false };
  const mode = process.argv[2];
  let t = performance.now();
  if (mode === 'sort') { for (let i = 0; i < 3; i++) await contacts.findPage(q, { sort: { firstName: 1 }, limit: 50 }); console.log('sort ms', (performance.now() - t) / 3); }
  if (mode === 'update') { await store.groupWrites(async () => { for (let i = 0; i < 20000; i++) await contacts.updateOne({ _id: 'c' + String(i).padStart(6, '0'), _position: { $not: { $gte: N + i } } }, { $set: { status: 'x', _position: N + i } }, { upsert: true }); }); console.log('update us', (performance.now() - t) / 20); }
  await store.close();
})();

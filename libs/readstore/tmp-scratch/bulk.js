const { EmbeddedReadStore } = require('../../../dist/libs/readstore/src/embedded-read-store.js');
const fs = require('fs'); fs.rmSync('/tmp/ins-db', {force:true, recursive:true}); fs.mkdirSync('/tmp/ins-db');
const N = +process.argv[2] || 50000; const withIdx = process.argv[3] !== 'noidx';
(async () => {
  const store = new EmbeddedReadStore('/tmp/ins-db/db');
  const contacts = store.collection('contacts');
  if (withIdx) await contacts.createIndexes([
    { keys: { tenantId: 1, createdAt: -1 } }, { keys: { tenantId: 1, emailAddresses: 1 } }, { keys: { tenantId: 1, lastName: 1 } },
    { keys: { email: 1 }, unique: true }, { keys: { owner: 1 } } ]);
  const statuses = ['active', 'lead', 'lost'];
  let t = performance.now(); let batch = [];
  for (let i = 0; i < N; i++) {
    const id = 'c' + String(i).padStart(6, '0');
    batch.push({ replaceOne: { filter: { _id: id }, upsert: true, replacement: {
      _id: id, tenantId: 't1', firstName: 'First' + (i % 1000), lastName: 'Last' + ((i * 7919) % N), email: `u${i}@ex.com`,
      emailAddresses: [`u${i}@ex.com`], status: statuses[i % 3], tags: i % 10 ? ['a'] : ['vip', 'a'], owner: 'u' + (i % 50),
      createdAt: new Date(1e12 + i * 1000).toISOString(), deleted: false, archived: false,
      searchKeys: [`first${i % 1000}`, `last${(i * 7919) % N}`, `u${i}@ex.com`], _position: i } } });
    if (batch.length === 5000) { await contacts.bulkWrite(batch); batch = []; }
  }
  console.log('bulk us/op', ((performance.now() - t) / N * 1000).toFixed(1));
})();

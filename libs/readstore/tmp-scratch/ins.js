const { EmbeddedReadStore } = require('../../../dist/libs/readstore/src/embedded-read-store.js');
const fs = require('fs'); fs.rmSync('/tmp/ins-db', {force:true, recursive:true}); fs.mkdirSync('/tmp/ins-db');
(async () => {
  const store = new EmbeddedReadStore('/tmp/ins-db/db');
  const c = store.collection('c');
  await c.createIndexes([{ keys: { email: 1 }, unique: true }, { keys: { owner: 1 } }]);
  let t = performance.now();
  for (let i = 0; i < 5000; i++) await c.insertOne({ _id: 'n' + i, email: `n${i}@ex.com`, owner: 'u' + (i % 50) });
  console.log('insertOne us', ((performance.now() - t) / 5000 * 1000).toFixed(1));
  const ops = []; for (let i = 0; i < 5000; i++) ops.push({ replaceOne: { filter: { _id: 'm' + i }, replacement: { _id: 'm' + i, email: `m${i}@ex.com` }, upsert: true } });
  t = performance.now(); await c.bulkWrite(ops); console.log('bulk replace us', ((performance.now() - t) / 5000 * 1000).toFixed(1));
})();

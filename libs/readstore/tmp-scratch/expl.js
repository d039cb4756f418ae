const { createInMemoryReadStore } = require('../../../dist/libs/readstore/src/index.js');
(async () => {
  const s = createInMemoryReadStore();
  const c = s.collection('counters');
  await c.createIndexes([{ keys: { total: -1 } }]);
  for (let i = 0; i < 5000; i++) await c.insertOne({ _id: 'counter-' + i, total: i, _position: i });
  const f = { _id: 'counter-5', _position: { $not: { $gte: 10 } } };
  console.log(s.explain('counters', f));
  let t = performance.now(); for (let i = 0; i < 5000; i++) await c.findOne({ _id: 'counter-' + i, _position: { $not: { $gte: 10 } } }); console.log('findOne guarded us', (performance.now() - t) / 5);
  t = performance.now(); for (let i = 0; i < 5000; i++) await c.findOne({ _id: 'counter-' + i }); console.log('findOne by id us', (performance.now() - t) / 5);
  t = performance.now(); for (let i = 0; i < 5000; i++) await c.updateOne({ _id: 'counter-' + i, _position: { $not: { $gte: 10000 } } }, { $inc: { total: 1 }, $set: { _position: 10000 + i } }, { upsert: true }); console.log('guarded update autocommit (memory) us', (performance.now() - t) / 5);
})();

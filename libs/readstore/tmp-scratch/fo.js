const { createInMemoryReadStore } = require('../../../dist/libs/readstore/src/index.js');
(async () => {
  const s = createInMemoryReadStore();
  const c = s.collection('counters');
  await c.createIndexes([{ keys: { total: -1 } }]);
  for (let i = 0; i < 5000; i++) await c.insertOne({ _id: 'counter-' + i, total: i, _position: i });
  let t = performance.now(); for (let i = 0; i < 100000; i++) await c.findOne({ _id: 'counter-' + (i % 5000), _position: { $not: { $gte: 10 } } }); console.log('findOne guarded us', (performance.now() - t) / 100);
})();

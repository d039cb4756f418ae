const { InMemoryEventStore } = require('../../../dist/libs/eventstore/src/index.js');
const { createInMemoryReadStore, EmbeddedReadStore } = require('../../../dist/libs/readstore/src/index.js');
const { measureProjectionRebuild, appendBenchmarkEvents, counterProjection } = require('../../../dist/libs/readstore/src/testing/rebuild-benchmark.js');
(async () => {
  const es = new InMemoryEventStore();
  await appendBenchmarkEvents(es, { streams: +(process.argv[3] || 10000), eventsPerStream: 10 });
  const fs = require('fs'); fs.rmSync('/tmp/rb', {recursive: true, force: true}); fs.mkdirSync('/tmp/rb');
  const rs = process.argv[4] === 'file' ? new EmbeddedReadStore('/tmp/rb/db') : createInMemoryReadStore();
  const mode = process.argv[2];
  const p = mode === 'single' ? { ...counterProjection('s.v1', 'single'), applyBatch: undefined } : counterProjection();
  const r = await measureProjectionRebuild(es, rs, p);
  console.log(mode, process.argv[4] ?? 'memory', r.events, Math.round(r.eventsPerSecond), 'events/s');
  await rs.close(); await es.close();
})();

// Runs once before all suites:
// - builds dist/, which the end-to-end suites start as real processes (what `npm start` runs);
// - probes once for a container runtime, so testcontainers suites skip with a clear message instead of
//   each failing with "Could not find a working container runtime strategy".
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async () => {
  execFileSync(process.execPath, [join(__dirname, '../../tools/build.mjs')], { stdio: 'inherit' });
  if (process.env.CRM_DOCKER !== undefined) return;
  let available = false;
  try {
    const { getContainerRuntimeClient } = require('testcontainers');
    await getContainerRuntimeClient();
    available = true;
  } catch {
    available = false;
  }
  process.env.CRM_DOCKER = available ? '1' : '0';
  if (!available) {
    console.log('\n[testcontainers] No container runtime found: suites against KurrentDB/Kafka/MongoDB containers are skipped.');
  }
};

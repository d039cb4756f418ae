// Probes once for a container runtime so that testcontainers suites can skip with a clear message
// instead of each failing with "Could not find a working container runtime strategy".
module.exports = async () => {
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

// Docker HEALTHCHECK for the service named by SERVICE: exit 0 when its /health/ready answers 200.
// Kubernetes probes the HTTP endpoints itself (deploy/helm); this is for `docker run` and compose, where
// the slim image has no curl. The port comes from the same registry and <SERVICE>_PORT rule as `npm start`.
const { SERVICE_PROCESSES, portOf } = require('../../dist/tools/services.js');

const path = process.argv[2] ?? '/health/ready';
const service = SERVICE_PROCESSES.find((candidate) => candidate.name === process.env.SERVICE);
if (!service) {
  console.error(`healthcheck: SERVICE='${process.env.SERVICE ?? ''}' is not in tools/services.ts`);
  process.exit(1);
}

fetch(`http://127.0.0.1:${portOf(service)}${path}`, { signal: AbortSignal.timeout(2500) })
  .then((response) => process.exit(response.ok ? 0 : 1))
  .catch((error) => {
    console.error(`healthcheck: ${error.message}`);
    process.exit(1);
  });

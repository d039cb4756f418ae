import { buildOpenApiDocument, createServiceApp, exitWhenParentDies, listen, loadServiceConfig, setupSwagger } from '@crm/platform';
import { cleanEnv, num } from 'envalid';
import { mergeOpenApiDocuments } from './application/openapi-merge';
import { resolveServices } from './application/service-routes';
import { registerProxy } from './api/proxy';
import { GatewayModule } from './gateway.module';
import { fetchServiceDocuments } from './infrastructure/upstream-docs';

async function main() {
  const config = loadServiceConfig('gateway', 3000, { ...process.env, GATEWAY_PORT: process.env.GATEWAY_PORT ?? process.env.PORT });
  const { UPSTREAM_TIMEOUT_MS, IMPORT_BODY_LIMIT_BYTES } = cleanEnv(process.env, {
    UPSTREAM_TIMEOUT_MS: num({ default: 30_000 }),
    // Contact import uploads (CSV/XLSX/vCard files): at least 200 MB must pass.
    IMPORT_BODY_LIMIT_BYTES: num({ default: 512 * 1024 * 1024 }),
  });
  const services = resolveServices();
  const app = await createServiceApp(GatewayModule, {
    config,
    title: 'CRM API',
    description: 'The single entry point for frontends: every service under /api/v1.',
  });
  await registerProxy(app.getHttpAdapter().getInstance(), services, {
    upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
    bodyLimitBytes: config.bodyLimitBytes,
    importBodyLimitBytes: IMPORT_BODY_LIMIT_BYTES,
  });
  const base = buildOpenApiDocument(app, 'CRM API', 'Event-sourced CRM: every route of every service, through the gateway.');
  setupSwagger(app, base, {
    patchDocumentOnRequest: async () => mergeOpenApiDocuments(base, await fetchServiceDocuments(services)),
  });
  exitWhenParentDies(() => app.close());
  const url = await listen(app, config.port, config.host);
  console.log(JSON.stringify({ level: 30, service: 'gateway', msg: `gateway listening on ${url}` }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

import { buildOpenApiDocument, createServiceApp, exitWhenParentDies, listen, loadServiceConfig, setupSwagger } from '@crm/platform';
import { connectIntegrationEventConsumers } from '@crm/runtime';
import { SalesModule } from './sales.module';

const TITLE = 'Sales service';
const DESCRIPTION = 'Leads, pipelines, deals, tasks, quotes and forecasts, event-sourced per tenant.';

async function main() {
  const config = loadServiceConfig('sales', 3102);
  const app = await createServiceApp(SalesModule.register(config), { config, title: TITLE, description: DESCRIPTION });
  await connectIntegrationEventConsumers(app, config.serviceName);
  setupSwagger(app, buildOpenApiDocument(app, TITLE, DESCRIPTION));
  exitWhenParentDies(() => app.close());
  await listen(app, config.port, config.host);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

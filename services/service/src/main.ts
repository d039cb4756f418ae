import { buildOpenApiDocument, createServiceApp, exitWhenParentDies, listen, loadServiceConfig, setupSwagger } from '@crm/platform';
import { connectIntegrationEventConsumers } from '@crm/runtime';
import { ServiceDeskModule } from './service-desk.module';

const TITLE = 'Service desk';
const DESCRIPTION = 'Tickets, SLA clocks, contracts, assets and proactive service, event-sourced per tenant.';

async function main() {
  const config = loadServiceConfig('service', 3104);
  const app = await createServiceApp(ServiceDeskModule.register(config), { config, title: TITLE, description: DESCRIPTION });
  await connectIntegrationEventConsumers(app, config.serviceName);
  setupSwagger(app, buildOpenApiDocument(app, TITLE, DESCRIPTION));
  exitWhenParentDies(() => app.close());
  await listen(app, config.port, config.host);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

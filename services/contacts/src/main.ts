import { buildOpenApiDocument, createServiceApp, exitWhenParentDies, listen, loadServiceConfig, setupSwagger } from '@crm/platform';
import multipart from '@fastify/multipart';
import { connectIntegrationEventConsumers } from '@crm/runtime';
import { ContactsModule } from './contacts.module';

async function main() {
  const config = loadServiceConfig('contacts', 3101);
  const app = await createServiceApp(ContactsModule.register(config), {
    config,
    title: 'Contacts service',
    description: 'People and companies, event-sourced per tenant.',
  });
  // Contact imports are multipart uploads, streamed to disk by their route (limits are set there).
  await app.register(multipart);
  // Lead conversions requested by the sales service (crm.sales.lead.v1).
  await connectIntegrationEventConsumers(app, config.serviceName);
  setupSwagger(app, buildOpenApiDocument(app, 'Contacts service', 'People and companies, event-sourced per tenant.'));
  exitWhenParentDies(() => app.close());
  await listen(app, config.port, config.host);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

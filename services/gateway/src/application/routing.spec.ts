import type { OpenAPIObject } from '@nestjs/swagger';
import { mergeOpenApiDocuments } from './openapi-merge';
import { resolveServices, serviceFor } from './service-routes';

describe('gateway routing', () => {
  const services = resolveServices({ CONTACTS_URL: 'http://contacts.internal:8080/' });

  it('routes whole path segments to the owning service, honouring <SERVICE>_URL', () => {
    expect(serviceFor('/api/v1/contacts', services)?.url).toBe('http://contacts.internal:8080');
    expect(serviceFor('/api/v1/companies/123/contacts?limit=5', services)?.service).toBe('contacts');
    expect(serviceFor('/api/v1/contactsX', services)).toBeUndefined();
    expect(serviceFor('/api/v1/deals/42/move', services)?.service).toBe('sales');
    expect(serviceFor('/api/v1/tickets?status=open', services)?.service).toBe('service');
    expect(serviceFor('/api/v1/campaigns', services)).toBeUndefined();
  });
});

describe('merged OpenAPI document', () => {
  const base = { openapi: '3.0.0', info: { title: 'CRM API', version: '1' }, paths: { '/health/live': {} }, components: {} } as unknown as OpenAPIObject;
  const contacts = {
    openapi: '3.0.0',
    info: { title: 'Contacts', version: '1' },
    paths: { '/api/v1/contacts': { get: {} }, '/health/ready': { get: {} } },
    components: { schemas: { ContactBodyDto: { type: 'object' } } },
    tags: [{ name: 'contacts' }],
  } as unknown as OpenAPIObject;

  it("takes every service's public routes and schemas, not their internal health routes", () => {
    const merged = mergeOpenApiDocuments(base, [{ service: 'contacts', document: contacts }]);
    expect(Object.keys(merged.paths).sort()).toEqual(['/api/v1/contacts', '/health/live']);
    expect(merged.components?.schemas).toHaveProperty('ContactBodyDto');
    expect(merged.tags).toEqual([{ name: 'contacts' }]);
  });

  it('says which services were unreachable instead of failing', () => {
    const merged = mergeOpenApiDocuments(base, [{ service: 'contacts', document: null }]);
    expect(merged.info.description).toMatch(/contacts/);
    expect(Object.keys(merged.paths)).toEqual(['/health/live']);
  });
});

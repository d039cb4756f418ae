import type { OpenAPIObject } from '@nestjs/swagger';
import { request } from 'undici';
import type { ResolvedService } from '../application/service-routes';

/** Fetches each service's live OpenAPI document; a service that is down contributes nothing. */
export async function fetchServiceDocuments(services: ResolvedService[], timeoutMs = 2000) {
  return Promise.all(
    services.map(async (service) => {
      try {
        const response = await request(`${service.url}/docs-json`, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
        if (response.statusCode !== 200) {
          await response.body.dump();
          return { service: service.service, document: null };
        }
        return { service: service.service, document: (await response.body.json()) as OpenAPIObject };
      } catch {
        return { service: service.service, document: null };
      }
    }),
  );
}

export async function probeService(service: ResolvedService, timeoutMs = 1000): Promise<void> {
  const response = await request(`${service.url}/health/live`, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  await response.body.dump();
  if (response.statusCode !== 200) throw new Error(`${service.service} answered ${response.statusCode}`);
}

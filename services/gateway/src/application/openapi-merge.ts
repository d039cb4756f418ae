import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * Merges the services' OpenAPI documents into one for frontends. Paths are disjoint by construction
 * (each service owns its prefixes); health and docs routes of the services are internal and dropped.
 * Schemas with the same name in two services are kept once, the first one winning; that is why DTO
 * names are service-specific.
 */
export function mergeOpenApiDocuments(base: OpenAPIObject, documents: { service: string; document: OpenAPIObject | null }[]): OpenAPIObject {
  const merged: OpenAPIObject = {
    ...base,
    paths: { ...base.paths },
    components: { ...base.components, schemas: { ...(base.components?.schemas ?? {}) } },
    tags: [...(base.tags ?? [])],
  };
  const unavailable: string[] = [];
  for (const { service, document } of documents) {
    if (!document) {
      unavailable.push(service);
      continue;
    }
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (path.startsWith('/api/')) merged.paths[path] = item;
    }
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      merged.components!.schemas![name] ??= schema;
    }
    for (const tag of document.tags ?? []) {
      if (!merged.tags!.some((existing) => existing.name === tag.name)) merged.tags!.push(tag);
    }
  }
  if (unavailable.length > 0) {
    merged.info = { ...merged.info, description: `${merged.info.description ?? ''}\n\nNot reachable right now, so missing here: ${unavailable.join(', ')}.` };
  }
  return merged;
}

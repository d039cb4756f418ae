/** Which service answers which public path prefix; the gateway forwards the path unchanged. */
export interface ServiceRoute {
  service: string;
  prefixes: string[];
  /** Default upstream on the embedded one-command setup; overridden by `<SERVICE>_URL`. */
  defaultUrl: string;
}

export const SERVICE_ROUTES: ServiceRoute[] = [
  { service: 'contacts', prefixes: ['/api/v1/contacts', '/api/v1/companies'], defaultUrl: 'http://127.0.0.1:3101' },
  {
    service: 'sales',
    prefixes: [
      '/api/v1/pipelines',
      '/api/v1/deals',
      '/api/v1/leads',
      '/api/v1/web-forms',
      '/api/v1/territories',
      '/api/v1/tasks',
      '/api/v1/products',
      '/api/v1/price-books',
      '/api/v1/quotes',
      '/api/v1/orders',
      '/api/v1/forecast',
      '/api/v1/quotas',
    ],
    defaultUrl: 'http://127.0.0.1:3102',
  },
  {
    service: 'service',
    prefixes: [
      '/api/v1/tickets',
      '/api/v1/inbound',
      '/api/v1/queues',
      '/api/v1/agents',
      '/api/v1/sla',
      '/api/v1/business-calendars',
      '/api/v1/escalation-rules',
      '/api/v1/service-contracts',
      '/api/v1/assets',
      '/api/v1/maintenance-rules',
      '/api/v1/portal',
    ],
    defaultUrl: 'http://127.0.0.1:3104',
  },
];

export interface ResolvedService {
  service: string;
  prefixes: string[];
  url: string;
}

export function resolveServices(env: NodeJS.ProcessEnv = process.env, routes = SERVICE_ROUTES): ResolvedService[] {
  return routes.map((route) => ({
    service: route.service,
    prefixes: route.prefixes,
    url: (env[`${route.service.toUpperCase()}_URL`] ?? route.defaultUrl).replace(/\/$/, ''),
  }));
}

/** The service owning a path, matching whole segments so `/api/v1/contactsX` matches nothing. */
export function serviceFor(path: string, services: ResolvedService[]): ResolvedService | undefined {
  const pathname = path.split('?')[0];
  return services.find((service) => service.prefixes.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`)));
}

/** Which service answers which public path prefix; the gateway forwards the path unchanged. */
export interface ServiceRoute {
  service: string;
  prefixes: string[];
  /** Default upstream on the embedded one-command setup; overridden by `<SERVICE>_URL`. */
  defaultUrl: string;
}

export const SERVICE_ROUTES: ServiceRoute[] = [
  { service: 'contacts', prefixes: ['/api/v1/contacts', '/api/v1/companies'], defaultUrl: 'http://127.0.0.1:3101' },
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

/** The processes `npm start` runs, in start order; ports can be moved with `<NAME>_PORT`. */
export interface ServiceProcess {
  name: string;
  script: string;
  defaultPort: number;
}

export const SERVICE_PROCESSES: ServiceProcess[] = [
  { name: 'contacts', script: 'services/contacts/src/main.js', defaultPort: 3101 },
  { name: 'sales', script: 'services/sales/src/main.js', defaultPort: 3102 },
  { name: 'service', script: 'services/service/src/main.js', defaultPort: 3104 },
  { name: 'gateway', script: 'services/gateway/src/main.js', defaultPort: 3000 },
];

export function portOf(service: ServiceProcess, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env[`${service.name.toUpperCase()}_PORT`] ?? (service.name === 'gateway' ? env.PORT : undefined);
  return fromEnv ? Number(fromEnv) : service.defaultPort;
}

import { cleanEnv, num, port, str } from 'envalid';
import { resolve } from 'node:path';

/** Settings every service reads from the environment, validated once at start-up with safe defaults. */
export function loadServiceConfig(serviceName: string, defaultPort: number, env: NodeJS.ProcessEnv = process.env) {
  const upper = serviceName.toUpperCase();
  const parsed = cleanEnv(env, {
    [`${upper}_PORT`]: port({ default: defaultPort }),
    HOST: str({ default: '127.0.0.1' }),
    DATA_DIR: str({ default: './data' }),
    LOG_LEVEL: str({ default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
    EVENT_STORE: str({ default: 'sqlite', choices: ['sqlite', 'memory', 'kurrentdb'] }),
    KURRENTDB_URL: str({ default: 'kurrentdb://127.0.0.1:2113?tls=false' }),
    READ_STORE: str({ default: 'embedded', choices: ['embedded', 'memory', 'mongodb'] }),
    MONGODB_URL: str({ default: 'mongodb://127.0.0.1:27017/' }),
    MONGODB_DATABASE: str({ default: `crm_${serviceName}` }),
    BUS: str({ default: 'embedded', choices: ['embedded', 'kafka'] }),
    KAFKA_BROKERS: str({ default: '127.0.0.1:9092' }),
    SHUTDOWN_DEADLINE_MS: num({ default: 10_000 }),
    BODY_LIMIT_BYTES: num({ default: 1_048_576 }),
    CONSISTENCY_WAIT_MS: num({ default: 2000 }),
  });
  return {
    serviceName,
    port: parsed[`${upper}_PORT`] as number,
    host: parsed.HOST,
    dataDir: resolve(parsed.DATA_DIR),
    serviceDataDir: resolve(parsed.DATA_DIR, serviceName),
    logLevel: parsed.LOG_LEVEL,
    eventStore: parsed.EVENT_STORE as 'sqlite' | 'memory' | 'kurrentdb',
    kurrentDbUrl: parsed.KURRENTDB_URL,
    readStore: parsed.READ_STORE as 'embedded' | 'memory' | 'mongodb',
    mongoDbUrl: parsed.MONGODB_URL,
    // `{service}` lets one setting give every service its own database (`crm_test_{service}`).
    mongoDbDatabase: parsed.MONGODB_DATABASE.replaceAll('{service}', serviceName),
    bus: parsed.BUS as 'embedded' | 'kafka',
    kafkaBrokers: parsed.KAFKA_BROKERS.split(',').map((broker) => broker.trim()).filter(Boolean),
    shutdownDeadlineMs: parsed.SHUTDOWN_DEADLINE_MS,
    bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
    consistencyWaitMs: parsed.CONSISTENCY_WAIT_MS,
  };
}

export type ServiceConfig = ReturnType<typeof loadServiceConfig>;
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

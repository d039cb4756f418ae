import type { BusLogger } from './logger';

/** kafkajs numbers its log levels; only these two reach the service's logger. */
const KAFKAJS_ERROR = 1;
const KAFKAJS_WARN = 2;

interface KafkajsLogEntry {
  namespace: string;
  level: number;
  log: { message: string; [detail: string]: unknown };
}

/**
 * A kafkajs `logCreator` that reports warnings and errors to the bus logger (the service's pino logger),
 * instead of kafkajs' own JSON on stdout or Nest's console logger. Shaped to fit both kafkajs' and Nest's
 * copies of the kafkajs types.
 */
export function kafkaLogCreator(logger: BusLogger): (level: number) => (entry: KafkajsLogEntry) => void {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _kafkajs, ...details } = log;
      if (level === KAFKAJS_ERROR) logger.error({ kafkaClient: namespace, ...details }, `Kafka client: ${message}`);
      else if (level === KAFKAJS_WARN) logger.warn({ kafkaClient: namespace, ...details }, `Kafka client: ${message}`);
    };
}

/** kafkajs' WARN level: below it, kafkajs does not even build the log entries. */
export const KAFKAJS_LOG_LEVEL = KAFKAJS_WARN;

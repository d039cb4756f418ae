/** What the bus and the relay report on; services pass their pino logger (it has this shape). */
export interface BusLogger {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export const consoleBusLogger: BusLogger = {
  warn: (details, message) => console.warn(message, details),
  error: (details, message) => console.error(message, details),
};

export const silentBusLogger: BusLogger = {
  warn: () => undefined,
  error: () => undefined,
};

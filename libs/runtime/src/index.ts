/** What every service runs on: adapters chosen by configuration, projections, the relay, durable timers and HTTP write conventions. */
export * from './adapters';
export * from './projection-host';
export * from './integration-event-relay';
export * from './durable-timers';
export * from './record-views';
export * from './http-writes';
export * from './service-infrastructure.module';
export * from './replicated-directory';

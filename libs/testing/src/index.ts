export * from './poll';
export * from './docker';
export * from './brokers';

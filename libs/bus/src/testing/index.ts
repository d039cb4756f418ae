export * from './bus-contract';
export * from './test-events';

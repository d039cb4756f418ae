// Test support: kept out of the main index because the contract needs jest's globals.
export * from './event-store-contract';
export * from './append-benchmark';
export * from './test-events';

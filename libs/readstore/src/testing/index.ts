// Test support: kept out of the main index because the contracts need jest's globals.
export * from './read-store-contract';
export * from './rebuild-benchmark';

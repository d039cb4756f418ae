export * from './poll';
export * from './docker';

export * from './config';
export * from './request-context';
export * from './problem-details';
export * from './logging';
export * from './health';
export * from './bootstrap';
export * from './http-conventions';

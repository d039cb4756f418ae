export * from './message-bus-transport';
export * from './message-bus-context';
export { canLoadNestMicroservices } from './load-nest-microservices';

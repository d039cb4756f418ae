import type { DeliveryContext, IntegrationEvent } from '../message-bus.port';

/**
 * What `@Ctx()` gives an `@EventPattern` handler run by the `MessageBusTransport`: the delivery (topic,
 * attempt, transport headers) next to the event that `@Payload()` gives. Same shape as Nest's
 * `BaseRpcContext` (`getArgs`, `getArgByIndex`), without loading Nest (see `load-nest-microservices.ts`).
 */
export class MessageBusContext {
  constructor(private readonly args: [event: IntegrationEvent, delivery: DeliveryContext]) {}

  getArgs(): [IntegrationEvent, DeliveryContext] {
    return this.args;
  }

  getArgByIndex<T = unknown>(index: number): T {
    return this.args[index] as T;
  }

  getEvent(): IntegrationEvent {
    return this.args[0];
  }

  getTopic(): string {
    return this.args[1].topic;
  }

  /** 1 on first delivery, then 2, 3 … while the handler keeps failing. */
  getAttempt(): number {
    return this.args[1].attempt;
  }

  getHeaders(): Readonly<Record<string, string>> {
    return this.args[1].headers ?? {};
  }
}

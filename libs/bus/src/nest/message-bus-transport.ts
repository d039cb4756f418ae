import type { CustomTransportStrategy, MessageHandler } from '@nestjs/microservices';
import { BehaviorSubject, isObservable, lastValueFrom, type Observable, throwError } from 'rxjs';
import { consumeIdempotently, type ProcessedEventLog } from '../idempotent-consumer';
import type { Consumer, DeliveryContext, IntegrationEvent, MessageBus } from '../message-bus.port';
import { MessageBusContext } from './message-bus-context';

export interface MessageBusTransportOptions {
  /** Any adapter of the port: embedded, Kafka. */
  bus: MessageBus;
  /** The consuming service's consumer group, e.g. `sales`: one per service, shared by its replicas. */
  group: string;
  /** Where the group records the ids it has handled, so that a redelivered event runs its handler once. */
  processedEvents: ProcessedEventLog;
  /** Attempts before an event goes to `<topic>.dlq`; defaults to the bus's 5. */
  maxAttempts?: number;
  /** Start at the beginning of topics the group never consumed; defaults to true. */
  fromBeginning?: boolean;
}

export type MessageBusTransportStatus = 'disconnected' | 'connected';

/** The transport id `@EventPattern(topic, MESSAGE_BUS_TRANSPORT)` can name, where a service has several transports. */
export const MESSAGE_BUS_TRANSPORT = Symbol('MESSAGE_BUS_TRANSPORT');

/**
 * Runs a service's `@EventPattern('<topic>')` handlers (its `api/` controllers) on the `MessageBus` port,
 * whatever the adapter behind it, as a Nest custom transport:
 *
 *     const microservice = app.connectMicroservice({ strategy: new MessageBusTransport({ bus, group, processedEvents }) });
 *     microservice.useGlobalFilters(new PropagateHandlerErrorsFilter());
 *     await app.startAllMicroservices();
 *
 * The registered patterns are the topics; the group consumes them all with one `bus.consume`, through the
 * idempotent consumer (an event id the group has handled is acknowledged without running the handler).
 * `@Payload()` is the whole `IntegrationEvent`, `@Ctx()` a `MessageBusContext` (write
 * `@EventPattern<string>(topic)`: Nest 12's typed overload declares the context `unknown`). A handler that
 * throws (or whose observable errors) is retried by the bus, then dead-lettered; offsets move only after it
 * resolved.
 *
 * Implemented against Nest's transport contract without extending its `Server` class, so that this file
 * loads without Nest (see `load-nest-microservices.ts`).
 */
export class MessageBusTransport implements CustomTransportStrategy {
  readonly transportId = MESSAGE_BUS_TRANSPORT;
  /** Tells Nest that handler failures reach us (we retry, then dead-letter) rather than only its logger. */
  readonly propagatesEventHandlerErrors = true;
  private readonly handlers = new Map<string, MessageHandler>();
  private readonly status$ = new BehaviorSubject<MessageBusTransportStatus>('disconnected');
  private consumer: Consumer | undefined;

  constructor(private readonly options: MessageBusTransportOptions) {}

  get status(): Observable<MessageBusTransportStatus> {
    return this.status$.asObservable();
  }

  /** Called by Nest for each handler it finds; several handlers of one topic all run, as with Nest's transports. */
  addHandler(pattern: unknown, handler: MessageHandler, isEventHandler = false, extras: Record<string, unknown> = {}): void {
    if (!isEventHandler) {
      throw new Error(`@MessagePattern(${String(pattern)}): the message bus carries events; use @EventPattern, and HTTP for requests`);
    }
    if (typeof pattern !== 'string' || !/^[A-Za-z0-9._-]+$/.test(pattern)) {
      throw new Error(`@EventPattern(${JSON.stringify(pattern)}): the pattern must be a topic name`);
    }
    handler.isEventHandler = true;
    handler.extras = extras;
    const first = this.handlers.get(pattern);
    if (!first) {
      this.handlers.set(pattern, handler);
      return;
    }
    let last = first;
    while (last.next) last = last.next as MessageHandler;
    last.next = handler;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    const topics = [...this.handlers.keys()];
    if (topics.length === 0) {
      callback();
      return;
    }
    try {
      const { bus, group, processedEvents, maxAttempts, fromBeginning } = this.options;
      this.consumer = await consumeIdempotently(bus, {
        group,
        topics,
        processedEvents,
        maxAttempts,
        fromBeginning,
        handler: (event, delivery) => this.dispatch(event, delivery),
      });
      this.status$.next('connected');
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Stops consuming once the in-flight handler has finished and been committed; the bus itself stays open. */
  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.close();
    this.status$.next('disconnected');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  on(): never {
    throw new Error('MessageBusTransport has no events to listen to');
  }

  private async dispatch(event: IntegrationEvent, delivery: DeliveryContext): Promise<void> {
    const handler = this.handlers.get(delivery.topic);
    if (!handler) throw new Error(`No @EventPattern handler for topic ${delivery.topic}`);
    try {
      const result = await handler(event, new MessageBusContext([event, delivery]));
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    } catch (error) {
      // Nest's default filter replaces an unknown error with `{ status, message }` (after logging it):
      // keep a readable reason for the dead-letter headers.
      throw error instanceof Error ? error : new Error(`Event handler failed: ${JSON.stringify(error)}`);
    }
  }
}

/**
 * An exception filter for the message-bus microservice (`useGlobalFilters`) that hands the handler's own
 * error on, so retries and the `dlq-reason` header see it instead of Nest's generic "Internal server error".
 * Without `@Catch()` a filter catches everything.
 */
export class PropagateHandlerErrorsFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

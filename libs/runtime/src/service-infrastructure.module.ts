import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Global,
  type INestApplication,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  type CheckpointStore,
  IntegrationEventRelay,
  MESSAGE_BUS,
  type MessageBus,
  MessageBusTransport,
  type ProcessedEventLog,
} from '@crm/bus';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { HealthModule, ReadinessRegistry, SERVICE_CONFIG, type ServiceConfig } from '@crm/platform';
import { READ_STORE, type ReadStore } from '@crm/readstore';
import { createEventStore, createMessageBus, createProcessedEventLog, createReadStore, createRelayCheckpointStore } from './adapters';
import { DurableTimerScheduler } from './durable-timers';
import { ReadYourWrites } from './http-writes';
import { IntegrationEventMappers } from './integration-event-relay';
import { PROJECTION_PROGRESS, ProjectionHost } from './projection-host';

export const RELAY_CHECKPOINTS = Symbol('RELAY_CHECKPOINTS');
export const PROCESSED_EVENT_LOG = Symbol('PROCESSED_EVENT_LOG');

/** The consumers of other services' integration events, once `connectIntegrationEventConsumers` started them. */
export class IntegrationEventConsumers {
  transport: MessageBusTransport | undefined;

  async close(): Promise<void> {
    await this.transport?.close();
  }
}

/**
 * Starts a service's moving parts with the app and stops them in order: consumers, timers and the relay
 * first (they produce work), then the projections, and only then the stores they write to.
 */
class ServiceRuntimeLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Runtime');
  private relay: IntegrationEventRelay | undefined;

  constructor(
    private readonly config: ServiceConfig,
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    private readonly bus: MessageBus,
    private readonly checkpoints: CheckpointStore & { close?(): void },
    private readonly processedEvents: ProcessedEventLog & { close?(): void },
    private readonly projections: ProjectionHost,
    private readonly mappers: IntegrationEventMappers,
    private readonly timers: DurableTimerScheduler,
    private readonly consumers: IntegrationEventConsumers,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onApplicationBootstrap() {
    this.readiness.register('eventStore', async () => ({ headPosition: await this.eventStore.headPosition() }));
    this.readiness.register('readModels', async () => ({ position: this.projections.position }));
    await this.projections.start();
    if (this.mappers.count > 0) {
      this.relay = new IntegrationEventRelay({
        name: `${this.config.serviceName}.integration-relay`,
        eventStore: this.eventStore,
        bus: this.bus,
        checkpoints: this.checkpoints,
        map: this.mappers.map,
      });
      await this.relay.start();
    }
    await this.timers.start();
    this.logger.log(`${this.projections.names.length} projections, ${this.mappers.count} integration-event mappers and the timers started`);
  }

  async beforeApplicationShutdown() {
    await this.consumers.close();
    await this.timers.stop();
    await this.relay?.stop();
    await this.projections.stop();
  }

  async onApplicationShutdown() {
    await this.bus.close();
    await this.readStore.close();
    await this.eventStore.close();
    this.checkpoints.close?.();
    this.processedEvents.close?.();
  }
}

/**
 * The ports of a service (event store, read store, bus) with the adapters its configuration names, plus
 * the shared machinery features plug into: projections, integration-event mappers and durable timers.
 */
@Global()
@Module({})
export class ServiceInfrastructureModule {
  static register(config: ServiceConfig): DynamicModule {
    return {
      module: ServiceInfrastructureModule,
      imports: [HealthModule],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: EVENT_STORE, useFactory: () => createEventStore(config) },
        { provide: READ_STORE, useFactory: () => createReadStore(config) },
        { provide: MESSAGE_BUS, useFactory: () => createMessageBus(config) },
        { provide: RELAY_CHECKPOINTS, useFactory: (readStore: ReadStore) => createRelayCheckpointStore(config, readStore), inject: [READ_STORE] },
        { provide: PROCESSED_EVENT_LOG, useFactory: (readStore: ReadStore) => createProcessedEventLog(config, readStore), inject: [READ_STORE] },
        { provide: ProjectionHost, useFactory: (eventStore: EventStore, readStore: ReadStore) => new ProjectionHost(eventStore, readStore), inject: [EVENT_STORE, READ_STORE] },
        { provide: PROJECTION_PROGRESS, useExisting: ProjectionHost },
        { provide: IntegrationEventMappers, useValue: new IntegrationEventMappers() },
        { provide: DurableTimerScheduler, useFactory: (readStore: ReadStore) => new DurableTimerScheduler(readStore), inject: [READ_STORE] },
        { provide: IntegrationEventConsumers, useValue: new IntegrationEventConsumers() },
        ReadYourWrites,
        {
          provide: ServiceRuntimeLifecycle,
          useFactory: (...deps: unknown[]) => new ServiceRuntimeLifecycle(config, ...(deps as [EventStore, ReadStore, MessageBus, CheckpointStore, ProcessedEventLog, ProjectionHost, IntegrationEventMappers, DurableTimerScheduler, IntegrationEventConsumers, ReadinessRegistry])),
          inject: [EVENT_STORE, READ_STORE, MESSAGE_BUS, RELAY_CHECKPOINTS, PROCESSED_EVENT_LOG, ProjectionHost, IntegrationEventMappers, DurableTimerScheduler, IntegrationEventConsumers, ReadinessRegistry],
        },
      ],
      exports: [
        SERVICE_CONFIG,
        EVENT_STORE,
        READ_STORE,
        MESSAGE_BUS,
        PROCESSED_EVENT_LOG,
        ProjectionHost,
        PROJECTION_PROGRESS,
        IntegrationEventMappers,
        DurableTimerScheduler,
        IntegrationEventConsumers,
        ReadYourWrites,
        HealthModule,
      ],
    };
  }
}

/**
 * Runs the app's `@EventPattern('<topic>')` handlers on the service's bus, in the service's consumer group
 * (its name), each event id handled once. Call after the app is created and before it listens.
 */
export async function connectIntegrationEventConsumers(app: INestApplication, group: string): Promise<void> {
  const consumers = app.get(IntegrationEventConsumers);
  const transport = new MessageBusTransport({ bus: app.get<MessageBus>(MESSAGE_BUS), group, processedEvents: app.get<ProcessedEventLog>(PROCESSED_EVENT_LOG) });
  consumers.transport = transport;
  // A hybrid app's microservice counts as initialised at once, too late for global filters: consumer
  // controllers carry `@UseFilters(PropagateHandlerErrorsFilter)` instead (see `ContactsEventsConsumer`).
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: false });
  await app.startAllMicroservices();
}

import { Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { type CheckpointStore, IntegrationEventRelay, MESSAGE_BUS, type MessageBus } from '@crm/bus';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { HealthModule, ReadinessRegistry, SERVICE_CONFIG, type ServiceConfig } from '@crm/platform';
import { ProjectionRunner, READ_STORE, type ReadStore } from '@crm/readstore';
import { AdminController } from './api/admin.controller';
import { CompaniesController } from './api/companies.controller';
import { ContactsController } from './api/contacts.controller';
import { ReadYourWrites } from './api/responses';
import { ContactsService } from './application/contacts.service';
import { ListQueries } from './application/list.queries';
import { PROJECTION_PROGRESS } from './application/read-models';
import { createRelayCheckpointStore, createEventStore, createMessageBus, createReadStore } from './infrastructure/adapters';
import { ContactsIntegrationEventMapper } from './infrastructure/integration-events';
import { applyReadModelBatch, READ_MODEL_INDEXES, READ_MODEL_PROJECTION } from './infrastructure/read-model.projection';

const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');

/** Starts the read-model projection and the integration-event relay with the app; stops them before the stores close. */
class ContactsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Contacts');

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    private readonly bus: MessageBus,
    private readonly checkpoints: CheckpointStore,
    private readonly projection: ProjectionRunner,
    private readonly relay: IntegrationEventRelay,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onApplicationBootstrap() {
    this.readiness.register('eventStore', async () => ({ headPosition: await this.eventStore.headPosition() }));
    this.readiness.register('readModel', async () => ({ position: this.projection.position }));
    await this.projection.start();
    await this.relay.start();
    this.logger.log('read-model projection and integration-event relay started');
  }

  async onApplicationShutdown() {
    // Stop producers of work first, then close what they write to.
    await this.relay.stop();
    await this.projection.stop();
    await this.bus.close();
    await this.readStore.close();
    await this.eventStore.close();
    this.checkpoints.close?.();
  }
}

@Module({})
export class ContactsModule {
  static register(config: ServiceConfig): DynamicModule {
    return {
      module: ContactsModule,
      imports: [HealthModule],
      controllers: [ContactsController, CompaniesController, AdminController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: EVENT_STORE, useFactory: () => createEventStore(config) },
        { provide: READ_STORE, useFactory: () => createReadStore(config) },
        { provide: MESSAGE_BUS, useFactory: () => createMessageBus(config) },
        { provide: CHECKPOINT_STORE, useFactory: () => createRelayCheckpointStore(config) },
        { provide: ContactsService, useFactory: (store: EventStore) => new ContactsService(store), inject: [EVENT_STORE] },
        { provide: ListQueries, useFactory: (store: ReadStore) => new ListQueries(store), inject: [READ_STORE] },
        {
          provide: ProjectionRunner,
          useFactory: (eventStore: EventStore, readStore: ReadStore) =>
            new ProjectionRunner(eventStore, readStore, {
              name: READ_MODEL_PROJECTION,
              indexes: READ_MODEL_INDEXES,
              apply: (event, store) => applyReadModelBatch([event], store),
              applyBatch: applyReadModelBatch,
            }),
          inject: [EVENT_STORE, READ_STORE],
        },
        { provide: PROJECTION_PROGRESS, useExisting: ProjectionRunner },
        {
          provide: IntegrationEventRelay,
          useFactory: (eventStore: EventStore, bus: MessageBus, checkpoints: CheckpointStore) =>
            new IntegrationEventRelay({
              name: 'contacts.integration-relay',
              eventStore,
              bus,
              checkpoints,
              map: new ContactsIntegrationEventMapper(eventStore).map,
            }),
          inject: [EVENT_STORE, MESSAGE_BUS, CHECKPOINT_STORE],
        },
        ReadYourWrites,
        {
          provide: ContactsLifecycle,
          useFactory: (...deps: ConstructorParameters<typeof ContactsLifecycle>) => new ContactsLifecycle(...deps),
          inject: [EVENT_STORE, READ_STORE, MESSAGE_BUS, CHECKPOINT_STORE, ProjectionRunner, IntegrationEventRelay, ReadinessRegistry],
        },
      ],
    };
  }
}


import { Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { type CheckpointStore, IntegrationEventRelay, MESSAGE_BUS, type MessageBus } from '@crm/bus';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { HealthModule, ReadinessRegistry, SERVICE_CONFIG, type ServiceConfig } from '@crm/platform';
import { ProjectionRunner, READ_STORE, type ReadStore } from '@crm/readstore';
import { AdminController } from './api/admin.controller';
import { CompaniesController } from './api/companies.controller';
import { ContactImportController } from './api/contact-import.controller';
import { ContactsController } from './api/contacts.controller';
import { ContactMergeController, DuplicateRulesController } from './api/duplicates.controller';
import { CompanyCustomFieldsController, ContactCustomFieldsController } from './api/custom-fields.controller';
import { InteractionsController } from './api/interactions.controller';
import { TimelineAdminController } from './api/timeline-admin.controller';
import { LeadConversionConsumer, LeadConversionConsumerLifecycle } from './api/lead-conversion.consumer';
import { ReadYourWrites } from './api/responses';
import { ContactMergeService } from './application/contact-merge.service';
import { ContactsService } from './application/contacts.service';
import { DuplicateRules } from './application/duplicate-rules.service';
import { DuplicateFinder } from './application/duplicates';
import { LeadConversionService } from './application/lead-conversion.service';
import { ListQueries } from './application/list.queries';
import { PROJECTION_PROGRESS } from './application/read-models';
import {
  createEventStore,
  createMessageBus,
  createProcessedEventLog,
  createReadStore,
  createRelayCheckpointStore,
  IntegrationEventConsumers,
  PROCESSED_EVENT_LOG,
} from '@crm/runtime';
import { ContactsIntegrationEventMapper } from './infrastructure/integration-events';
import { applyReadModelBatch, READ_MODEL_INDEXES, READ_MODEL_PROJECTION } from './infrastructure/read-model.projection';
import { contactImportProviders } from './infrastructure/contact-import.providers';
import { timelineProviders } from './infrastructure/timeline.providers';

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
      // Custom-field routes first, so that `/contacts/custom-fields` is never read as a contact id.
      controllers: [
        ContactCustomFieldsController,
        CompanyCustomFieldsController,
        DuplicateRulesController,
        // Before ContactsController: `/contacts/imports` and `/contacts/export` are not contact ids.
        ContactImportController,
        ContactsController,
        ContactMergeController,
        CompaniesController,
        InteractionsController,
        AdminController,
        TimelineAdminController,
        // Integration events of other services (run by connectIntegrationEventConsumers in main.ts).
        LeadConversionConsumer,
      ],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: EVENT_STORE, useFactory: () => createEventStore(config) },
        { provide: READ_STORE, useFactory: () => createReadStore(config) },
        { provide: MESSAGE_BUS, useFactory: () => createMessageBus(config) },
        { provide: CHECKPOINT_STORE, useFactory: (readStore: ReadStore) => createRelayCheckpointStore(config, readStore), inject: [READ_STORE] },
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
        { provide: DuplicateRules, useFactory: (store: EventStore) => new DuplicateRules(store), inject: [EVENT_STORE] },
        {
          provide: DuplicateFinder,
          // Lookups read the list read model: let it catch up (bounded) with what was written before the call.
          useFactory: (readStore: ReadStore, rules: DuplicateRules, eventStore: EventStore, runner: ProjectionRunner) =>
            new DuplicateFinder(readStore, rules, async () => {
              await runner.waitForPosition(await eventStore.headPosition(), config.consistencyWaitMs);
            }),
          inject: [READ_STORE, DuplicateRules, EVENT_STORE, ProjectionRunner],
        },
        { provide: ContactMergeService, useFactory: (store: EventStore) => new ContactMergeService(store), inject: [EVENT_STORE] },
        // What connectIntegrationEventConsumers needs; the lifecycle stops the consumers before the bus closes.
        { provide: PROCESSED_EVENT_LOG, useFactory: (readStore: ReadStore) => createProcessedEventLog(config, readStore), inject: [READ_STORE] },
        { provide: IntegrationEventConsumers, useValue: new IntegrationEventConsumers() },
        { provide: LeadConversionService, useFactory: (store: EventStore) => new LeadConversionService(store), inject: [EVENT_STORE] },
        LeadConversionConsumerLifecycle,
        ...timelineProviders(),
        ...contactImportProviders(config),
        {
          provide: ContactsLifecycle,
          useFactory: (...deps: ConstructorParameters<typeof ContactsLifecycle>) => new ContactsLifecycle(...deps),
          inject: [EVENT_STORE, READ_STORE, MESSAGE_BUS, CHECKPOINT_STORE, ProjectionRunner, IntegrationEventRelay, ReadinessRegistry],
        },
      ],
    };
  }
}


import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { READ_STORE, type ReadStore } from '@crm/readstore';
import { DurableTimerScheduler, IntegrationEventMappers, ProjectionHost } from '@crm/runtime';
import { AssetsController } from './api/assets.controller';
import { MaintenanceRulesController } from './api/maintenance-rules.controller';
import { ServiceContractsController } from './api/service-contracts.controller';
import { AssetsService } from './application/assets.service';
import { ContactDirectory } from './application/contact-directory';
import { CustomerCareMergeRelinker } from './application/customer-care-merge-relinker';
import { maintenanceTimers, renewalReminderTimers, ticketCoverageTimers } from './application/customer-care-read-models';
import { CUSTOMER_CARE_TICKET_DESK, type CustomerCareTicketDesk, TicketFacts, TicketsServiceDesk } from './application/customer-care-ticket-desk';
import { CustomerCareTimerHandlers } from './application/customer-care-timer-handlers';
import { UniqueKeys } from './application/customer-care-unique-keys';
import { MaintenanceService } from './application/maintenance.service';
import { ServiceContractsService } from './application/service-contracts.service';
import { SLA_CONTRACT_TIERS } from './application/sla-contract-tiers';
import { TicketsService } from './application/tickets.service';
import { ContactDirectoryModule } from './contact-directory.module';
import { assetsProjection } from './infrastructure/assets.projection';
import { contractsProjection } from './infrastructure/contracts.projection';
import { CustomerCareIntegrationEventMapper } from './infrastructure/customer-care-integration-events';
import { maintenanceProjection } from './infrastructure/maintenance.projection';
import { TicketsModule } from './tickets.module';

/** Plugs customer care into the shared machinery: read models, timers, integration events and contact merges. */
class CustomerCareWiring implements OnModuleInit {
  constructor(
    @Inject(ProjectionHost) private readonly projections: ProjectionHost,
    @Inject(IntegrationEventMappers) private readonly mappers: IntegrationEventMappers,
    @Inject(DurableTimerScheduler) private readonly scheduler: DurableTimerScheduler,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(ContactDirectory) private readonly directory: ContactDirectory,
    @Inject(ServiceContractsService) private readonly contracts: ServiceContractsService,
    @Inject(AssetsService) private readonly assets: AssetsService,
    @Inject(MaintenanceService) private readonly maintenance: MaintenanceService,
    @Inject(CUSTOMER_CARE_TICKET_DESK) private readonly ticketDesk: CustomerCareTicketDesk,
  ) {}

  onModuleInit() {
    this.projections.add(contractsProjection());
    this.projections.add(assetsProjection());
    this.projections.add(maintenanceProjection());
    this.mappers.add(new CustomerCareIntegrationEventMapper(this.eventStore).map);
    const handlers = new CustomerCareTimerHandlers(this.contracts, this.readStore, this.ticketDesk, new TicketFacts(this.eventStore));
    this.scheduler.register(renewalReminderTimers, handlers.renewalDue);
    this.scheduler.register(ticketCoverageTimers, handlers.ticketOpened);
    this.scheduler.register(maintenanceTimers, (timer) => this.maintenance.maintenanceDue(timer));
    this.directory.onContactMerge(new CustomerCareMergeRelinker(this.readStore, this.contracts, this.assets).onContactMerge);
  }
}

/** Service contracts, entitlements, customer assets and proactive maintenance. */
@Module({
  imports: [ContactDirectoryModule, TicketsModule],
  controllers: [ServiceContractsController, AssetsController, MaintenanceRulesController],
  providers: [
    { provide: UniqueKeys, useFactory: (store: ReadStore) => new UniqueKeys(store), inject: [READ_STORE] },
    { provide: CUSTOMER_CARE_TICKET_DESK, useFactory: (tickets: TicketsService) => new TicketsServiceDesk(tickets), inject: [TicketsService] },
    {
      provide: ServiceContractsService,
      useFactory: (store: EventStore, readStore: ReadStore, directory: ContactDirectory) => new ServiceContractsService(store, readStore, directory, new TicketFacts(store)),
      inject: [EVENT_STORE, READ_STORE, ContactDirectory],
    },
    {
      provide: AssetsService,
      useFactory: (store: EventStore, readStore: ReadStore, directory: ContactDirectory, uniqueKeys: UniqueKeys) => new AssetsService(store, readStore, directory, uniqueKeys),
      inject: [EVENT_STORE, READ_STORE, ContactDirectory, UniqueKeys],
    },
    {
      provide: MaintenanceService,
      useFactory: (store: EventStore, readStore: ReadStore, assets: AssetsService, uniqueKeys: UniqueKeys, ticketDesk: CustomerCareTicketDesk) =>
        new MaintenanceService(store, readStore, assets, uniqueKeys, ticketDesk),
      inject: [EVENT_STORE, READ_STORE, AssetsService, UniqueKeys, CUSTOMER_CARE_TICKET_DESK],
    },
    // The SLA engine matches policies on the customer's contract tier.
    { provide: SLA_CONTRACT_TIERS, useExisting: ServiceContractsService },
    CustomerCareWiring,
  ],
  exports: [ServiceContractsService, SLA_CONTRACT_TIERS],
})
export class CustomerCareModule {}

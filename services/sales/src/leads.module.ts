import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { READ_STORE, type ReadStore } from '@crm/readstore';
import { DurableTimerScheduler, DurableTimerSet, IntegrationEventMappers, ProjectionHost } from '@crm/runtime';
import { LeadContactsConsumer } from './api/lead-contacts.consumer';
import { LeadsController } from './api/leads.controller';
import { WebFormsController } from './api/web-forms.controller';
import { ContactDirectory } from './application/contact-directory';
import { DealsServiceConversionDeals } from './application/lead-conversion-deals';
import { LeadConversionSaga } from './application/lead-conversion.saga';
import { LeadListQueries } from './application/lead-read-model';
import { leadsCommandHandler, type LeadsCommandHandler, LeadsService } from './application/leads.service';
import { OWNER_ASSIGNMENT, type OwnerAssignment } from './application/owner-assignment';
import { WebFormsService } from './application/web-forms.service';
import { ContactDirectoryModule } from './contact-directory.module';
import { LeadIntegrationEventMapper } from './infrastructure/lead-integration-events';
import { leadsProjection } from './infrastructure/leads.projection';
import { TerritoriesModule } from './territories.module';

const LEADS_COMMAND_HANDLER = Symbol('LEADS_COMMAND_HANDLER');
const CONVERSION_TIMERS = Symbol('CONVERSION_TIMERS');

/** Plugs leads into the service runtime: the list projection (with the conversion timers), the public events, the saga's timer. */
class LeadsRuntime implements OnModuleInit {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(ProjectionHost) private readonly projections: ProjectionHost,
    @Inject(IntegrationEventMappers) private readonly mappers: IntegrationEventMappers,
    @Inject(DurableTimerScheduler) private readonly scheduler: DurableTimerScheduler,
    @Inject(CONVERSION_TIMERS) private readonly conversionTimers: DurableTimerSet,
    @Inject(LeadConversionSaga) private readonly saga: LeadConversionSaga,
  ) {}

  onModuleInit() {
    this.projections.add(leadsProjection(this.conversionTimers));
    this.mappers.add(new LeadIntegrationEventMapper(this.eventStore).map);
    // Fires until the conversion ends: a failure (contacts not there yet) is retried with backoff.
    this.scheduler.register(this.conversionTimers, async (timer) => {
      const conversion = await this.saga.advance(timer.tenantId, String(timer.payload.leadId));
      if (conversion?.status === 'pending') throw new Error(`Lead ${String(timer.payload.leadId)}: waiting for the contacts service`);
    });
  }
}

/** Leads, web forms and lead conversion (territories: TerritoriesModule). */
@Module({
  imports: [ContactDirectoryModule, TerritoriesModule],
  controllers: [LeadsController, WebFormsController, LeadContactsConsumer],
  providers: [
    { provide: LEADS_COMMAND_HANDLER, useFactory: leadsCommandHandler, inject: [EVENT_STORE] },
    {
      provide: LeadsService,
      useFactory: (handler: LeadsCommandHandler, owners: OwnerAssignment) => new LeadsService(handler, owners),
      inject: [LEADS_COMMAND_HANDLER, OWNER_ASSIGNMENT],
    },
    { provide: LeadListQueries, useFactory: (store: ReadStore) => new LeadListQueries(store), inject: [READ_STORE] },
    { provide: WebFormsService, useFactory: (store: EventStore, leads: LeadsService) => new WebFormsService(store, leads), inject: [EVENT_STORE, LeadsService] },
    {
      provide: LeadConversionSaga,
      useFactory: (leads: LeadsService, handler: LeadsCommandHandler, directory: ContactDirectory, store: EventStore, owners: OwnerAssignment) =>
        new LeadConversionSaga(leads, handler, directory, new DealsServiceConversionDeals(store, directory, owners)),
      inject: [LeadsService, LEADS_COMMAND_HANDLER, ContactDirectory, EVENT_STORE, OWNER_ASSIGNMENT],
    },
    { provide: CONVERSION_TIMERS, useFactory: () => new DurableTimerSet('lead-conversions') },
    LeadsRuntime,
  ],
  exports: [],
})
export class LeadsModule {}

import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { READ_STORE, type ReadStore } from '@crm/readstore';
import { DurableTimerScheduler, IntegrationEventMappers, ProjectionHost } from '@crm/runtime';
import { BusinessCalendarsController } from './api/business-calendars.controller';
import { EscalationRulesController } from './api/escalation-rules.controller';
import { SlaController, TicketSlaController } from './api/sla.controller';
import { SlaPoliciesController } from './api/sla-policies.controller';
import { BusinessCalendarsService } from './application/business-calendars.service';
import { SlaService } from './application/sla.service';
import { SLA_CONTRACT_TIERS, type SlaContractTiers } from './application/sla-contract-tiers';
import { EscalationRulesService } from './application/sla-escalation-rules.service';
import { SlaPoliciesService } from './application/sla-policies.service';
import { SlaRecomputeService } from './application/sla-recompute.service';
import { SLA_TICKET_ACTIONS, type SlaTicketActions } from './application/sla-ticket-actions';
import { TicketsService } from './application/tickets.service';
import { ContactDirectoryModule } from './contact-directory.module';
import { CustomerCareModule } from './customer-care.module';
import { SlaEngine } from './infrastructure/sla-engine';
import { TicketsModule } from './tickets.module';

/** Plugs the SLA engine into the shared machinery: its projection (read models and timers), the timer handler, the integration events. */
class SlaWiring implements OnModuleInit {
  constructor(
    @Inject(SlaEngine) private readonly engine: SlaEngine,
    @Inject(ProjectionHost) private readonly projections: ProjectionHost,
    @Inject(IntegrationEventMappers) private readonly mappers: IntegrationEventMappers,
    @Inject(DurableTimerScheduler) private readonly scheduler: DurableTimerScheduler,
  ) {}

  onModuleInit() {
    this.projections.add(this.engine.projection);
    this.mappers.add(this.engine.mapIntegrationEvents);
    this.engine.registerTimers(this.scheduler);
  }
}

/** SLA calendars, policies, clocks, durable SLA timers, escalation and recompute. */
@Module({
  imports: [ContactDirectoryModule, TicketsModule, CustomerCareModule],
  controllers: [BusinessCalendarsController, SlaPoliciesController, SlaController, EscalationRulesController, TicketSlaController],
  providers: [
    // Escalations act on tickets only through the tickets feature's own commands.
    { provide: SLA_TICKET_ACTIONS, useFactory: (tickets: TicketsService): SlaTicketActions => tickets, inject: [TicketsService] },
    {
      provide: SlaEngine,
      useFactory: (eventStore: EventStore, readStore: ReadStore, tiers: SlaContractTiers, tickets: SlaTicketActions) => new SlaEngine(eventStore, readStore, tiers, tickets),
      inject: [EVENT_STORE, READ_STORE, SLA_CONTRACT_TIERS, SLA_TICKET_ACTIONS],
    },
    { provide: BusinessCalendarsService, useFactory: (engine: SlaEngine) => engine.calendars, inject: [SlaEngine] },
    { provide: SlaPoliciesService, useFactory: (engine: SlaEngine) => engine.policies, inject: [SlaEngine] },
    { provide: EscalationRulesService, useFactory: (engine: SlaEngine) => engine.rules, inject: [SlaEngine] },
    { provide: SlaService, useFactory: (engine: SlaEngine) => engine.sla, inject: [SlaEngine] },
    { provide: SlaRecomputeService, useFactory: (engine: SlaEngine) => engine.recompute, inject: [SlaEngine] },
    SlaWiring,
  ],
  exports: [SlaService],
})
export class SlaModule {}

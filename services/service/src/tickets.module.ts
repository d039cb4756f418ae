import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { READ_STORE, type ReadStore } from '@crm/readstore';
import { IntegrationEventMappers, ProjectionHost } from '@crm/runtime';
import { AgentsController } from './api/agents.controller';
import { CsatController } from './api/csat.controller';
import { InboundController } from './api/inbound.controller';
import { PortalController } from './api/portal.controller';
import { QueuesController } from './api/queues.controller';
import { TicketsController } from './api/tickets.controller';
import { AgentsService } from './application/agents.service';
import { ContactDirectory } from './application/contact-directory';
import { CsatService } from './application/csat.service';
import { InboundEmailService } from './application/inbound-email.service';
import { PortalService } from './application/portal.service';
import { QueuesService } from './application/queues.service';
import { loadTicketsConfig, TICKETS_CONFIG, type TicketsConfig } from './application/ticket-config';
import { TicketQueries } from './application/ticket-queries';
import { TicketsService } from './application/tickets.service';
import { ContactDirectoryModule } from './contact-directory.module';
import { queuesProjection } from './infrastructure/queues.projection';
import { TicketIntegrationEventMapper } from './infrastructure/ticket-integration-events';
import { ticketsProjection } from './infrastructure/tickets.projection';

/** Plugs tickets into the shared machinery: read models, integration events, and contact merges. */
class TicketsWiring implements OnModuleInit {
  constructor(
    @Inject(ProjectionHost) private readonly projections: ProjectionHost,
    @Inject(IntegrationEventMappers) private readonly mappers: IntegrationEventMappers,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(TICKETS_CONFIG) private readonly config: TicketsConfig,
    @Inject(ContactDirectory) private readonly directory: ContactDirectory,
    @Inject(TicketsService) private readonly tickets: TicketsService,
    @Inject(TicketQueries) private readonly queries: TicketQueries,
  ) {}

  onModuleInit() {
    this.projections.add(ticketsProjection);
    this.projections.add(queuesProjection);
    this.mappers.add(new TicketIntegrationEventMapper(this.eventStore, this.config.csatTokenSecret).map);
    // A merged requester's tickets follow the survivor, so the survivor sees them in the portal and in lists.
    // An unmerge does not move them back: which tickets came from the source is not kept (see ADR 0021).
    this.directory.onContactMerge(async (change) => {
      if (!change.merged) return;
      const context = { tenantId: change.tenantId, actorId: 'system:contact-merge', correlationId: change.correlationId, causationId: change.eventId };
      let cursor: string | undefined;
      do {
        const page = await this.queries.listTickets(change.tenantId, { requesterContactId: change.sourceContactId, limit: 200, cursor });
        for (const ticket of page.items) await this.tickets.relinkRequester(context, ticket.id, change.survivorContactId);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    });
  }
}

/** Tickets from every channel, queues and assignment, portal and CSAT. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [TicketsController, CsatController, QueuesController, AgentsController, InboundController, PortalController],
  providers: [
    { provide: TICKETS_CONFIG, useFactory: () => loadTicketsConfig() },
    { provide: TicketQueries, useFactory: (store: ReadStore) => new TicketQueries(store), inject: [READ_STORE] },
    { provide: QueuesService, useFactory: (store: EventStore, queries: TicketQueries) => new QueuesService(store, queries), inject: [EVENT_STORE, TicketQueries] },
    {
      provide: AgentsService,
      useFactory: (store: EventStore, queues: QueuesService, queries: TicketQueries) => new AgentsService(store, queues, queries),
      inject: [EVENT_STORE, QueuesService, TicketQueries],
    },
    {
      provide: TicketsService,
      useFactory: (store: EventStore, queues: QueuesService, agents: AgentsService, directory: ContactDirectory, config: TicketsConfig) =>
        new TicketsService(store, queues, agents, directory, config),
      inject: [EVENT_STORE, QueuesService, AgentsService, ContactDirectory, TICKETS_CONFIG],
    },
    { provide: CsatService, useFactory: (tickets: TicketsService, config: TicketsConfig) => new CsatService(tickets, config), inject: [TicketsService, TICKETS_CONFIG] },
    {
      provide: PortalService,
      useFactory: (tickets: TicketsService, queries: TicketQueries, directory: ContactDirectory, config: TicketsConfig) => new PortalService(tickets, queries, directory, config),
      inject: [TicketsService, TicketQueries, ContactDirectory, TICKETS_CONFIG],
    },
    {
      provide: InboundEmailService,
      useFactory: (tickets: TicketsService, queries: TicketQueries, directory: ContactDirectory) => new InboundEmailService(tickets, queries, directory),
      inject: [TicketsService, TicketQueries, ContactDirectory],
    },
    TicketsWiring,
  ],
  exports: [TicketsService, QueuesService, AgentsService, TicketQueries, TICKETS_CONFIG],
})
export class TicketsModule {}

import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { READ_STORE, type ReadStore } from '@crm/readstore';
import { IntegrationEventMappers, ProjectionHost } from '@crm/runtime';
import { DealsController } from './api/deals.controller';
import { PipelinesController } from './api/pipelines.controller';
import { ContactDirectory } from './application/contact-directory';
import { DealBoard } from './application/deal-board';
import { DealContactMergeFollower } from './application/deal-contact-merge';
import { DealQueries } from './application/deal-queries';
import { DealsService } from './application/deals.service';
import { OWNER_ASSIGNMENT, type OwnerAssignment } from './application/owner-assignment';
import { PipelineStageRemoval } from './application/pipeline-stage-removal';
import { PipelinesService } from './application/pipelines.service';
import { ContactDirectoryModule } from './contact-directory.module';
import { DealIntegrationEventMapper } from './infrastructure/deal-integration-events';
import { dealsProjection } from './infrastructure/deals.projection';
import { pipelinesProjection } from './infrastructure/pipelines.projection';
import { TerritoriesModule } from './territories.module';

/** Plugs the feature into the service's shared machinery: read models, the relay, and contact merges. */
@Injectable()
class PipelinesDealsWiring implements OnModuleInit {
  constructor(
    @Inject(ProjectionHost) private readonly projections: ProjectionHost,
    @Inject(IntegrationEventMappers) private readonly mappers: IntegrationEventMappers,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(ContactDirectory) private readonly directory: ContactDirectory,
    @Inject(DealContactMergeFollower) private readonly mergeFollower: DealContactMergeFollower,
  ) {}

  onModuleInit() {
    this.projections.add(pipelinesProjection());
    this.projections.add(dealsProjection());
    this.mappers.add(new DealIntegrationEventMapper(this.eventStore).map);
    this.directory.onContactMerge(this.mergeFollower.onContactMerge);
  }
}

/** Pipelines and deals: stage history, board, filters. */
@Module({
  imports: [ContactDirectoryModule, TerritoriesModule],
  controllers: [PipelinesController, DealsController],
  providers: [
    { provide: PipelinesService, useFactory: (store: EventStore) => new PipelinesService(store), inject: [EVENT_STORE] },
    {
      provide: DealQueries,
      useFactory: (readStore: ReadStore, eventStore: EventStore, projections: ProjectionHost) => new DealQueries(readStore, eventStore, projections),
      inject: [READ_STORE, EVENT_STORE, ProjectionHost],
    },
    { provide: DealBoard, useFactory: (readStore: ReadStore) => new DealBoard(readStore), inject: [READ_STORE] },
    {
      provide: DealsService,
      useFactory: (store: EventStore, pipelines: PipelinesService, directory: ContactDirectory, owners: OwnerAssignment) =>
        new DealsService(store, pipelines, directory, owners),
      inject: [EVENT_STORE, PipelinesService, ContactDirectory, OWNER_ASSIGNMENT],
    },
    {
      provide: PipelineStageRemoval,
      useFactory: (pipelines: PipelinesService, deals: DealsService, queries: DealQueries) => new PipelineStageRemoval(pipelines, deals, queries),
      inject: [PipelinesService, DealsService, DealQueries],
    },
    {
      provide: DealContactMergeFollower,
      useFactory: (deals: DealsService, queries: DealQueries) => new DealContactMergeFollower(deals, queries),
      inject: [DealsService, DealQueries],
    },
    PipelinesDealsWiring,
  ],
  exports: [PipelinesService, DealsService, DealQueries],
})
export class PipelinesDealsModule {}

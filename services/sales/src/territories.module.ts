import { Module } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { SERVICE_CONFIG, type ServiceConfig } from '@crm/platform';
import { type ProjectionRunner, READ_STORE, type ReadStore } from '@crm/readstore';
import { ProjectionHost } from '@crm/runtime';
import { TerritoriesController } from './api/territories.controller';
import { OWNER_ASSIGNMENT } from './application/owner-assignment';
import { TerritoriesService } from './application/territories.service';
import { TerritoryOwnerAssignment } from './application/territory-owner-assignment';
import { TerritoryQueries } from './application/territory-read-model';
import { TerritoryRotation } from './application/territory-rotation';
import { territoriesProjection } from './infrastructure/territories.projection';

const TERRITORIES_PROJECTION_RUNNER = Symbol('TERRITORIES_PROJECTION_RUNNER');

/** Territories: rules that give new leads and deals an owner (OWNER_ASSIGNMENT). */
@Module({
  controllers: [TerritoriesController],
  providers: [
    { provide: TerritoriesService, useFactory: (store: EventStore) => new TerritoriesService(store), inject: [EVENT_STORE] },
    { provide: TerritoryQueries, useFactory: (store: ReadStore) => new TerritoryQueries(store), inject: [READ_STORE] },
    { provide: TERRITORIES_PROJECTION_RUNNER, useFactory: (host: ProjectionHost) => host.add(territoriesProjection), inject: [ProjectionHost] },
    {
      provide: OWNER_ASSIGNMENT,
      // Rules are read from the read model once it has applied everything written so far (bounded wait),
      // so a territory created a moment ago already assigns.
      useFactory: (queries: TerritoryQueries, store: EventStore, runner: ProjectionRunner, config: ServiceConfig) =>
        new TerritoryOwnerAssignment(queries, new TerritoryRotation(store), async () => {
          await runner.waitForPosition(await store.headPosition(), config.consistencyWaitMs);
        }),
      inject: [TerritoryQueries, EVENT_STORE, TERRITORIES_PROJECTION_RUNNER, SERVICE_CONFIG],
    },
  ],
  exports: [OWNER_ASSIGNMENT],
})
export class TerritoriesModule {}

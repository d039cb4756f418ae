import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { ReadinessRegistry, SERVICE_CONFIG, type ServiceConfig } from '@crm/platform';
import { ProjectionRunner, READ_STORE, type ReadStore } from '@crm/readstore';
import { CustomFieldDefinitions } from '../application/custom-fields.service';
import { InteractionsService } from '../application/interactions.service';
import { ReadStoreParticipantDirectory } from '../application/participant-directory';
import { TIMELINE_RUNNER, TimelineService } from '../application/timeline';
import { applyTimelineBatch, TIMELINE_INDEXES, TIMELINE_PROJECTION } from './timeline.projection';

/** Starts the timeline projection with the app, and stops it before the stores close (their hooks run later). */
class TimelineLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Timeline');

  constructor(
    private readonly runner: ProjectionRunner,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onApplicationBootstrap() {
    this.readiness.register('timeline', async () => ({ position: this.runner.position }));
    await this.runner.start();
    this.logger.log('timeline projection started');
  }

  async beforeApplicationShutdown() {
    await this.runner.stop();
  }
}

/** Providers of custom field definitions, interactions and timelines, for the contacts module. */
export function timelineProviders(): Provider[] {
  return [
    { provide: CustomFieldDefinitions, useFactory: (store: EventStore) => new CustomFieldDefinitions(store), inject: [EVENT_STORE] },
    {
      provide: TIMELINE_RUNNER,
      useFactory: (eventStore: EventStore, readStore: ReadStore) =>
        new ProjectionRunner(eventStore, readStore, {
          name: TIMELINE_PROJECTION,
          indexes: TIMELINE_INDEXES,
          apply: (event, store) => applyTimelineBatch([event], store),
          applyBatch: applyTimelineBatch,
        }),
      inject: [EVENT_STORE, READ_STORE],
    },
    {
      provide: InteractionsService,
      useFactory: (eventStore: EventStore, readStore: ReadStore, runner: ProjectionRunner, config: ServiceConfig) => {
        const catchUp = async () => {
          await runner.waitForPosition(await eventStore.headPosition(), config.consistencyWaitMs);
        };
        return new InteractionsService(eventStore, new ReadStoreParticipantDirectory(readStore, catchUp));
      },
      inject: [EVENT_STORE, READ_STORE, TIMELINE_RUNNER, SERVICE_CONFIG],
    },
    { provide: TimelineService, useFactory: (eventStore: EventStore, readStore: ReadStore) => new TimelineService(eventStore, readStore), inject: [EVENT_STORE, READ_STORE] },
    {
      provide: TimelineLifecycle,
      useFactory: (runner: ProjectionRunner, readiness: ReadinessRegistry) => new TimelineLifecycle(runner, readiness),
      inject: [TIMELINE_RUNNER, ReadinessRegistry],
    },
  ];
}

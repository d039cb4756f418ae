import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { READ_STORE, type ReadStore } from '@crm/readstore';
import { DurableTimerScheduler, type DurableTimerSet, IntegrationEventMappers, ProjectionHost } from '@crm/runtime';
import { TasksController } from './api/tasks.controller';
import { ContactDirectory } from './application/contact-directory';
import { TaskLinkChecker } from './application/task-links';
import { TaskListQueries } from './application/task-list.queries';
import { TasksService } from './application/tasks.service';
import { ContactDirectoryModule } from './contact-directory.module';
import { TaskIntegrationEventMapper } from './infrastructure/task-integration-events';
import { createTaskReminderSet, TASK_REMINDERS, taskTimerHandler } from './infrastructure/task-reminders';
import { tasksProjection } from './infrastructure/tasks.projection';

/** Plugs tasks into the service runtime: the projection (list and timers), the integration events, the timer handler, contact merges. */
class TasksRuntime implements OnModuleInit {
  constructor(
    @Inject(ProjectionHost) private readonly projections: ProjectionHost,
    @Inject(IntegrationEventMappers) private readonly mappers: IntegrationEventMappers,
    @Inject(DurableTimerScheduler) private readonly scheduler: DurableTimerScheduler,
    @Inject(TASK_REMINDERS) private readonly reminders: DurableTimerSet,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(TasksService) private readonly tasks: TasksService,
    @Inject(TaskListQueries) private readonly lists: TaskListQueries,
    @Inject(ContactDirectory) private readonly directory: ContactDirectory,
  ) {}

  onModuleInit() {
    this.projections.add(tasksProjection(this.reminders));
    this.mappers.add(new TaskIntegrationEventMapper(this.eventStore).map);
    this.scheduler.register(this.reminders, taskTimerHandler(this.tasks));
    this.directory.onContactMerge((change) => this.tasks.relinkMergedContact(change, this.lists));
  }
}

/** Tasks, comments and durable reminders. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [TasksController],
  providers: [
    { provide: TASK_REMINDERS, useFactory: createTaskReminderSet },
    {
      provide: TasksService,
      useFactory: (store: EventStore, directory: ContactDirectory) => new TasksService(store, new TaskLinkChecker(store, directory)),
      inject: [EVENT_STORE, ContactDirectory],
    },
    { provide: TaskListQueries, useFactory: (store: ReadStore) => new TaskListQueries(store), inject: [READ_STORE] },
    TasksRuntime,
  ],
  exports: [TasksService],
})
export class TasksModule {}

import { Module } from '@nestjs/common';
import { ContactDirectoryModule } from './contact-directory.module';

/** Tasks, comments and durable reminders. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [],
  providers: [],
  exports: [],
})
export class TasksModule {}

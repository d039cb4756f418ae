import { Module } from '@nestjs/common';
import { ContactDirectoryModule } from './contact-directory.module';

/** Tickets from every channel, queues and assignment, portal and CSAT. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [],
  providers: [],
  exports: [],
})
export class TicketsModule {}

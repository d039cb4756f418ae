import { Module } from '@nestjs/common';
import { ContactDirectoryModule } from './contact-directory.module';

/** SLA calendars, policies, clocks, durable SLA timers, escalation and recompute. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [],
  providers: [],
  exports: [],
})
export class SlaModule {}

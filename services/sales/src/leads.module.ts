import { Module } from '@nestjs/common';
import { ContactDirectoryModule } from './contact-directory.module';

/** Leads, web forms, territories and lead conversion. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [],
  providers: [],
  exports: [],
})
export class LeadsModule {}

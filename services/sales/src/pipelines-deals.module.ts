import { Module } from '@nestjs/common';
import { ContactDirectoryModule } from './contact-directory.module';

/** Pipelines and deals: stage history, board, filters. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [],
  providers: [],
  exports: [],
})
export class PipelinesDealsModule {}

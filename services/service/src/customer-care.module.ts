import { Module } from '@nestjs/common';
import { ContactDirectoryModule } from './contact-directory.module';

/** Service contracts, entitlements, customer assets and proactive maintenance. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [],
  providers: [],
  exports: [],
})
export class CustomerCareModule {}

import { Module } from '@nestjs/common';
import { ContactDirectoryModule } from './contact-directory.module';

/** Forecasts (also as of a past date) and quotas. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [],
  providers: [],
  exports: [],
})
export class ForecastModule {}

import { Module } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { READ_STORE, type ReadStore } from '@crm/readstore';
import { ProjectionHost } from '@crm/runtime';
import { ForecastController } from './api/forecast.controller';
import { QuotasController } from './api/quotas.controller';
import { ForecastQueries } from './application/forecast.service';
import { QuotasService } from './application/quotas.service';
import { ContactDirectoryModule } from './contact-directory.module';
import { dealVersionsProjection } from './infrastructure/forecast.projection';
import { quotasProjection } from './infrastructure/quotas.projection';

const FORECAST_PROJECTIONS = Symbol('FORECAST_PROJECTIONS');

/** Forecasts (also as of a past date) from the deal_versions read model, and quotas with attainment. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [ForecastController, QuotasController],
  providers: [
    {
      provide: FORECAST_PROJECTIONS,
      useFactory: (host: ProjectionHost) => [host.add(dealVersionsProjection), host.add(quotasProjection)],
      inject: [ProjectionHost],
    },
    { provide: ForecastQueries, useFactory: (readStore: ReadStore) => new ForecastQueries(readStore), inject: [READ_STORE] },
    {
      provide: QuotasService,
      useFactory: (eventStore: EventStore, readStore: ReadStore, forecasts: ForecastQueries) => new QuotasService(eventStore, readStore, forecasts),
      inject: [EVENT_STORE, READ_STORE, ForecastQueries],
    },
  ],
  exports: [ForecastQueries],
})
export class ForecastModule {}

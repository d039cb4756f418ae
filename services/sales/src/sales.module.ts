import { type DynamicModule, Module } from '@nestjs/common';
import type { ServiceConfig } from '@crm/platform';
import { ServiceInfrastructureModule } from '@crm/runtime';
import { CatalogQuotesModule } from './catalog-quotes.module';
import { ContactDirectoryModule } from './contact-directory.module';
import { ForecastModule } from './forecast.module';
import { LeadsModule } from './leads.module';
import { PipelinesDealsModule } from './pipelines-deals.module';
import { TasksModule } from './tasks.module';
import { TerritoriesModule } from './territories.module';

/** The sales service: one module per feature, on the shared service infrastructure. */
@Module({})
export class SalesModule {
  static register(config: ServiceConfig): DynamicModule {
    return {
      module: SalesModule,
      imports: [
        ServiceInfrastructureModule.register(config),
        ContactDirectoryModule,
        TerritoriesModule,
        PipelinesDealsModule,
        LeadsModule,
        TasksModule,
        CatalogQuotesModule,
        ForecastModule,
      ],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import type { ServiceConfig } from '@crm/platform';
import { ServiceInfrastructureModule } from '@crm/runtime';
import { ContactDirectoryModule } from './contact-directory.module';
import { CustomerCareModule } from './customer-care.module';
import { SlaModule } from './sla.module';
import { TicketsModule } from './tickets.module';

/** The service desk: one module per feature, on the shared service infrastructure. */
@Module({})
export class ServiceDeskModule {
  static register(config: ServiceConfig): DynamicModule {
    return {
      module: ServiceDeskModule,
      imports: [ServiceInfrastructureModule.register(config), ContactDirectoryModule, TicketsModule, SlaModule, CustomerCareModule],
    };
  }
}

import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HealthModule, ReadinessRegistry } from '@crm/platform';
import { resolveServices } from './application/service-routes';
import { probeService } from './infrastructure/upstream-docs';

export const SERVICES = Symbol('SERVICES');

@Module({
  imports: [HealthModule],
  providers: [{ provide: SERVICES, useFactory: () => resolveServices() }],
  exports: [SERVICES],
})
export class GatewayModule implements OnModuleInit {
  constructor(
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(SERVICES) private readonly services: ReturnType<typeof resolveServices>,
  ) {}

  onModuleInit(): void {
    for (const service of this.services) this.readiness.register(service.service, () => probeService(service));
  }
}

import { type BeforeApplicationShutdown, Controller, Get, Injectable, Module } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';

export type ReadinessProbe = () => Promise<Record<string, unknown> | void>;

/** Services register what must work before they take traffic (event store open, projections running…). */
@Injectable()
export class ReadinessRegistry implements BeforeApplicationShutdown {
  private readonly probes = new Map<string, ReadinessProbe>();
  private draining = false;

  register(name: string, probe: ReadinessProbe): void {
    this.probes.set(name, probe);
  }

  entries(): [string, ReadinessProbe][] {
    const shutdown: ReadinessProbe = async () => {
      if (this.draining) throw new Error('shutting down');
    };
    return [['shutdown', shutdown], ...this.probes.entries()];
  }

  /** A draining instance reports not-ready, so that load balancers stop sending it requests. */
  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.readiness.entries().map(([name, probe]) => async () => {
        const session = this.indicators.check(name);
        try {
          return session.up((await probe()) ?? {});
        } catch (error) {
          return session.down({ reason: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
  }
}

@Module({
  // Readiness failures are answered as 503 problem+json; logging each failed probe would flood start-up logs.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ReadinessRegistry],
  exports: [ReadinessRegistry],
})
export class HealthModule {}

import type { EventStore } from '@crm/eventstore';
import { type Projection, ProjectionRunner, type ProjectionRunnerOptions, type ReadStore } from '@crm/readstore';

/** How far the read models have got: what `X-Consistency-Token` waits on. */
export interface ProjectionProgress {
  waitForPosition(position: number, timeoutMs: number): Promise<boolean>;
}

export const PROJECTION_PROGRESS = Symbol('PROJECTION_PROGRESS');

/**
 * The read-model projections of one service. Features add theirs while the app is built; the host starts
 * them together once the app is up and stops them before the stores close.
 */
export class ProjectionHost implements ProjectionProgress {
  private readonly runners = new Map<string, ProjectionRunner>();
  private started = false;

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
  ) {}

  add(projection: Projection, options?: ProjectionRunnerOptions): ProjectionRunner {
    if (this.runners.has(projection.name)) throw new Error(`Projection ${projection.name} is added twice`);
    const runner = new ProjectionRunner(this.eventStore, this.readStore, projection, options);
    this.runners.set(projection.name, runner);
    if (this.started) void runner.start();
    return runner;
  }

  get(name: string): ProjectionRunner | undefined {
    return this.runners.get(name);
  }

  get names(): string[] {
    return [...this.runners.keys()];
  }

  /** The lowest position every projection has applied: a read model is only as fresh as the slowest. */
  get position(): number {
    const positions = [...this.runners.values()].map((runner) => runner.position);
    return positions.length === 0 ? -1 : Math.min(...positions);
  }

  async start(): Promise<void> {
    this.started = true;
    await Promise.all([...this.runners.values()].map((runner) => runner.start()));
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
  }

  async waitForPosition(position: number, timeoutMs: number): Promise<boolean> {
    const caughtUp = await Promise.all([...this.runners.values()].map((runner) => runner.waitForPosition(position, timeoutMs)));
    return caughtUp.every(Boolean);
  }
}

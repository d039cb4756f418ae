import type { EventFilter, EventStore, RecordedEvent, Subscription } from '@crm/eventstore';
import {
  type Collection,
  type Document,
  DuplicateKeyError,
  type Filter,
  type IndexSpec,
  type ReadStore,
  type UpdateSpec,
} from './read-store.port';

/**
 * Projections fold the event log into read-model documents. The runner delivers events in log
 * order, at least once: a projection must make re-application harmless (see `applyOnce`), because
 * the saved checkpoint may lag what was applied, and the read store has no multi-document transactions.
 */
export interface Projection {
  /** Versioned name, e.g. 'contacts.v1'; also the checkpoint's id. */
  name: string;
  filter?: EventFilter;
  /** Indexes to create before the first event, per collection. */
  indexes?: Record<string, IndexSpec[]>;
  /** The collections the projection owns, dropped by a rebuild; defaults to the collections of `indexes`. */
  collections?: string[];
  apply(event: RecordedEvent, store: ReadStore): Promise<void>;
  /**
   * Applies consecutive events at once during catch-up and rebuilds, when defined. It must leave
   * the same documents as applying the events one by one, and be as harmless to repeat.
   */
  applyBatch?(events: RecordedEvent[], store: ReadStore): Promise<void>;
}

export type ProjectionLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ProjectionLogEntry {
  level: ProjectionLogLevel;
  projection: string;
  message: string;
  position?: number;
  error?: unknown;
  attempt?: number;
  delayMs?: number;
}

export type ProjectionLogger = (entry: ProjectionLogEntry) => void;

export interface ProjectionRunnerOptions {
  /** Most events handed to one `applyBatch`. Default 1000. */
  maxBatchSize?: number;
  /** Save the checkpoint after this many applied events... Default 1000. */
  checkpointEveryEvents?: number;
  /** ...or this long after the first unsaved progress. Default 1000 ms. */
  checkpointIntervalMs?: number;
  /** First retry delay after the subscription fails; doubles per failure, with jitter. Default 100 ms. */
  retryInitialDelayMs?: number;
  /** Default 30 s. */
  retryMaxDelayMs?: number;
  logger?: ProjectionLogger;
  /** Default '_checkpoints'. */
  checkpointCollection?: string;
}

export interface RebuildResult {
  /** Events applied by the replay. */
  events: number;
  durationMs: number;
  /** Position reached: the head of the log when the rebuild started, or later. */
  position: number;
}

export interface CheckpointDocument extends Document {
  position: number;
  updatedAt: string;
}

type RunnerState = 'stopped' | 'running' | 'stopping';

/** One subscription attempt, with the events it delivered that are not applied yet. */
interface LiveSession {
  subscription: Subscription | undefined;
  buffer: RecordedEvent[];
  /** Highest position delivered (buffered or applied), to drop repeated deliveries. */
  deliveredPosition: number;
  /** Set when a batch failed or the runner stops: nothing more is applied or advanced in this session. */
  halted: boolean;
  /** Ends the session once: resolves `follow` (stop) or rejects it (failure). */
  finish(error?: unknown): void;
}

interface PositionWaiter {
  position: number;
  settle(reached: boolean): void;
}

/** The events before the failing one were applied: the position can move up to them. */
class PartiallyAppliedError extends Error {
  constructor(
    readonly applied: number,
    override readonly cause: unknown,
  ) {
    super('Applying a batch of events failed part-way');
  }
}

const consoleLogger: ProjectionLogger = (entry) => {
  if (entry.level === 'warn' || entry.level === 'error') {
    console.warn(`[projection ${entry.projection}] ${entry.message}`, entry.error ?? '');
  }
};

/**
 * Keeps one projection up to date with the log: loads its checkpoint, follows `$all` from there,
 * applies events in order (batched while catching up), saves checkpoints, and resubscribes with
 * jittered backoff when the subscription fails.
 */
export class ProjectionRunner {
  private readonly maxBatchSize: number;
  private readonly checkpointEveryEvents: number;
  private readonly checkpointIntervalMs: number;
  private readonly retryInitialDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly logger: ProjectionLogger;
  private readonly checkpoints: Collection<CheckpointDocument>;

  private state: RunnerState = 'stopped';
  private appliedPosition = -1;
  private savedPosition = -1;
  private unsavedEvents = 0;
  private eventsApplied = 0;
  /** Failures since the position last moved: sets the backoff. */
  private consecutiveFailures = 0;
  private session: LiveSession | undefined;
  private supervisor: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private wakeFromBackoff: (() => void) | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  // Batches and checkpoint saves run one after the other, in delivery order.
  private writeQueue: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<PositionWaiter>();

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    private readonly projection: Projection,
    options: ProjectionRunnerOptions = {},
  ) {
    this.maxBatchSize = options.maxBatchSize ?? 1000;
    this.checkpointEveryEvents = options.checkpointEveryEvents ?? 1000;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? 1000;
    this.retryInitialDelayMs = options.retryInitialDelayMs ?? 100;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 30_000;
    this.logger = options.logger ?? consoleLogger;
    this.checkpoints = readStore.collection<CheckpointDocument>(options.checkpointCollection ?? '_checkpoints');
  }

  /** Last position up to which every event has been applied or seen (-1 before the first). */
  get position(): number {
    return this.appliedPosition;
  }

  /** Events applied since this runner was constructed. */
  get appliedEvents(): number {
    return this.eventsApplied;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Creates the indexes, loads the checkpoint and starts following the log; does not wait for catch-up. */
  async start(): Promise<void> {
    if (this.state === 'stopping') await this.stopping;
    if (this.state === 'running') return;
    this.state = 'running';
    try {
      for (const [collection, indexes] of Object.entries(this.projection.indexes ?? {})) {
        await this.readStore.collection(collection).createIndexes(indexes);
      }
      const checkpoint = await this.checkpoints.findOne({ _id: this.projection.name });
      this.appliedPosition = checkpoint?.position ?? -1;
      this.savedPosition = this.appliedPosition;
      this.unsavedEvents = 0;
    } catch (error) {
      this.state = 'stopped';
      throw error;
    }
    this.settleWaiters();
    this.log('info', 'started', { position: this.appliedPosition });
    this.supervisor = this.supervise();
  }

  /** Stops following the log and saves the checkpoint; events delivered but not applied are read again next time. */
  stop(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    if (this.state === 'stopping') return this.stopping!;
    this.state = 'stopping';
    this.stopping = (async () => {
      this.wakeFromBackoff?.();
      const session = this.session;
      if (session) {
        session.halted = true; // what is buffered is read again at the next start
        await session.subscription?.close();
        session.finish();
      }
      await this.supervisor;
      await this.writeQueue;
      this.clearCheckpointTimer();
      try {
        await this.saveCheckpoint();
      } catch (error) {
        this.log('warn', 'could not save the checkpoint while stopping', { error });
      }
      this.state = 'stopped';
      this.log('info', 'stopped', { position: this.appliedPosition });
    })();
    return this.stopping;
  }

  /**
   * Resolves true as soon as everything up to `position` has been applied (or seen, for events the
   * projection's filter leaves out), false after `timeoutMs`. For read-your-writes after a command.
   */
  waitForPosition(position: number, timeoutMs: number): Promise<boolean> {
    if (this.appliedPosition >= position) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: PositionWaiter = {
        position,
        settle: (reached) => {
          if (timer !== undefined) clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(reached);
        },
      };
      this.waiters.add(waiter);
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => waiter.settle(false), Math.max(0, timeoutMs));
    });
  }

  /**
   * Drops the projection's collections and checkpoint, replays the log from the start, and keeps
   * running. Resolves once the replay reaches the head of the log as it was when the rebuild began.
   */
  async rebuild(): Promise<RebuildResult> {
    const collections = this.projection.collections ?? Object.keys(this.projection.indexes ?? {});
    if (collections.length === 0) {
      throw new Error(`Projection ${this.projection.name} declares no collections: a rebuild would replay over old documents`);
    }
    await this.stop();
    const startedAt = performance.now();
    for (const collection of collections) await this.readStore.collection(collection).drop();
    await this.checkpoints.deleteOne({ _id: this.projection.name });
    const head = await this.eventStore.headPosition();
    const eventsBefore = this.eventsApplied;
    this.log('info', 'rebuilding', { position: head });
    await this.start();
    await this.waitForPosition(head, Infinity);
    const durationMs = performance.now() - startedAt;
    return { events: this.eventsApplied - eventsBefore, durationMs, position: this.appliedPosition };
  }

  // ---- following the log ----

  private async supervise(): Promise<void> {
    this.consecutiveFailures = 0;
    while (this.state === 'running') {
      try {
        await this.follow();
      } catch (error) {
        if (this.state !== 'running') break;
        const failures = ++this.consecutiveFailures;
        const ceiling = Math.min(this.retryMaxDelayMs, this.retryInitialDelayMs * 2 ** (failures - 1));
        // Jitter spreads out the retries of many projections that failed together (one store outage).
        const delayMs = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
        this.log('warn', 'subscription failed; resubscribing after the last applied position', {
          error,
          attempt: failures,
          delayMs,
          position: this.appliedPosition,
        });
        await this.pause(delayMs);
      }
    }
  }

  /** One subscription: resolves when stopped, rejects when it fails (after the failed batch has settled). */
  private follow(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let finished = false;
      const session: LiveSession = {
        subscription: undefined,
        buffer: [],
        deliveredPosition: this.appliedPosition,
        halted: false,
        finish: (error?: unknown) => {
          if (finished) return;
          finished = true;
          session.halted = true;
          if (this.session === session) this.session = undefined;
          if (error === undefined) resolve();
          else void Promise.all([session.subscription?.close(), this.writeQueue]).finally(() => reject(error));
        },
      };
      const fail = (error: unknown) => session.finish(error ?? new Error('Subscription failed'));
      this.session = session;
      session.subscription = this.eventStore.subscribeToAll({
        afterPosition: this.appliedPosition,
        filter: this.projection.filter,
        onEvent: async (event) => {
          if (session.halted || event.position <= session.deliveredPosition) return;
          session.deliveredPosition = event.position;
          session.buffer.push(event);
          if (session.buffer.length >= this.maxBatchSize) await this.applyBuffered(session);
          else this.scheduleFlush(session, fail);
        },
        onCheckpoint: async (position) => {
          if (session.halted) return;
          await this.applyBuffered(session);
          session.deliveredPosition = Math.max(session.deliveredPosition, position);
          // Everything up to `position` was delivered and, unless the session halted, applied.
          await this.enqueue(async () => {
            if (!session.halted) await this.advance(position, 0);
          });
        },
        onError: fail,
      });
    });
  }

  /**
   * Events delivered in one go (a catch-up page) are applied together once the delivering turn of
   * the event loop ends; live events, which come one by one, are applied at once.
   */
  private scheduleFlush(session: LiveSession, fail: (error: unknown) => void): void {
    if (session.buffer.length !== 1) return; // a flush is already scheduled for this buffer
    setImmediate(() => {
      this.applyBuffered(session).catch(fail);
    });
  }

  private applyBuffered(session: LiveSession): Promise<void> {
    return this.enqueue(async () => {
      if (session.halted || session.buffer.length === 0) return;
      const events = session.buffer;
      session.buffer = [];
      await this.groupWrites(async () => {
        let applied = 0;
        try {
          applied = await this.applyEvents(events);
        } catch (error) {
          // Later events must not be applied over the gap this batch leaves.
          session.halted = true;
          if (error instanceof PartiallyAppliedError && error.applied > 0) {
            await this.advance(events[error.applied - 1]!.position, error.applied);
          }
          throw error instanceof PartiallyAppliedError ? error.cause : error;
        }
        await this.advance(events[events.length - 1]!.position, applied);
      });
    });
  }

  /** Returns how many events were applied; one by one, a failure reports those applied before it. */
  private async applyEvents(events: RecordedEvent[]): Promise<number> {
    if (events.length > 1 && this.projection.applyBatch) {
      await this.projection.applyBatch(events, this.readStore);
    } else {
      for (let index = 0; index < events.length; index++) {
        try {
          await this.projection.apply(events[index]!, this.readStore);
        } catch (error) {
          this.eventsApplied += index;
          throw new PartiallyAppliedError(index, error);
        }
      }
    }
    this.eventsApplied += events.length;
    return events.length;
  }

  /** A batch and the checkpoint it may save are committed together where the store can group writes. */
  private groupWrites(work: () => Promise<void>): Promise<void> {
    return this.readStore.groupWrites ? this.readStore.groupWrites(work) : work();
  }

  private async advance(position: number, appliedEvents: number): Promise<void> {
    if (position <= this.appliedPosition) return;
    this.appliedPosition = position;
    this.consecutiveFailures = 0;
    this.unsavedEvents += appliedEvents;
    this.settleWaiters();
    if (this.unsavedEvents >= this.checkpointEveryEvents) {
      await this.saveCheckpoint();
    } else if (this.checkpointTimer === undefined) {
      this.checkpointTimer = setTimeout(() => {
        this.checkpointTimer = undefined;
        this.enqueue(() => this.saveCheckpoint()).catch((error: unknown) =>
          this.log('warn', 'could not save the checkpoint; will try again', { error }),
        );
      }, this.checkpointIntervalMs);
      this.checkpointTimer.unref();
    }
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const done = this.writeQueue.then(work);
    this.writeQueue = done.catch(() => undefined);
    return done;
  }

  // ---- checkpoints and waiting ----

  /** Saves the applied position unless a later one is stored already (another instance, or a save that raced). */
  private async saveCheckpoint(): Promise<void> {
    const position = this.appliedPosition;
    if (position <= this.savedPosition) return;
    await this.checkpoints
      .updateOne(
        { _id: this.projection.name, position: { $not: { $gte: position } } },
        { $set: { position, updatedAt: new Date().toISOString() } },
        { upsert: true },
      )
      .catch((error: unknown) => {
        if (!(error instanceof DuplicateKeyError)) throw error;
      });
    this.savedPosition = Math.max(this.savedPosition, position);
    this.unsavedEvents = 0;
  }

  private clearCheckpointTimer(): void {
    if (this.checkpointTimer !== undefined) clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
  }

  private settleWaiters(): void {
    for (const waiter of this.waiters) {
      if (waiter.position <= this.appliedPosition) waiter.settle(true);
    }
  }

  private pause(delayMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, delayMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeFromBackoff = done;
    }).finally(() => {
      this.wakeFromBackoff = undefined;
    });
  }

  private log(level: ProjectionLogLevel, message: string, details: Omit<ProjectionLogEntry, 'level' | 'message' | 'projection'> = {}) {
    this.logger({ level, message, projection: this.projection.name, ...details });
  }
}

// ---- idempotent single-document writes ----

/** The filter that lets a write through only when the document has not seen `position` (or is missing). */
export function notYetApplied(id: string, position: number): Filter {
  return { _id: id, _position: { $not: { $gte: position } } };
}

/**
 * Applies `update` to document `id` (creating it if missing) unless the document already reflects
 * `position` or a later event, and records `position` as its `_position`. Returns false when the
 * event had already been applied. A guarded upsert that finds the document too recent tries to
 * insert it and hits its `_id`: that duplicate key means "already applied", not an error.
 */
export async function applyOnce<T extends Document>(
  collection: Collection<T>,
  id: string,
  position: number,
  update: UpdateSpec,
): Promise<boolean> {
  const guarded: UpdateSpec = { ...update, $set: { ...update.$set, _position: position } };
  try {
    const result = await collection.updateOne(notYetApplied(id, position), guarded, { upsert: true });
    return result.matchedCount > 0 || result.upsertedId !== null;
  } catch (error) {
    if (error instanceof DuplicateKeyError) return false;
    throw error;
  }
}

/**
 * Deletes document `id` unless it already reflects a later event. During a replay, a document
 * deleted later in the log briefly comes back until its delete event is replayed again.
 */
export async function deleteOnce<T extends Document>(collection: Collection<T>, id: string, position: number): Promise<boolean> {
  return (await collection.deleteOne(notYetApplied(id, position))) > 0;
}

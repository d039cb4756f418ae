import { backoffDelay } from '@crm/eventstore';
import { applyOnce, type Collection, type Document, type IndexSpec, type ReadStore } from '@crm/readstore';

/** A timer as stored: derived from events by a projection, so a rebuild re-creates the ones still pending. */
export interface TimerDocument extends Document {
  tenantId: string;
  /** When the timer is due (ISO-8601 UTC). */
  dueAt: string;
  /** When the scheduler tries next: `dueAt`, then later after failed attempts. */
  fireAt: string;
  attempts: number;
  payload: Record<string, unknown>;
  /** Position of the event that last scheduled the timer: identifies this version of it. */
  _position: number;
}

export interface DueTimer {
  key: string;
  tenantId: string;
  dueAt: string;
  attempts: number;
  payload: Record<string, unknown>;
}

export interface TimerToSchedule {
  /** Names the timer, e.g. `<tenant>:task:<id>:reminder`: scheduling the same key again moves it. */
  key: string;
  tenantId: string;
  dueAt: string | Date;
  payload?: Record<string, unknown>;
}

const isoInstant = (value: string | Date): string => new Date(value).toISOString();

/**
 * One kind of durable timer (task reminders, SLA breaches...). Projections schedule and cancel timers
 * as they read the events that imply them; the scheduler fires the due ones by calling a command, whose
 * decider must ignore a timer it has already seen, so that a timer fires exactly once in effect even
 * when it is delivered twice (a crash after the command, a replay, two replicas).
 */
export class DurableTimerSet {
  /** Called when a timer is (re)scheduled in this process, so a scheduler waiting longer wakes up. */
  onScheduled: ((dueAt: string) => void) | undefined;

  /**
   * The record a timer belongs to, from its key: the scheduler runs one record's timers one after the other,
   * in due order, and different records' at once. By default the key up to its last `:`.
   */
  readonly recordOf: (key: string) => string;

  constructor(
    readonly name: string,
    options: { recordOf?: (key: string) => string } = {},
  ) {
    if (!/^[a-z0-9_-]+$/.test(name)) throw new Error(`Timer set name ${name} must be lower-case letters, digits, - or _`);
    this.recordOf = options.recordOf ?? ((key) => (key.includes(':') ? key.slice(0, key.lastIndexOf(':')) : key));
  }

  get collectionName(): string {
    return `timers_${this.name.replace(/-/g, '_')}`;
  }

  get indexes(): IndexSpec[] {
    return [{ keys: { fireAt: 1 } }, { keys: { tenantId: 1, dueAt: 1 } }];
  }

  collection(store: ReadStore): Collection<TimerDocument> {
    return store.collection<TimerDocument>(this.collectionName);
  }

  /** Idempotent for a projection: applying the same event again (same `position`) changes nothing. */
  async schedule(store: ReadStore, timer: TimerToSchedule, position: number): Promise<void> {
    const dueAt = isoInstant(timer.dueAt);
    const applied = await applyOnce(this.collection(store), timer.key, position, {
      $set: { tenantId: timer.tenantId, dueAt, fireAt: dueAt, attempts: 0, payload: timer.payload ?? {} },
    });
    if (applied) this.onScheduled?.(dueAt);
  }

  async cancel(store: ReadStore, key: string, position: number): Promise<void> {
    await this.collection(store).deleteOne({ _id: key, _position: { $not: { $gte: position } } });
  }

  /** Pending timers of a tenant, soonest first (for status pages and tests). */
  pending(store: ReadStore, tenantId: string, limit = 100): Promise<TimerDocument[]> {
    return this.collection(store).find({ tenantId }, { sort: { dueAt: 1 }, limit });
  }
}

export type TimerHandler = (timer: DueTimer) => Promise<void>;

export interface TimerFiring {
  set: string;
  key: string;
  dueAt: string;
  /** How late the handler was called, in milliseconds (never negative). */
  delayMs: number;
  outcome: 'fired' | 'failed';
  error?: unknown;
}

export interface DurableTimerSchedulerOptions {
  /** Longest wait between two looks at the store, so timers scheduled by another process are seen. Default 1000 ms. */
  maxPollIntervalMs?: number;
  /** Most due timers taken per set per turn. Default 100. */
  batchSize?: number;
  /**
   * Handlers run at once, default 8: each usually ends in an fsynced append, so one at a time leaves a burst
   * of due timers waiting in line. The timers of one record (`DurableTimerSet.recordOf`) still run one
   * after the other, in due order.
   */
  concurrency?: number;
  /** Delay before retrying a failed handler: 1 s doubling up to 5 min by default. */
  retryInitialDelayMs?: number;
  retryMaxDelayMs?: number;
  now?: () => Date;
  /** Called after each handler call: for logs and for the timer-accuracy benchmark. */
  observer?: (firing: TimerFiring) => void;
}

/** Without an observer, failures still reach the log: a handler failing on every retry must not go unnoticed. */
const logFailedFirings = (firing: TimerFiring) => {
  if (firing.outcome === 'failed') console.warn(`[timers ${firing.set}] handler for ${firing.key} failed; retrying later`, firing.error);
};

interface RegisteredSet {
  set: DurableTimerSet;
  handler: TimerHandler;
}

/**
 * Fires the due timers of a service's timer sets. It sleeps until the soonest timer (or at most
 * `maxPollIntervalMs`), calls the set's handler for each due timer, and deletes the timer once the
 * handler resolved. A timer whose handler fails stays, and is tried again later with backoff. The
 * timers are in the read store, so a restart resumes with every timer that did not fire.
 */
export class DurableTimerScheduler {
  private readonly sets: RegisteredSet[] = [];
  private readonly maxPollIntervalMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly retryInitialDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly now: () => Date;
  private readonly observer: (firing: TimerFiring) => void;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private nextWakeAt = Number.POSITIVE_INFINITY;
  private nudgedDuringTurn = false;

  constructor(
    private readonly store: ReadStore,
    private readonly options: DurableTimerSchedulerOptions = {},
  ) {
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.retryInitialDelayMs = options.retryInitialDelayMs ?? 1000;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 300_000;
    this.now = options.now ?? (() => new Date());
    this.observer = options.observer ?? logFailedFirings;
  }

  register(set: DurableTimerSet, handler: TimerHandler): void {
    if (this.sets.some((registered) => registered.set.name === set.name)) throw new Error(`Timer set ${set.name} is registered twice`);
    this.sets.push({ set, handler });
    set.onScheduled = (dueAt) => {
      if (Date.parse(dueAt) < this.nextWakeAt) this.nudge();
    };
  }

  async start(): Promise<void> {
    if (this.running) return;
    for (const { set } of this.sets) await set.collection(this.store).createIndexes(set.indexes);
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
    this.loop = undefined;
  }

  /** Look at the store now instead of at the planned time. */
  nudge(): void {
    // A nudge during a turn is remembered: the turn may have read the timers before the new one was written.
    if (this.wake) this.wake();
    else this.nudgedDuringTurn = true;
  }

  /** Fires what is due now, once; returns how many handlers were called. For tests and the loop. */
  async fireDue(): Promise<number> {
    let called = 0;
    for (const registered of this.sets) called += await this.fireDueOf(registered);
    return called;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.maxPollIntervalMs;
      this.nudgedDuringTurn = false;
      try {
        await this.fireDue();
        delay = await this.delayUntilNextTimer();
      } catch (error) {
        this.observer({ set: '*', key: '*', dueAt: '', delayMs: 0, outcome: 'failed', error });
      }
      if (this.running && !this.nudgedDuringTurn) await this.sleep(delay);
    }
  }

  private async fireDueOf({ set, handler }: RegisteredSet): Promise<number> {
    const collection = set.collection(this.store);
    const now = this.now();
    const due = await collection.find({ fireAt: { $lte: now.toISOString() } }, { sort: { fireAt: 1 }, limit: this.batchSize });
    const byRecord = new Map<string, TimerDocument[]>();
    for (const timer of due) {
      const record = set.recordOf(timer._id);
      byRecord.set(record, [...(byRecord.get(record) ?? []), timer]);
    }
    const queue = [...byRecord.values()];
    const worker = async () => {
      for (let timers = queue.shift(); timers; timers = queue.shift()) {
        for (const timer of timers) {
          if (!this.running && this.loop) return;
          await this.fire(set.name, collection, handler, timer);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    return due.length;
  }

  private async fire(setName: string, collection: Collection<TimerDocument>, handler: TimerHandler, timer: TimerDocument): Promise<void> {
    const calledAt = this.now();
    const firing = { set: setName, key: timer._id, dueAt: timer.dueAt, delayMs: Math.max(0, calledAt.getTime() - Date.parse(timer.dueAt)) };
    // Only this version of the timer: one scheduled again meanwhile (moved, or cancelled and re-armed for
    // the same instant) carries a later position and stays, since the handler may have seen the old state.
    const thisVersion = { _id: timer._id, _position: timer._position, fireAt: timer.fireAt };
    try {
      await handler({ key: timer._id, tenantId: timer.tenantId, dueAt: timer.dueAt, attempts: timer.attempts, payload: timer.payload });
      await collection.deleteOne(thisVersion);
      this.observer({ ...firing, outcome: 'fired' });
    } catch (error) {
      const retryAt = new Date(this.now().getTime() + backoffDelay(timer.attempts + 1, { initialDelayMs: this.retryInitialDelayMs, maxDelayMs: this.retryMaxDelayMs }));
      await collection.updateOne(thisVersion, { $set: { fireAt: retryAt.toISOString() }, $inc: { attempts: 1 } });
      this.observer({ ...firing, outcome: 'failed', error });
    }
  }

  private async delayUntilNextTimer(): Promise<number> {
    let soonest = Number.POSITIVE_INFINITY;
    for (const { set } of this.sets) {
      const [next] = await set.collection(this.store).find({}, { sort: { fireAt: 1 }, limit: 1, projection: { fireAt: 1 } });
      if (next) soonest = Math.min(soonest, Date.parse(next.fireAt));
    }
    return Math.max(0, Math.min(this.maxPollIntervalMs, soonest - this.now().getTime()));
  }

  private sleep(ms: number): Promise<void> {
    // On the scheduler's clock, as the due times it is compared with (`onScheduled`).
    this.nextWakeAt = this.now().getTime() + ms;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(this.sleepTimer);
        this.wake = undefined;
        this.nextWakeAt = Number.POSITIVE_INFINITY;
        resolve();
      };
      this.wake = done;
      this.sleepTimer = setTimeout(done, ms);
    });
  }
}

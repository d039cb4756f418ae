import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { EventFilter, RecordedEvent, SubscribeToAllOptions, Subscription } from './event-store.port';

/** What a catch-up subscription needs from the log it follows. */
export interface SubscribableLog {
  /** Position of the last event, or -1 when the log is empty. */
  headPosition(): number;
  /** Events with afterPosition < position <= upToPosition that match the filter, in position order. */
  readPositionRange(afterPosition: number, upToPosition: number, filter: EventFilter | undefined): RecordedEvent[];
}

export interface CatchUpSubscriptionSettings {
  /** Width, in positions, of one catch-up read; a checkpoint follows each one. */
  pageSize: number;
  /** Also look for new events this often, for writers this process is not told about; omit to rely on `wake()` only. */
  pollIntervalMs?: number;
}

// Lets close() called from inside a callback return at once instead of waiting for that very callback.
const callbackOwner = new AsyncLocalStorage<CatchUpSubscription>();

/**
 * Reads the log page by page from a position, then waits for `wake()` (or the poll interval)
 * and reads again. Each read is bounded by the head seen just before it, so every checkpoint
 * covers a range that was read completely.
 */
export class CatchUpSubscription implements Subscription {
  private stopping = false;
  private ended = false;
  private wakeUp: (() => void) | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly finished: Promise<void>;

  constructor(
    private readonly log: SubscribableLog,
    private readonly options: SubscribeToAllOptions,
    private readonly settings: CatchUpSubscriptionSettings,
    private readonly onFinished: (subscription: CatchUpSubscription) => void,
  ) {
    // Started a tick later so that no callback runs (and no error surfaces) before subscribeToAll returns.
    this.finished = Promise.resolve().then(() => this.run());
  }

  /** Tells the subscription that new events may be in the log. */
  wake(): void {
    this.wakeUp?.();
  }

  close(): Promise<void> {
    this.stopping = true;
    this.wake();
    if (callbackOwner.getStore() === this) return Promise.resolve();
    return this.finished;
  }

  /** Ends the subscription because its log goes away; reports `error` through onError unless it already ended. */
  async terminate(error: unknown): Promise<void> {
    const alreadyStopping = this.stopping;
    this.stopping = true;
    this.wake();
    await this.finished;
    if (!alreadyStopping) this.fail(error);
  }

  private async run(): Promise<void> {
    let position = this.options.afterPosition ?? -1;
    try {
      while (!this.stopping) {
        const head = this.log.headPosition();
        if (head <= position) {
          await this.newEventsOrPoll();
          continue;
        }
        const upTo = Math.min(head, position + this.settings.pageSize);
        for (const event of this.log.readPositionRange(position, upTo, this.options.filter)) {
          if (this.stopping) return;
          await callbackOwner.run(this, () => this.options.onEvent(event));
        }
        if (this.stopping) return;
        if (this.options.onCheckpoint) await callbackOwner.run(this, () => this.options.onCheckpoint!(upTo));
        position = upTo;
        // Handlers that complete synchronously would otherwise keep a long catch-up on the microtask
        // queue and starve timers and I/O until it ends.
        await nextMacrotask();
      }
    } catch (error) {
      if (this.stopping) return;
      this.stopping = true;
      // Without onError the failure must not vanish with a silently stopped projection: like an
      // EventEmitter 'error' nobody listens to, it surfaces (as an unhandled rejection).
      if (!this.options.onError) throw error;
      this.fail(error);
    } finally {
      this.clearPollTimer();
      this.onFinished(this);
    }
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.options.onError?.(error);
  }

  private newEventsOrPoll(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      if (this.settings.pollIntervalMs !== undefined) this.pollTimer = setTimeout(resolve, this.settings.pollIntervalMs);
    }).finally(() => {
      this.wakeUp = undefined;
      this.clearPollTimer();
    });
  }

  private clearPollTimer(): void {
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }
}

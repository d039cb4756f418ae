import { AsyncLocalStorage } from 'node:async_hooks';
import type { AllStreamResolvedEvent, Position } from '@kurrent/kurrentdb-client';
import { backoffDelay, type BackoffOptions } from './backoff';
import type { SubscribeToAllOptions, Subscription } from './event-store.port';
import type { KurrentDbClient, KurrentDbSubscriptionStream } from './kurrentdb-client';
import {
  commitPositionOf,
  isConnectionError,
  isSystemRecord,
  isTransientError,
  matchesEventFilter,
  readPositionAfter,
  serverFilterFor,
  toPortPosition,
  toRecordedEvent,
} from './kurrentdb-mapping';

/** What the event store reports on; a pino logger has this shape. */
export interface EventStoreLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export const consoleEventStoreLogger: EventStoreLogger = {
  warn: (details, message) => console.warn(message, details),
};

export interface KurrentDbSubscriptionSettings {
  resubscribeBackoff: BackoffOptions;
  /** Multiplier of the server's search window (32 events) between two checkpoints of a filtered subscription. */
  checkpointInterval: number;
  logger: EventStoreLogger;
}

/** What the subscription needs from the store that opens it. */
export interface KurrentDbSubscriptionHost {
  readonly client: KurrentDbClient;
  /** Position of the last non-system event, or -1. */
  readHeadPosition(): Promise<number>;
  /** Position of the last record at or before `position` (-1 if none): a place the server accepts to resume from. */
  recordPositionAtOrBefore(position: number): Promise<number>;
}

/** Everything up to `position` has been seen by the server's filter; pushed into the event stream to keep it in order. */
class PositionScanned {
  constructor(readonly commit: bigint) {}
}

/** A handler (onEvent/onCheckpoint) threw: the subscription ends and reports it, it does not resubscribe. */
class HandlerFailure {
  constructor(readonly cause: unknown) {}
}

class SubscriptionEndedByServer extends Error {
  constructor() {
    super('KurrentDB ended the subscription');
    this.name = 'SubscriptionEndedByServer';
  }
}

const STOPPED = Symbol('stopped');
const ignore = (): void => undefined;

// Lets close() called from inside a callback return at once instead of waiting for that very callback.
const callbackOwner = new AsyncLocalStorage<KurrentDbSubscription>();

/**
 * A filtered `$all` subscription under supervision. A live KurrentDB subscription does not reconnect: it
 * ends with an error. When that error is transient (connection lost, server restart, leader change…),
 * this resubscribes after a jittered backoff from the last position it knows was seen — the last event
 * delivered or the last checkpoint, whichever is later — so nothing is delivered twice or skipped, and
 * the handler never hears of it. `onError` is called only when a handler throws, when the store closes,
 * or when the error cannot go away by waiting (e.g. an invalid argument).
 */
export class KurrentDbSubscription implements Subscription {
  private stopping = false;
  private ended = false;
  private signalStop!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.signalStop = resolve));
  private readonly finished: Promise<void>;

  /** Events at or below this position are not delivered (again). */
  private seenUpTo: number;
  /** A position the server accepts to resume after (a record's or a checkpoint's); never above seenUpTo. */
  private resumeAfter: number;
  private lastReportedCheckpoint: number;
  /** Whether the current attempt received anything, which restarts the backoff sequence. */
  private progressed = false;
  private positionChecked = false;

  constructor(
    private readonly host: KurrentDbSubscriptionHost,
    private readonly options: SubscribeToAllOptions,
    private readonly settings: KurrentDbSubscriptionSettings,
    private readonly onFinished: (subscription: KurrentDbSubscription) => void,
  ) {
    this.seenUpTo = this.resumeAfter = this.lastReportedCheckpoint = options.afterPosition ?? -1;
    // Started a tick later so that no callback runs (and no error surfaces) before subscribeToAll returns.
    this.finished = Promise.resolve().then(() => this.run());
  }

  close(): Promise<void> {
    this.stop();
    if (callbackOwner.getStore() === this) return Promise.resolve();
    return this.finished;
  }

  /** Ends the subscription because the store closes; reports `error` through onError unless it already ended. */
  async terminate(error: unknown): Promise<void> {
    const alreadyStopping = this.stopping;
    this.stop();
    await this.finished.catch(ignore);
    if (!alreadyStopping) this.fail(error);
  }

  private stop(): void {
    this.stopping = true;
    this.signalStop();
  }

  private async run(): Promise<void> {
    let failures = 0;
    try {
      while (!this.stopping) {
        try {
          await this.followOnce();
          if (this.stopping) return;
          throw new SubscriptionEndedByServer();
        } catch (error) {
          if (this.stopping) return;
          if (error instanceof HandlerFailure) throw error.cause;
          if (await this.startedAtAnInvalidPosition(error)) continue;
          if (!isTransientError(error) && !(error instanceof SubscriptionEndedByServer)) throw error;
          failures = this.progressed ? 1 : failures + 1;
          this.progressed = false;
          const delayMs = Math.round(backoffDelay(failures, this.settings.resubscribeBackoff));
          this.settings.logger.warn(
            { error: String(error), attempt: failures, delayMs, resumeAfter: this.resumeAfter },
            'KurrentDB $all subscription dropped; resubscribing',
          );
          await this.pause(delayMs);
        }
      }
    } catch (error) {
      if (this.stopping) return;
      this.stopping = true;
      // Without onError the failure must not vanish with a silently stopped projection: like an
      // EventEmitter 'error' nobody listens to, it surfaces (as an unhandled rejection).
      if (!this.options.onError) throw error;
      this.fail(error);
    } finally {
      this.onFinished(this);
    }
  }

  /** One server subscription, from `resumeAfter` until it fails, ends, or the subscription stops. */
  private async followOnce(): Promise<void> {
    // Read before subscribing: once the server says "caught up" it has scanned at least this far, which
    // makes a checkpoint even when the filter matched nothing and no server checkpoint came (small or idle logs).
    const headBeforeSubscribing = await this.untilStopped(this.host.readHeadPosition());
    if (headBeforeSubscribing === STOPPED) return;

    const stream: KurrentDbSubscriptionStream = this.host.client.subscribeToAll({
      fromPosition: readPositionAfter(this.resumeAfter),
      filter: {
        ...serverFilterFor(this.options.filter),
        checkpointInterval: this.settings.checkpointInterval,
        // The client calls this while transforming the gRPC response, before later events are pushed, but
        // events pushed before it may still wait in the stream's buffer. Pushing a marker keeps the order.
        checkpointReached: (_subscription, position: Position) => pushMarker(stream, position.commit),
      },
    });
    // The iterator below reports errors; this listener only keeps a late one from crashing the process.
    stream.on('error', ignore);
    // Not the position "caught up" may carry: what it promises is less clearly documented than this.
    stream.on('caughtUp', () => pushMarker(stream, BigInt(headBeforeSubscribing)));

    const iterator = stream[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await this.untilStopped(iterator.next());
        if (next === STOPPED || next.done) return;
        await this.handle(next.value);
        if (this.stopping) return;
      }
    } finally {
      // Unsubscribing cancels the gRPC call, which does not end the stream; destroying it ends the iterator.
      stream.unsubscribe().catch(ignore);
      stream.destroy();
    }
  }

  private async handle(item: unknown): Promise<void> {
    this.progressed = true;
    if (item instanceof PositionScanned) {
      if (item.commit >= 0n) await this.checkpoint(toPortPosition(item.commit));
      return;
    }
    const resolved = item as AllStreamResolvedEvent;
    const position = commitPositionOf(resolved);
    if (position === undefined) return;
    this.resumeAfter = Math.max(this.resumeAfter, position);
    if (position <= this.seenUpTo) return;
    this.seenUpTo = position;
    if (isSystemRecord(resolved)) return;
    const event = toRecordedEvent(resolved);
    if (!matchesEventFilter(event, this.options.filter)) return;
    await this.callback(() => this.options.onEvent(event));
  }

  private async checkpoint(position: number): Promise<void> {
    // Reported only when it moves past everything seen so far: never behind an event already delivered.
    const advances = position >= this.seenUpTo && position > this.lastReportedCheckpoint;
    this.seenUpTo = Math.max(this.seenUpTo, position);
    this.resumeAfter = Math.max(this.resumeAfter, position);
    if (!advances) return;
    this.lastReportedCheckpoint = position;
    if (this.options.onCheckpoint) await this.callback(() => this.options.onCheckpoint!(position));
  }

  private async callback(call: () => Promise<void> | void): Promise<void> {
    try {
      await callbackOwner.run(this, call);
    } catch (error) {
      throw new HandlerFailure(error);
    }
  }

  /**
   * The caller's afterPosition may be any number (say a position minus one), and KurrentDB refuses to
   * start from a position where no record starts. When the first attempt fails with something other than
   * a broken connection, look for the record at or before that position once, and resume after it:
   * `seenUpTo` still keeps the events up to the caller's position from being delivered.
   */
  private async startedAtAnInvalidPosition(error: unknown): Promise<boolean> {
    if (this.positionChecked || this.progressed || this.resumeAfter < 0) return false;
    if (isConnectionError(error) || error instanceof SubscriptionEndedByServer) return false;
    this.positionChecked = true;
    const recordPosition = await this.untilStopped(this.host.recordPositionAtOrBefore(this.resumeAfter)).catch(() => undefined);
    if (recordPosition === STOPPED || recordPosition === undefined || recordPosition === this.resumeAfter) return false;
    this.resumeAfter = recordPosition;
    return true;
  }

  private pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), this.stopped]).finally(() => clearTimeout(timer));
  }

  /** Settles with the promise, or with STOPPED as soon as the subscription stops (the promise is then left to itself). */
  private untilStopped<T>(promise: Promise<T>): Promise<T | typeof STOPPED> {
    promise.catch(ignore);
    return Promise.race([promise, this.stopped.then((): typeof STOPPED => STOPPED)]);
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.options.onError?.(error);
  }
}

function pushMarker(stream: KurrentDbSubscriptionStream, commit: bigint): void {
  if (!stream.destroyed) stream.push(new PositionScanned(commit));
}

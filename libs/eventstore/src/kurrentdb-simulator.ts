import { PassThrough } from 'node:stream';
import {
  type AllStreamResolvedEvent,
  type AppendResult,
  type AppendStreamState,
  type AppendToStreamOptions,
  type Filter,
  type JSONEventData,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeToAllOptions,
  StreamNotFoundError,
  UnknownError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
// The client's own subscription stream, fed with simulated gRPC responses, so that the adapter meets the
// real ordering of events, checkpoints and errors.
import { Subscription as ClientSubscription } from '@kurrent/kurrentdb-client/dist/streams/utils/Subscription';
import type { KurrentDbClient, KurrentDbSubscriptionStream } from './kurrentdb-client';

/**
 * A KurrentDB server in memory, for tests of the KurrentDB event store where no server can run. It
 * models what the adapter relies on, as documented for KurrentDB: stream revisions and expected states,
 * retries recognised by event id at an exact expected revision, commit positions that are byte offsets
 * (not contiguous), inclusive `$all` reads and exclusive subscriptions, server-side regex/prefix filters,
 * checkpoints every `checkpointInterval × 32` scanned records, system streams, and dropped subscriptions.
 * Where KurrentDB's behaviour is not documented, it takes the less convenient choice (see `options`).
 */
export class SimulatedKurrentDb {
  readonly records: StoredRecord[] = [];
  private readonly streams = new Map<string, StoredRecord[]>();
  private nextPosition = 1_000n;
  private readonly subscriptions = new Set<SimulatedSubscription>();
  private refusals: Error[] = [];

  readonly appendCalls: { streamName: string; events: JSONEventData[]; streamState: AppendStreamState }[] = [];
  readonly subscribeCalls: { fromPosition: SubscribeToAllOptions['fromPosition']; filter: Filter | undefined; at: number }[] = [];
  disposeCount = 0;

  readonly options = {
    /** Position an append of several events reports: the first event's is the inconvenient choice. */
    multiEventAppendPosition: 'first' as 'first' | 'last',
    /** Resend the event at the start position of a subscription, as an inclusive server would. */
    inclusiveSubscriptionStart: false,
  };

  constructor() {
    this.appendSystemEvent('$settings', '$settings');
    this.appendSystemEvent('$$$scavenges', '$metadata');
  }

  /** A client of this server; each store gets its own, as each process has its own connection. */
  client(): KurrentDbClient {
    return {
      appendToStream: async (streamName, events, options) => this.append(streamName, events, options),
      readStream: (streamName, options) => this.readStream(streamName, options),
      readAll: (options) => this.readAll(options),
      subscribeToAll: (options) => this.subscribe(options),
      dispose: async () => {
        this.disposeCount++;
      },
    };
  }

  /** A record KurrentDB writes itself (statistics, settings, projection output). */
  appendSystemEvent(streamId = '$stats-127.0.0.1:2113', type = '$statsCollected'): void {
    const stream = this.streams.get(streamId) ?? [];
    this.write(stream, streamId, { id: crypto.randomUUID(), contentType: 'application/json', type, data: {}, metadata: undefined });
    this.streams.set(streamId, stream);
    this.pump();
  }

  /** Ends every live subscription with `error`, as a lost connection or a server restart does. */
  dropSubscriptions(error: Error): void {
    for (const subscription of this.subscriptions) subscription.fail(error);
    this.subscriptions.clear();
  }

  /** Ends every live subscription without an error, as a server shutting down may. */
  endSubscriptions(): void {
    for (const subscription of this.subscriptions) subscription.end();
    this.subscriptions.clear();
  }

  /** The next subscriptions fail with these errors as soon as they start. */
  refuseNextSubscriptions(...errors: Error[]): void {
    this.refusals.push(...errors);
  }

  get liveSubscriptionCount(): number {
    return this.subscriptions.size;
  }

  private append(streamName: string, events: JSONEventData[], { streamState = 'any' }: AppendToStreamOptions): AppendResult {
    this.appendCalls.push({ streamName, events, streamState });
    const stream = this.streams.get(streamName) ?? [];
    const current = stream.length - 1;
    const refuse = (): never => {
      throw new WrongExpectedVersionError(undefined, { streamName, expected: streamState, current: current < 0 ? 'no_stream' : BigInt(current) });
    };
    if (streamState === 'stream_exists' && current < 0) refuse();
    if (streamState === 'no_stream' || typeof streamState === 'bigint') {
      const expected = streamState === 'no_stream' ? -1 : Number(streamState);
      if (expected > current) refuse();
      if (expected < current) {
        // An exact expected revision behind the stream: a retry if the same ids stand right after it.
        const standing = stream.slice(expected + 1, expected + 1 + events.length);
        const isRetry = standing.length === events.length && standing.every((record, index) => record.id === events[index]!.id);
        if (!isRetry) refuse();
        return this.resultOf(standing);
      }
    }
    if (streamState === 'any') {
      const first = stream.findIndex((record) => record.id === events[0]?.id);
      const standing = first === -1 ? [] : stream.slice(first, first + events.length);
      if (standing.length === events.length && standing.every((record, index) => record.id === events[index]!.id)) return this.resultOf(standing);
    }
    const written = events.map((event) => this.write(stream, streamName, event));
    this.streams.set(streamName, stream);
    this.pump();
    return this.resultOf(written);
  }

  private resultOf(records: StoredRecord[]): AppendResult {
    const reported = this.options.multiEventAppendPosition === 'first' ? records[0]! : records[records.length - 1]!;
    return { success: true, nextExpectedRevision: records[records.length - 1]!.revision, position: { commit: reported.commit, prepare: reported.commit } };
  }

  private write(stream: StoredRecord[], streamId: string, event: JSONEventData): StoredRecord {
    const dataJson = JSON.stringify(event.data);
    const record: StoredRecord = {
      streamId,
      id: event.id,
      type: event.type,
      revision: BigInt(stream.length),
      created: new Date(),
      dataJson,
      metadataJson: event.metadata === undefined ? undefined : JSON.stringify(event.metadata),
      commit: this.nextPosition,
    };
    // Positions are byte offsets of records in the log: increasing, far from contiguous.
    this.nextPosition += BigInt(120 + dataJson.length + (record.metadataJson?.length ?? 0));
    stream.push(record);
    this.records.push(record);
    return record;
  }

  private async *readStream(streamName: string, { fromRevision = 'start', direction = 'forwards', maxCount = Number.MAX_SAFE_INTEGER }: ReadStreamOptions) {
    const stream = this.streams.get(streamName);
    if (!stream) throw new StreamNotFoundError(undefined, streamName);
    const ordered = direction === 'forwards' ? stream : [...stream].reverse();
    const start =
      fromRevision === 'start' || fromRevision === 'end'
        ? 0
        : ordered.findIndex((record) => (direction === 'forwards' ? record.revision >= fromRevision : record.revision <= fromRevision));
    if (start === -1) return;
    let count = 0;
    for (const record of ordered.slice(start)) {
      if (count++ >= Number(maxCount)) return;
      await Promise.resolve();
      yield resolvedEventOf(record);
    }
  }

  private async *readAll({ fromPosition = 'start', direction = 'forwards', maxCount = Number.MAX_SAFE_INTEGER, filter }: ReadAllOptions) {
    let candidates: StoredRecord[];
    if (fromPosition === 'start' || fromPosition === 'end') {
      candidates = direction === 'forwards' ? this.records : [...this.records].reverse();
      if (fromPosition === 'end' && direction === 'forwards') candidates = [];
    } else {
      this.assertRecordPosition(fromPosition.commit);
      candidates =
        direction === 'forwards'
          ? this.records.filter((record) => record.commit >= fromPosition.commit)
          : [...this.records].reverse().filter((record) => record.commit < fromPosition.commit);
    }
    let count = 0;
    for (const record of candidates) {
      if (filter && !matches(record, filter)) continue;
      if (count++ >= Number(maxCount)) return;
      await Promise.resolve();
      yield resolvedEventOf(record);
    }
  }

  /** KurrentDB refuses to read or subscribe from a position where no record starts. */
  private assertRecordPosition(commit: bigint): void {
    if (!this.records.some((record) => record.commit === commit)) throw new UnknownError(undefined, `Invalid position ${commit}`);
  }

  private subscribe(options: SubscribeToAllOptions): KurrentDbSubscriptionStream {
    this.subscribeCalls.push({ fromPosition: options.fromPosition, filter: options.filter, at: Date.now() });
    const grpc = new SimulatedGrpcCall();
    const subscription = new SimulatedSubscription(grpc, options.filter);
    const stream = new ClientSubscription(
      async () => grpc as never,
      (resolved: unknown) => resolved as AllStreamResolvedEvent,
      {},
      options.filter?.checkpointReached,
    );
    grpc.onCancel = () => this.subscriptions.delete(subscription);
    setImmediate(() => {
      if (grpc.cancelled) return;
      const refusal = this.refusals.shift();
      if (refusal) return grpc.emit('error', refusal);
      const from = options.fromPosition ?? 'start';
      if (from === 'end') {
        subscription.nextIndex = this.records.length;
      } else if (from !== 'start') {
        try {
          this.assertRecordPosition(from.commit);
        } catch (error) {
          return grpc.emit('error', error);
        }
        const startIndex = this.records.findIndex((record) => record.commit >= from.commit);
        subscription.nextIndex = this.options.inclusiveSubscriptionStart ? startIndex : startIndex + 1;
      }
      this.subscriptions.add(subscription);
      subscription.catchUp(this.records);
    });
    return stream;
  }

  private pump(): void {
    for (const subscription of this.subscriptions) subscription.deliver(this.records);
  }
}

export interface StoredRecord {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  created: Date;
  dataJson: string;
  metadataJson: string | undefined;
  commit: bigint;
}

function resolvedEventOf(record: StoredRecord): AllStreamResolvedEvent {
  const position = { commit: record.commit, prepare: record.commit };
  return {
    event: {
      streamId: record.streamId,
      id: record.id,
      revision: record.revision,
      type: record.type,
      created: record.created,
      data: JSON.parse(record.dataJson),
      metadata: record.metadataJson === undefined ? undefined : JSON.parse(record.metadataJson),
      isJson: true,
      position,
    },
    commitPosition: record.commit,
  } as AllStreamResolvedEvent;
}

function matches(record: StoredRecord, filter: Filter): boolean {
  const subject = filter.filterOn === 'streamName' ? record.streamId : record.type;
  return 'regex' in filter ? new RegExp(filter.regex).test(subject) : filter.prefixes.some((prefix) => subject.startsWith(prefix));
}

/** The gRPC response stream the client's Subscription reads: objects shaped like the generated ReadResp. */
class SimulatedGrpcCall extends PassThrough {
  onCancel: () => void = () => undefined;
  cancelled = false;

  constructor() {
    super({ objectMode: true });
  }

  cancel(): void {
    this.cancelled = true;
    this.onCancel();
    // What grpc-js emits for a call the client cancelled; the client's Subscription ignores it.
    this.emit('error', Object.assign(new Error('1 CANCELLED: Cancelled on client'), { code: 1, details: 'Cancelled on client' }));
  }
}

class SimulatedSubscription {
  nextIndex = 0;
  private scannedSinceCheckpoint = 0;
  private failed = false;

  constructor(
    private readonly grpc: SimulatedGrpcCall,
    private readonly filter: Filter | undefined,
  ) {}

  catchUp(records: StoredRecord[]): void {
    this.deliver(records);
    this.send({
      hasCaughtUp: () => true,
      getCaughtUp: () => ({ hasTimestamp: () => true, getTimestamp: () => ({ toDate: () => new Date() }), hasStreamRevision: () => false, hasPosition: () => false }),
    });
  }

  deliver(records: StoredRecord[]): void {
    while (!this.failed && this.nextIndex < records.length) {
      const record = records[this.nextIndex++]!;
      if (!this.filter || matches(record, this.filter)) {
        this.send({ hasEvent: () => true, getEvent: () => resolvedEventOf(record) });
      }
      if (this.filter && ++this.scannedSinceCheckpoint >= this.filter.checkpointInterval * 32) {
        this.scannedSinceCheckpoint = 0;
        this.send({
          hasCheckpoint: () => true,
          getCheckpoint: () => ({ getCommitPosition: () => String(record.commit), getPreparePosition: () => '0' }),
        });
      }
    }
  }

  fail(error: Error): void {
    this.failed = true;
    this.grpc.emit('error', error);
  }

  end(): void {
    this.failed = true;
    this.grpc.end();
  }

  private send(response: object): void {
    if (!this.failed) this.grpc.write(response);
  }
}

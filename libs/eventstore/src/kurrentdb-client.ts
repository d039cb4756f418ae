import {
  type AllStreamResolvedEvent,
  type AppendResult,
  type AppendToStreamOptions,
  type CaughtUp,
  type JSONEventData,
  type KurrentDBClient,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  type SubscribeToAllOptions,
} from '@kurrent/kurrentdb-client';

/**
 * The part of `@kurrent/kurrentdb-client` the event store uses, and the only place it is named: the real
 * client satisfies this interface as it is, and unit tests pass a simulated one.
 */
export interface KurrentDbClient {
  appendToStream(streamName: string, events: JSONEventData[], options: AppendToStreamOptions): Promise<AppendResult>;
  readStream(streamName: string, options: ReadStreamOptions): AsyncIterable<ResolvedEvent>;
  readAll(options: ReadAllOptions): AsyncIterable<AllStreamResolvedEvent>;
  subscribeToAll(options: SubscribeToAllOptions): KurrentDbSubscriptionStream;
  dispose(): Promise<void>;
}

/**
 * A live `$all` subscription as the client returns it: a Node Transform stream of resolved events. The
 * adapter also pushes its own markers into it (see KurrentDbSubscription), which is why `push` is here.
 */
export interface KurrentDbSubscriptionStream extends AsyncIterable<unknown> {
  readonly destroyed: boolean;
  push(chunk: unknown): boolean;
  destroy(): void;
  unsubscribe(): Promise<void>;
  on(event: 'caughtUp', listener: (info: CaughtUp) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

/** Parses the connection string at once (`kurrentdb://…`, `kurrentdb+discover://…`); connects on the first call. */
export function connectToKurrentDb(connectionString: string): KurrentDbClient {
  // Loaded here, not at import: the client brings a native module that SQLite-only processes never need.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load, see above
  const client = require('@kurrent/kurrentdb-client') as { KurrentDBClient: typeof KurrentDBClient };
  return client.KurrentDBClient.connectionString(connectionString);
}

import {
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '@crm/eventstore';
import { createHash } from 'node:crypto';
import { newEventId } from './ids';
import { type Decider, type DomainEvent, DomainError } from './decider';
import { UpcasterChain } from './upcasting';

/** Who asks, for whom, and why: copied into every event's metadata. */
export interface CommandContext {
  tenantId: string;
  actorId: string;
  correlationId: string;
  /** Id of the message that caused this command (the HTTP request id, or an upstream event id). */
  causationId: string;
  /** When the caller pins a revision (If-Match), a mismatch fails at once instead of being retried. */
  expectedRevision?: number;
  /**
   * Deterministic id seed for idempotent retries of the same command (e.g. an Idempotency-Key):
   * the produced event ids derive from it, so a retried append is recognised by the store.
   */
  idempotencyKey?: string;
  now?: () => Date;
}

/** The metadata every event written on behalf of `context` carries (tenant, actor, correlation, causation). */
export function eventMetadataFor(context: CommandContext, occurredAt: string, schemaVersion: number): EventMetadata {
  return {
    tenantId: context.tenantId,
    actorId: context.actorId,
    correlationId: context.correlationId,
    causationId: context.causationId,
    occurredAt,
    schemaVersion,
  };
}

export interface CommandResult<State, Event extends DomainEvent> {
  state: State;
  events: Event[];
  /** Stream revision after the command (-1 when the stream is still empty). */
  revision: number;
  /** Global log position of the last event written; -1 when nothing was written. */
  position: number;
  /** The stream as loaded before deciding, so callers can build a view without reading it again. */
  history: RecordedEvent[];
  /** When the command was decided (the `occurredAt` of its events). */
  occurredAt: string;
}

export interface LoadedStream<State> {
  state: State;
  revision: number;
  events: RecordedEvent[];
}

export class StaleRevisionError extends Error {
  constructor(readonly expected: number, readonly actual: number) {
    super(`Expected revision ${expected} but the record is at ${actual}`);
    this.name = 'StaleRevisionError';
  }
}

export interface CommandHandlerOptions {
  /** How often to reload, decide again and append after a concurrent write; 5 by default. */
  maxAttempts?: number;
  upcasters?: UpcasterChain;
}

/**
 * Loads a stream, folds it, asks the decider, appends with the expected revision.
 * On a concurrent write it retries from a fresh load, a bounded number of times.
 */
export class EventSourcedCommandHandler<Command, State, Event extends DomainEvent> {
  private readonly maxAttempts: number;
  private readonly upcasters: UpcasterChain;

  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<Command, State, Event>,
    options: CommandHandlerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.upcasters = options.upcasters ?? new UpcasterChain();
  }

  async load(streamName: string, untilTime?: string): Promise<LoadedStream<State>> {
    const recorded = await this.store.readStream(streamName, untilTime ? { untilTime } : undefined);
    let state = this.decider.initialState();
    for (const event of recorded) {
      const current = this.upcasters.upcast(event);
      state = this.decider.evolve(state, { type: current.type, data: current.data } as Event);
    }
    return { state, revision: recorded.length - 1, events: recorded };
  }

  async handle(streamName: string, command: Command, context: CommandContext): Promise<CommandResult<State, Event>> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision, events: history } = await this.load(streamName);
      if (context.expectedRevision !== undefined && context.expectedRevision !== revision) {
        throw new StaleRevisionError(context.expectedRevision, revision);
      }
      const events = this.decider.decide(command, state);
      const occurredAt = (context.now?.() ?? new Date()).toISOString();
      if (events.length === 0) return { state, events, revision, position: -1, history, occurredAt };
      const newState = events.reduce((current, event) => this.decider.evolve(current, event), state);
      const expected: ExpectedRevision = revision === -1 ? 'no_stream' : revision;
      try {
        const result = await this.store.append(
          streamName,
          events.map((event, index) => ({
            eventId: context.idempotencyKey ? deterministicId(`${context.idempotencyKey}:${index}`) : newEventId(),
            type: event.type,
            data: event.data,
            metadata: eventMetadataFor(context, occurredAt, this.upcasters.currentVersion(event.type)),
          })),
          expected,
        );
        return { state: newState, events, revision: result.nextExpectedRevision, position: result.position, history, occurredAt };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (context.expectedRevision !== undefined) throw new StaleRevisionError(context.expectedRevision, error.actual);
        if (attempt >= this.maxAttempts) {
          throw new DomainError('conflict', `Too many concurrent writes to ${streamName}; try again`);
        }
      }
    }
  }
}

/** A UUID-shaped id derived from a key, so that retries of the same command produce the same event ids. */
export function deterministicId(key: string): string {
  const hash = createHash('sha256').update(key).digest('hex');
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-5${hash.slice(13, 16)}-a${hash.slice(17, 20)}-${hash.slice(20, 32)}`;
}

import { type DomainEvent, DomainError, type EventSourcedCommandHandler } from '@crm/decider';
import type { RecordedEvent } from '@crm/eventstore';

/** One entry of `GET /<records>/{id}/history`: who changed what, when, and in answer to what. */
export interface HistoryEntry {
  revision: number;
  type: string;
  occurredAt: string;
  actorId: string;
  correlationId: string;
  causationId: string;
  changedFields: string[];
  data: unknown;
}

export interface WriteResult<View> {
  view: View;
  revision: number;
  /** Global position of the write's last event; -1 when the command changed nothing. */
  position: number;
}

/**
 * Builds a record's view straight from its stream, so a read right after a write always sees it,
 * and `asOf` is the same fold stopped at an instant. States that were never created or were deleted
 * say so with `lifecycle: 'absent' | 'deleted'`.
 */
export async function loadView<Command, State extends { lifecycle: string }, Event extends DomainEvent, View>(
  handler: EventSourcedCommandHandler<Command, State, Event>,
  streamName: string,
  what: string,
  toView: (state: State, revision: number, events: RecordedEvent[]) => View,
  asOf?: string,
): Promise<View> {
  const { state, revision, events } = await handler.load(streamName, asOf);
  if (state.lifecycle === 'absent' || state.lifecycle === 'deleted') {
    throw new DomainError('not_found', asOf ? `${what} did not exist at ${asOf}` : `${what} not found`);
  }
  return toView(state, revision, events);
}

export function timestamps(events: RecordedEvent[]): { createdAt: string; updatedAt: string } {
  return { createdAt: events[0]?.metadata.occurredAt ?? '', updatedAt: events[events.length - 1]?.metadata.occurredAt ?? '' };
}

/** Timestamps after a command: creation from the first stored event, update from this command if it wrote. */
export function timestampsAfter(result: { history: RecordedEvent[]; events: unknown[]; occurredAt: string }): { createdAt: string; updatedAt: string } {
  const before = timestamps(result.history);
  return {
    createdAt: before.createdAt || result.occurredAt,
    updatedAt: result.events.length > 0 ? result.occurredAt : before.updatedAt,
  };
}

/** A stream as history entries; `fieldsByEvent` names the fields each event type changes (a creation sets all it carries). */
export function toHistory(events: RecordedEvent[], fieldsByEvent: Record<string, string[]>, idField: string): HistoryEntry[] {
  return events.map((event) => ({
    revision: event.revision,
    type: event.type,
    occurredAt: event.metadata.occurredAt,
    actorId: event.metadata.actorId,
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId,
    changedFields: event.type.endsWith('Created')
      ? Object.keys(event.data as object).filter((key) => key !== idField)
      : (fieldsByEvent[event.type] ?? Object.keys((event.data as object) ?? {}).filter((key) => key !== idField)),
    data: event.data,
  }));
}

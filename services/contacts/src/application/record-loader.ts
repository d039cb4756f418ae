import { type DomainEvent, DomainError, EventSourcedCommandHandler } from '@crm/decider';
import type { RecordedEvent } from '@crm/eventstore';
import type { Lifecycle } from '../domain/common';
import type { HistoryEntry } from './views';

/**
 * Builds a record's view straight from its stream, so a read right after a write always sees it,
 * and `asOf` is the same fold stopped at an instant.
 */
export async function loadView<Command, State extends { lifecycle: Lifecycle }, Event extends DomainEvent, View>(
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

export function toHistory(events: RecordedEvent[], fieldsByEvent: Record<string, string[]>, idField: string): HistoryEntry[] {
  return events.map((event) => ({
    revision: event.revision,
    type: event.type,
    occurredAt: event.metadata.occurredAt,
    actorId: event.metadata.actorId,
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId,
    // A creation sets every field it carries; other events name the fields they touch.
    changedFields: event.type.endsWith('Created')
      ? Object.keys(event.data as object).filter((key) => key !== idField)
      : (fieldsByEvent[event.type] ?? []),
    data: event.data,
  }));
}

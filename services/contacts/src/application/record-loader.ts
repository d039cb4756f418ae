import type { RecordedEvent } from '@crm/eventstore';
import type { HistoryEntry } from './views';

export { loadView, timestamps, timestampsAfter } from '@crm/runtime';

/**
 * Contacts' history names no changed fields for an event type it does not map (merge bookkeeping),
 * where the shared `toHistory` of @crm/runtime would list the event's data keys.
 */
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

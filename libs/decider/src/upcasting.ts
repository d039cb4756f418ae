import type { RecordedEvent } from '@crm/eventstore';

/**
 * Turns an event stored at schema version `fromVersion` into the shape of `fromVersion + 1`.
 * Old events are upcast each time they are read; the log itself is never rewritten.
 */
export interface Upcaster {
  eventType: string;
  fromVersion: number;
  upcast(data: unknown): unknown;
}

export class UpcasterChain {
  private readonly byTypeAndVersion = new Map<string, Upcaster>();

  constructor(upcasters: Upcaster[] = []) {
    for (const upcaster of upcasters) {
      this.byTypeAndVersion.set(`${upcaster.eventType}@${upcaster.fromVersion}`, upcaster);
    }
  }

  /** Applies every upcaster from the event's stored version up to the newest one known. */
  upcast<Data>(event: RecordedEvent): RecordedEvent<Data> {
    let version = event.metadata.schemaVersion ?? 1;
    let data = event.data;
    for (;;) {
      const upcaster = this.byTypeAndVersion.get(`${event.type}@${version}`);
      if (!upcaster) break;
      data = upcaster.upcast(data);
      version += 1;
    }
    if (data === event.data) return event as RecordedEvent<Data>;
    return { ...event, data: data as Data, metadata: { ...event.metadata, schemaVersion: version } };
  }

  /** The version new events of this type are written at. */
  currentVersion(eventType: string): number {
    let version = 1;
    while (this.byTypeAndVersion.has(`${eventType}@${version}`)) version += 1;
    return version;
  }
}

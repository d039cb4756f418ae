import type { IntegrationEventMapper, OutgoingIntegrationEvent } from '@crm/bus';
import type { RecordedEvent } from '@crm/eventstore';

/**
 * The mappers of every feature of a service, run by the service's single relay (the event store is the
 * outbox). Each mapper returns the integration events one domain event announces, usually none.
 */
export class IntegrationEventMappers {
  private readonly mappers: IntegrationEventMapper[] = [];

  add(mapper: IntegrationEventMapper): void {
    this.mappers.push(mapper);
  }

  get count(): number {
    return this.mappers.length;
  }

  readonly map = async (event: RecordedEvent): Promise<OutgoingIntegrationEvent[]> => {
    const outgoing: OutgoingIntegrationEvent[] = [];
    for (const mapper of this.mappers) outgoing.push(...(await mapper(event)));
    return outgoing;
  };
}

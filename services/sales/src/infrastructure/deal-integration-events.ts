import { integrationEventFrom, type OutgoingIntegrationEvent } from '@crm/bus';
import { type DealChange, type DealChangedJson, dealEventType, type DealJson, DEAL_CHANGED_SCHEMA, DEAL_TOPIC, SALES_SOURCE } from '@crm/contracts';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import { DEAL_FIELDS_BY_EVENT, toDealView } from '../application/deal-views';
import { dealDecider, type DealEvent, type DealEventType, type DealState } from '../domain/deal';
import { parseStreamName } from '../domain/streams';

const CACHE_LIMIT = 10_000;

/** Which public change a domain event is; comments change no state and publish nothing. */
const CHANGE_BY_EVENT: Record<DealEventType, DealChange | null> = {
  DealCreated: 'created',
  DealStageChanged: 'stage_changed',
  DealWon: 'won',
  DealLost: 'lost',
  DealReopened: 'reopened',
  DealTitleChanged: 'updated',
  DealAmountChanged: 'updated',
  DealExpectedCloseDateChanged: 'updated',
  DealOwnerChanged: 'updated',
  DealForecastCategoryChanged: 'updated',
  DealLineItemsChanged: 'updated',
  DealContactLinked: 'updated',
  DealContactRelinked: 'updated',
  DealCommented: null,
  DealDeleted: 'deleted',
};

interface Tracked {
  revision: number;
  state: DealState;
  createdAt: string;
  stageEnteredAt: string;
}

function dealJson(tenantId: string, tracked: Tracked, updatedAt: string): DealJson {
  const view = toDealView(tracked.state, tracked.revision, { createdAt: tracked.createdAt, updatedAt, stageEnteredAt: tracked.stageEnteredAt });
  return {
    id: view.id,
    tenantId,
    title: view.title,
    pipelineId: view.pipelineId,
    stageId: view.stageId,
    stageType: view.stageType,
    status: view.status,
    probability: view.probability,
    amount: view.amount,
    currency: view.currency,
    expectedCloseDate: view.expectedCloseDate ?? '',
    ownerId: view.ownerId ?? '',
    contactId: view.contactId ?? '',
    companyId: view.companyId ?? '',
    forecastCategory: view.forecastCategory,
    lineItems: view.lineItems.map((item) => ({ ...item, productId: item.productId ?? '' })),
    closeReason: view.closeReason ?? '',
    closedOn: view.closedOn ?? '',
    stageEnteredAt: view.stageEnteredAt,
    revision: String(view.revision),
    createdAt: view.createdAt,
    updatedAt,
  };
}

/**
 * Maps deal events to the public `crm.sales.deal.v1` messages. They carry the whole deal after the
 * change (event-carried state), so the state of each deal stream is tracked here: the relay delivers in
 * log order, so the previous state is almost always cached and one `evolve` suffices.
 */
export class DealIntegrationEventMapper {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly store: EventStore) {}

  readonly map = async (event: RecordedEvent): Promise<OutgoingIntegrationEvent[]> => {
    const stream = parseStreamName(event.streamName);
    if (!stream || stream.kind !== 'deal') return [];
    const change = CHANGE_BY_EVENT[event.type as DealEventType];
    if (change === undefined) return [];
    const tracked = await this.stateAfter(event);
    if (change === null) return [];
    const domainEvent = { type: event.type, data: event.data } as DealEvent;
    const data: DealChangedJson = {
      change,
      cause: event.type,
      changedFields: change === 'created' ? [] : DEAL_FIELDS_BY_EVENT[domainEvent.type],
      deal: change === 'deleted' ? undefined : dealJson(stream.tenantId, tracked, event.metadata.occurredAt),
      dealId: stream.id,
      occurredAt: event.metadata.occurredAt,
      actorId: event.metadata.actorId,
      ...(domainEvent.type === 'DealStageChanged'
        ? { stageMove: { fromStageId: domainEvent.data.fromStageId, toStageId: domainEvent.data.toStageId, comment: domainEvent.data.comment ?? '' } }
        : {}),
      ...(domainEvent.type === 'DealWon' || domainEvent.type === 'DealLost' ? { reason: domainEvent.data.reason } : {}),
    };
    const message = integrationEventFrom(event, { source: SALES_SOURCE, type: dealEventType(change), dataschema: DEAL_CHANGED_SCHEMA, subject: stream.id, data });
    return [{ topic: DEAL_TOPIC, event: message }];
  };

  private async stateAfter(event: RecordedEvent): Promise<Tracked> {
    const previous = this.tracked.get(event.streamName);
    const fold = (tracked: Tracked | undefined, recorded: RecordedEvent): Tracked => ({
      revision: recorded.revision,
      state: dealDecider.evolve(tracked?.state ?? dealDecider.initialState(), { type: recorded.type, data: recorded.data } as DealEvent),
      createdAt: tracked?.createdAt ?? recorded.metadata.occurredAt,
      stageEnteredAt:
        !tracked || recorded.type === 'DealStageChanged' ? recorded.metadata.occurredAt : tracked.stageEnteredAt,
    });
    let tracked: Tracked;
    if (previous && previous.revision === event.revision - 1) {
      tracked = fold(previous, event);
    } else {
      // A stream's first event is its whole history: no read.
      const history = event.revision === 0 ? [event] : await this.store.readStream(event.streamName, { maxCount: event.revision + 1 });
      tracked = history.reduce<Tracked | undefined>((current, recorded) => fold(current, recorded), undefined)!;
    }
    this.tracked.delete(event.streamName);
    this.tracked.set(event.streamName, tracked);
    if (this.tracked.size > CACHE_LIMIT) this.tracked.delete(this.tracked.keys().next().value as string);
    return tracked;
  }
}

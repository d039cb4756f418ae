import type { RecordedEvent } from '@crm/eventstore';
import { applyOnce, type IndexSpec, type Projection, type ReadStore } from '@crm/readstore';
import { QUOTAS_COLLECTION, type QuotaDocument, quotaDocumentId } from '../application/forecast-read-models';
import type { QuotaEvent, QuotaEventType } from '../domain/quota';
import { parseStreamName } from '../domain/streams';

export const QUOTAS_PROJECTION = 'sales.quotas.v1';

const QUOTA_EVENT_TYPES: QuotaEventType[] = ['QuotaCreated', 'QuotaChanged', 'QuotaDeleted'];

export const QUOTAS_INDEXES: Record<string, IndexSpec[]> = {
  [QUOTAS_COLLECTION]: [
    { keys: { tenantId: 1, period: 1, ownerId: 1 } },
    { keys: { tenantId: 1, ownerId: 1, period: 1 } },
  ],
};

/** Keeps the quota list: one document per quota, each write guarded by the event's position (applyOnce). */
export async function applyQuotaEvent(recorded: RecordedEvent, store: ReadStore): Promise<void> {
  const stream = parseStreamName(recorded.streamName);
  if (!stream || stream.kind !== 'quota') return;
  const event = { type: recorded.type, data: recorded.data } as QuotaEvent;
  const quotas = store.collection<QuotaDocument>(QUOTAS_COLLECTION);
  const id = quotaDocumentId(stream.tenantId, stream.id);
  const stamp = { revision: recorded.revision, updatedAt: recorded.metadata.occurredAt };
  switch (event.type) {
    case 'QuotaCreated':
      await applyOnce(quotas, id, recorded.position, {
        $set: {
          tenantId: stream.tenantId,
          id: stream.id,
          ownerId: event.data.ownerId,
          period: event.data.period,
          amount: event.data.amount,
          currency: event.data.currency,
          deleted: false,
          createdAt: recorded.metadata.occurredAt,
          ...stamp,
        },
      });
      return;
    case 'QuotaChanged':
      await applyOnce(quotas, id, recorded.position, { $set: { amount: event.data.amount, currency: event.data.currency, ...stamp } });
      return;
    case 'QuotaDeleted':
      await applyOnce(quotas, id, recorded.position, { $set: { deleted: true, ...stamp } });
      return;
  }
}

export const quotasProjection: Projection = {
  name: QUOTAS_PROJECTION,
  filter: { eventTypes: QUOTA_EVENT_TYPES },
  indexes: QUOTAS_INDEXES,
  apply: applyQuotaEvent,
};

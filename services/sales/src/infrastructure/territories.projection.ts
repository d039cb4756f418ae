import type { RecordedEvent } from '@crm/eventstore';
import type { Projection, ReadStore } from '@crm/readstore';
import { TERRITORY_EVENT_TYPES, territoryDecider, type TerritoryEvent, type TerritoryState } from '../domain/territory';
import { parseStreamName } from '../domain/streams';
import { TERRITORIES_COLLECTION, type TerritoryDocument, territoryDocumentId } from '../application/territory-read-model';

export const TERRITORIES_PROJECTION = 'sales.territories.v1';

const territoryEventTypes = new Set<string>(TERRITORY_EVENT_TYPES);

function stateOf(document: TerritoryDocument | null): TerritoryState {
  if (!document) return territoryDecider.initialState();
  const { _id, _position, tenantId: _tenantId, deleted, revision: _revision, createdAt: _createdAt, updatedAt: _updatedAt, ...fields } = document;
  return { ...fields, lifecycle: deleted ? 'deleted' : 'active' };
}

async function applyTerritoryEvent(event: RecordedEvent, store: ReadStore): Promise<void> {
  const stream = parseStreamName(event.streamName);
  if (!stream || stream.kind !== 'territory' || !territoryEventTypes.has(event.type)) return;
  const collection = store.collection<TerritoryDocument>(TERRITORIES_COLLECTION);
  const documentId = territoryDocumentId(stream.tenantId, stream.id);
  const current = await collection.findOne({ _id: documentId });
  if (current && current._position >= event.position) return;
  const state = territoryDecider.evolve(stateOf(current), { type: event.type, data: event.data } as TerritoryEvent);
  const { lifecycle, id: _id, ...fields } = state;
  const document: TerritoryDocument = {
    ...fields,
    _id: documentId,
    _position: event.position,
    tenantId: stream.tenantId,
    id: stream.id,
    deleted: lifecycle === 'deleted',
    revision: event.revision,
    createdAt: current?.createdAt ?? event.metadata.occurredAt,
    updatedAt: event.metadata.occurredAt,
  };
  await collection.replaceOne({ _id: documentId }, document, { upsert: true });
}

/** The territories of each tenant, read whole and in rule order when a new lead or deal needs an owner. */
export const territoriesProjection: Projection = {
  name: TERRITORIES_PROJECTION,
  indexes: { [TERRITORIES_COLLECTION]: [{ keys: { tenantId: 1, deleted: 1, rank: 1, createdAt: 1 } }] },
  apply: applyTerritoryEvent,
};

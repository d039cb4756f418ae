import type { RecordedEvent } from '@crm/eventstore';
import { applyOnce, type Projection, type ReadStore } from '@crm/readstore';
import { ASSETS_COLLECTION, type AssetDocument, ASSETS_PROJECTION, documentId } from '../application/customer-care-read-models';
import { assetDecider, type AssetEvent, type AssetState, serialNumberKey } from '../domain/asset';
import { productTypeKey } from '../domain/maintenance-rule';
import { parseStreamName } from '../domain/streams';

const ASSET_EVENT_TYPES: AssetEvent['type'][] = ['AssetRegistered', 'AssetUpdated', 'AssetOwnerRelinked', 'AssetMaintenanceDue'];

function stateOf(document: AssetDocument | null): AssetState {
  if (!document) return assetDecider.initialState();
  return {
    id: document.id,
    lifecycle: 'active',
    productType: document.productType,
    productName: document.productName,
    serialNumber: document.serialNumber,
    purchaseDate: document.purchaseDate,
    installDate: document.installDate,
    warrantyEnd: document.warrantyEnd,
    location: document.location,
    ownerContactId: document.ownerContactId,
    companyId: document.companyId,
    vip: document.vip,
    maintenance: document.maintenance,
    relinkedFrom: document.relinkedFrom,
  };
}

async function applyAssetEvent(event: RecordedEvent, store: ReadStore, tenantId: string, assetId: string): Promise<void> {
  const assets = store.collection<AssetDocument>(ASSETS_COLLECTION);
  const id = documentId(tenantId, assetId);
  const previous = await assets.findOne({ _id: id });
  if (previous && (previous._position as number) >= event.position) return;
  const { lifecycle: _lifecycle, id: _id, ...state } = assetDecider.evolve(stateOf(previous), { type: event.type, data: event.data } as AssetEvent);
  await applyOnce(assets, id, event.position, {
    $set: {
      ...state,
      tenantId,
      id: assetId,
      serialKey: serialNumberKey(state.serialNumber),
      productTypeKey: productTypeKey(state.productType),
      revision: event.revision,
      createdAt: previous?.createdAt ?? event.metadata.occurredAt,
      updatedAt: event.metadata.occurredAt,
    },
  });
}

/** The asset list (`customer_assets_v1`): filters by owner, company, product type, serial number and warranty end. */
export function assetsProjection(): Projection {
  return {
    name: ASSETS_PROJECTION,
    filter: { eventTypes: ASSET_EVENT_TYPES },
    indexes: {
      [ASSETS_COLLECTION]: [
        { keys: { tenantId: 1, createdAt: -1 } },
        { keys: { tenantId: 1, ownerContactId: 1 } },
        { keys: { tenantId: 1, companyId: 1 } },
        { keys: { tenantId: 1, productTypeKey: 1 } },
        { keys: { tenantId: 1, serialKey: 1 } },
        { keys: { tenantId: 1, warrantyEnd: 1 } },
      ],
    },
    async apply(event, store) {
      const stream = parseStreamName(event.streamName);
      if (stream?.kind === 'asset') await applyAssetEvent(event, store, stream.tenantId, stream.id);
    },
  };
}

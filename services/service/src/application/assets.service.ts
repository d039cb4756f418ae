import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import type { Filter, ReadStore } from '@crm/readstore';
import { type HistoryEntry, loadView, timestamps, timestampsAfter, toHistory, type WriteResult } from '@crm/runtime';
import {
  ASSET_FIELDS_BY_EVENT,
  type AssetCommand,
  assetDecider,
  type AssetEvent,
  type AssetFields,
  type AssetInput,
  type AssetState,
  type MaintenanceVisit,
  serialNumberKey,
} from '../domain/asset';
import { productTypeKey } from '../domain/maintenance-rule';
import { assetStream } from '../domain/streams';
import type { ContactDirectory } from './contact-directory';
import { ASSETS_COLLECTION, type AssetDocument } from './customer-care-read-models';
import type { UniqueKeys } from './customer-care-unique-keys';
import { type ListResult, parseSort } from './service-contracts.service';

export interface AssetView extends AssetFields {
  id: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface AssetListFilter {
  ownerContactId?: string;
  companyId?: string;
  productType?: string;
  serialNumber?: string;
  warrantyEndBefore?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

export function toAssetView(fields: AssetFields & { id: string }, revision: number, times: { createdAt: string; updatedAt: string }): AssetView {
  return {
    id: fields.id,
    productType: fields.productType,
    productName: fields.productName,
    serialNumber: fields.serialNumber,
    purchaseDate: fields.purchaseDate,
    installDate: fields.installDate,
    warrantyEnd: fields.warrantyEnd,
    location: fields.location,
    ownerContactId: fields.ownerContactId,
    companyId: fields.companyId,
    vip: fields.vip,
    revision,
    createdAt: times.createdAt,
    updatedAt: times.updatedAt,
  };
}

const serialClaim = (tenantId: string, serialNumber: string) => `${tenantId}:serial:${serialNumberKey(serialNumber)}`;

/** Customer assets: the installed products proactive service is planned around. */
export class AssetsService {
  private readonly assets: EventSourcedCommandHandler<AssetCommand, AssetState, AssetEvent>;

  constructor(
    store: EventStore,
    private readonly readStore: ReadStore,
    private readonly directory: ContactDirectory,
    private readonly uniqueKeys: UniqueKeys,
    private readonly newId: () => string = newRecordId,
  ) {
    this.assets = new EventSourcedCommandHandler(store, assetDecider);
  }

  async register(context: CommandContext, input: AssetInput): Promise<WriteResult<AssetView>> {
    const linked = await this.resolveLinks(context.tenantId, input, true);
    const assetId = this.newId();
    const claim = input.serialNumber?.trim() ? serialClaim(context.tenantId, input.serialNumber) : null;
    if (claim) await this.uniqueKeys.claim(claim, assetId, 'serialNumber', (owner) => this.holdsSerial(context.tenantId, owner, claim));
    try {
      return await this.run(context, assetId, { type: 'RegisterAsset', assetId, input: linked });
    } catch (error) {
      if (claim) await this.uniqueKeys.release(claim, assetId);
      throw error;
    }
  }

  async update(context: CommandContext, assetId: string, input: AssetInput): Promise<WriteResult<AssetView>> {
    const current = await this.get(context.tenantId, assetId);
    const linked = await this.resolveLinks(context.tenantId, input, false);
    const oldClaim = serialClaim(context.tenantId, current.serialNumber);
    const newClaim = input.serialNumber?.trim() ? serialClaim(context.tenantId, input.serialNumber) : oldClaim;
    if (newClaim === oldClaim) return this.run(context, assetId, { type: 'UpdateAsset', input: linked });
    await this.uniqueKeys.claim(newClaim, assetId, 'serialNumber', (owner) => this.holdsSerial(context.tenantId, owner, newClaim));
    let result: WriteResult<AssetView>;
    try {
      result = await this.run(context, assetId, { type: 'UpdateAsset', input: linked });
    } catch (error) {
      await this.uniqueKeys.release(newClaim, assetId);
      throw error;
    }
    await this.uniqueKeys.release(oldClaim, assetId);
    return result;
  }

  /** Records a maintenance visit that fell due (once per due date); the state holds the visit and its ticket id. */
  async recordMaintenanceDue(context: CommandContext, assetId: string, visit: MaintenanceVisit): Promise<AssetState> {
    return (await this.assets.handle(assetStream(context.tenantId, assetId), { type: 'RecordMaintenanceDue', visit }, context)).state;
  }

  async relinkOwner(context: CommandContext, assetId: string, fromContactId: string, toContactId: string, reason: 'merged' | 'unmerged'): Promise<void> {
    await this.assets.handle(assetStream(context.tenantId, assetId), { type: 'RelinkAssetOwner', fromContactId, toContactId, reason }, context);
  }

  async load(tenantId: string, assetId: string): Promise<AssetState | null> {
    const { state } = await this.assets.load(assetStream(tenantId, assetId));
    return state.lifecycle === 'absent' ? null : state;
  }

  get(tenantId: string, assetId: string, asOf?: string): Promise<AssetView> {
    return loadView(this.assets, assetStream(tenantId, assetId), 'Asset', (state, revision, events) => toAssetView({ ...state, id: state.id as string }, revision, timestamps(events)), asOf);
  }

  async history(tenantId: string, assetId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.assets.load(assetStream(tenantId, assetId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Asset not found');
    return toHistory(events, ASSET_FIELDS_BY_EVENT as Record<string, string[]>, 'assetId');
  }

  async list(tenantId: string, filter: AssetListFilter): Promise<ListResult<AssetView>> {
    const query: Filter = { tenantId };
    if (filter.ownerContactId) query.ownerContactId = filter.ownerContactId;
    if (filter.companyId) query.companyId = filter.companyId;
    if (filter.productType) query.productTypeKey = productTypeKey(filter.productType);
    if (filter.serialNumber) query.serialKey = serialNumberKey(filter.serialNumber);
    if (filter.warrantyEndBefore) query.warrantyEnd = { $lt: filter.warrantyEndBefore };
    const page = await this.readStore.collection<AssetDocument>(ASSETS_COLLECTION).findPage(query, {
      sort: parseSort(filter.sort, '-createdAt'),
      limit: filter.limit ?? 50,
      cursor: filter.cursor,
    });
    return { items: page.items.map((document) => toAssetView(document, document.revision, document)), nextCursor: page.nextCursor };
  }

  /**
   * Links are checked against the local copy of contacts: the owner must be a known contact (a merged
   * one becomes its survivor), the company a known company; without a company the owner's is used.
   */
  private async resolveLinks(tenantId: string, input: AssetInput, creating: boolean): Promise<AssetInput> {
    const linked: AssetInput = { ...input };
    if (input.ownerContactId) {
      const owner = await this.directory.find('contact', tenantId, input.ownerContactId);
      if (!owner) throw new DomainError('invalid', 'Invalid ownerContactId: no such contact', [{ field: 'ownerContactId', reason: 'no contact with this id' }]);
      linked.ownerContactId = owner.recordId;
      const ownersCompany = owner.data.companyId;
      if (creating && !input.companyId && typeof ownersCompany === 'string' && ownersCompany) linked.companyId = ownersCompany;
    }
    if (input.companyId) {
      const company = await this.directory.find('company', tenantId, input.companyId);
      if (!company) throw new DomainError('invalid', 'Invalid companyId: no such company', [{ field: 'companyId', reason: 'no company with this id' }]);
      linked.companyId = company.recordId;
    }
    return linked;
  }

  private async holdsSerial(tenantId: string, assetId: string, claim: string): Promise<boolean> {
    const state = await this.load(tenantId, assetId);
    return state !== null && serialClaim(tenantId, state.serialNumber) === claim;
  }

  private async run(context: CommandContext, assetId: string, command: AssetCommand): Promise<WriteResult<AssetView>> {
    const result = await this.assets.handle(assetStream(context.tenantId, assetId), command, context);
    const view = toAssetView({ ...result.state, id: result.state.id as string }, result.revision, timestampsAfter(result));
    return { view, revision: result.revision, position: result.position };
  }
}

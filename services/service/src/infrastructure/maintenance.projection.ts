import type { RecordedEvent } from '@crm/eventstore';
import { applyOnce, type Projection, type ReadStore } from '@crm/readstore';
import {
  documentId,
  MAINTENANCE_PROJECTION,
  MAINTENANCE_RULES_COLLECTION,
  MAINTENANCE_SCHEDULES_COLLECTION,
  MAINTENANCE_VIP_CONTRACTS_COLLECTION,
  type MaintenanceRuleDocument,
  type MaintenanceScheduleDocument,
  type MaintenanceScheduleFields,
  maintenanceTimers,
  type VipContractDocument,
  type VipContractFields,
} from '../application/customer-care-read-models';
import type { MaintenanceTimerPayload } from '../application/maintenance.service';
import type { AssetEvent } from '../domain/asset';
import { type MaintenanceRuleEvent, productTypeKey } from '../domain/maintenance-rule';
import { nextMaintenance, scheduleFrom, startOfDateUtc, utcDateOf } from '../domain/maintenance-schedule';
import { contractStatusOn, type ServiceContractEvent, VIP_TIER } from '../domain/service-contract';
import { parseStreamName } from '../domain/streams';

const RULE_EVENTS: MaintenanceRuleEvent['type'][] = ['MaintenanceRuleCreated', 'MaintenanceRuleReplaced', 'MaintenanceRuleDeleted'];
const ASSET_EVENTS: AssetEvent['type'][] = ['AssetRegistered', 'AssetUpdated', 'AssetOwnerRelinked', 'AssetMaintenanceDue'];
/** The contract changes that can make a customer VIP or not. */
const CONTRACT_EVENTS: ServiceContractEvent['type'][] = [
  'ServiceContractCreated',
  'ServiceContractTierChanged',
  'ServiceContractStartDateChanged',
  'ServiceContractRenewed',
  'ServiceContractCancelled',
  'ServiceContractCustomerRelinked',
];

export const maintenanceTimerKey = (tenantId: string, assetId: string): string => `${tenantId}:asset:${assetId}:maintenance`;

type ScheduleFields = MaintenanceScheduleFields;

const rules = (store: ReadStore) => store.collection<MaintenanceRuleDocument>(MAINTENANCE_RULES_COLLECTION);
const schedules = (store: ReadStore) => store.collection<MaintenanceScheduleDocument>(MAINTENANCE_SCHEDULES_COLLECTION);
const vipContracts = (store: ReadStore) => store.collection<VipContractDocument>(MAINTENANCE_VIP_CONTRACTS_COLLECTION);

/** Whether a `vip`-tier contract of the owner (or the owner's company) is in force on `day`. */
async function vipByContract(store: ReadStore, tenantId: string, customerIds: string[], day: string): Promise<boolean> {
  if (customerIds.length === 0) return false;
  const contracts = await vipContracts(store).find({ tenantId, tier: VIP_TIER, customerIds: { $in: customerIds } }, { limit: 50 });
  return contracts.some((contract) => contractStatusOn(contract, day) === 'active');
}

/**
 * Works out an asset's schedule after a change of the asset, its rule, or its owner's VIP standing, and
 * moves its timer to the next visit. Everything is taken as of the event's day, so a rebuild computes
 * what the live run did. VIP standing from a contract is re-read at each change and after each visit:
 * a VIP contract that lapses without any event keeps the VIP cadence until the next visit is recorded.
 */
async function reschedule(store: ReadStore, fields: ScheduleFields, previous: MaintenanceScheduleDocument | null, event: RecordedEvent): Promise<void> {
  const day = utcDateOf(event.metadata.occurredAt);
  const rule = await rules(store).findOne({ tenantId: fields.tenantId, productTypeKey: fields.productTypeKey, deleted: false });
  const contractVip = await vipByContract(store, fields.tenantId, [fields.ownerContactId, fields.companyId].filter((id): id is string => Boolean(id)), day);
  const vip = fields.assetVip || contractVip;
  const next: ScheduleFields = {
    ...fields,
    ruleId: rule?.id ?? null,
    // A rule that newly applies starts counting today: it never replays visits from before it applied.
    trackingSince: !rule ? null : previous?.ruleId === rule.id && previous.trackingSince ? previous.trackingSince : day,
    vip,
    vipSource: fields.assetVip ? 'asset' : contractVip ? 'contract' : null,
    nextDueOn: null,
    nextReasons: [],
  };
  const occurrence =
    rule && next.trackingSince
      ? nextMaintenance(rule, { purchaseDate: fields.purchaseDate, installDate: fields.installDate, warrantyEnd: fields.warrantyEnd, vip }, scheduleFrom(next.trackingSince, fields.lastDueOn))
      : null;
  const key = maintenanceTimerKey(fields.tenantId, fields.assetId);
  if (occurrence && rule) {
    next.nextDueOn = occurrence.dueOn;
    next.nextReasons = occurrence.reasons;
    const payload: MaintenanceTimerPayload = { assetId: fields.assetId, dueOn: occurrence.dueOn, reasons: occurrence.reasons, ruleId: rule.id, vip };
    await maintenanceTimers.schedule(store, { key, tenantId: fields.tenantId, dueAt: startOfDateUtc(occurrence.dueOn), payload: { ...payload } }, event.position);
  } else {
    await maintenanceTimers.cancel(store, key, event.position);
  }
  // The timer first, the document last: a redelivery after a crash between the two redoes both.
  await applyOnce(schedules(store), documentId(fields.tenantId, fields.assetId), event.position, { $set: { ...next } });
}

async function rescheduleAll(store: ReadStore, documents: MaintenanceScheduleDocument[], event: RecordedEvent): Promise<void> {
  for (const document of documents) {
    if ((document._position as number) >= event.position) continue;
    const { _id, _position, ...fields } = document;
    await reschedule(store, fields as unknown as ScheduleFields, document, event);
  }
}

async function applyAssetEvent(event: RecordedEvent, store: ReadStore, tenantId: string, assetId: string): Promise<void> {
  const previous = await schedules(store).findOne({ _id: documentId(tenantId, assetId) });
  if (previous && (previous._position as number) >= event.position) return;
  const asset = { type: event.type, data: event.data } as AssetEvent;
  let fields: ScheduleFields;
  if (asset.type === 'AssetRegistered') {
    const data = asset.data;
    fields = {
      tenantId,
      assetId,
      productTypeKey: productTypeKey(data.productType),
      purchaseDate: data.purchaseDate,
      installDate: data.installDate,
      warrantyEnd: data.warrantyEnd,
      assetVip: data.vip,
      ownerContactId: data.ownerContactId,
      companyId: data.companyId,
      ruleId: null,
      trackingSince: null,
      lastDueOn: null,
      vip: data.vip,
      vipSource: data.vip ? 'asset' : null,
      nextDueOn: null,
      nextReasons: [],
    };
  } else {
    if (!previous) return;
    const { _id, _position, ...current } = previous;
    fields = current as unknown as ScheduleFields;
    if (asset.type === 'AssetUpdated') {
      const changes = asset.data;
      if (changes.productType !== undefined) fields.productTypeKey = productTypeKey(changes.productType);
      if (changes.purchaseDate !== undefined) fields.purchaseDate = changes.purchaseDate;
      if (changes.installDate !== undefined) fields.installDate = changes.installDate;
      if (changes.warrantyEnd !== undefined) fields.warrantyEnd = changes.warrantyEnd;
      if (changes.vip !== undefined) fields.assetVip = changes.vip;
      if (changes.ownerContactId !== undefined) fields.ownerContactId = changes.ownerContactId;
      if (changes.companyId !== undefined) fields.companyId = changes.companyId;
    } else if (asset.type === 'AssetOwnerRelinked') {
      fields.ownerContactId = asset.data.toContactId;
    } else if (asset.type === 'AssetMaintenanceDue') {
      fields.lastDueOn = !fields.lastDueOn || asset.data.dueOn > fields.lastDueOn ? asset.data.dueOn : fields.lastDueOn;
    }
  }
  await reschedule(store, fields, previous, event);
}

async function applyRuleEvent(event: RecordedEvent, store: ReadStore, tenantId: string, ruleId: string): Promise<void> {
  const id = documentId(tenantId, ruleId);
  const previous = await rules(store).findOne({ _id: id });
  const rule = { type: event.type, data: event.data } as MaintenanceRuleEvent;
  // Redelivered after the rule document was written: it remembers the product type it left.
  const alreadyApplied = previous !== null && (previous._position as number) >= event.position;
  const leftProductType = alreadyApplied ? previous.previousProductTypeKey : previous?.productTypeKey;
  if (rule.type === 'MaintenanceRuleDeleted') {
    await applyOnce(rules(store), id, event.position, {
      $set: { deleted: true, previousProductTypeKey: previous?.productTypeKey ?? null, revision: event.revision, updatedAt: event.metadata.occurredAt },
    });
  } else {
    const { ruleId: _ruleId, ...fields } = rule.data;
    await applyOnce(rules(store), id, event.position, {
      $set: {
        ...fields,
        tenantId,
        id: ruleId,
        productTypeKey: productTypeKey(fields.productType),
        previousProductTypeKey: previous?.productTypeKey ?? null,
        deleted: false,
        revision: event.revision,
        createdAt: previous?.createdAt ?? event.metadata.occurredAt,
        updatedAt: event.metadata.occurredAt,
      },
    });
  }
  // The assets of the product type the rule left and of the one it covers now.
  const keys = new Set<string>();
  if (leftProductType) keys.add(leftProductType);
  if (rule.type !== 'MaintenanceRuleDeleted') keys.add(productTypeKey(rule.data.productType));
  for (const key of keys) await rescheduleAll(store, await schedules(store).find({ tenantId, productTypeKey: key }), event);
}

async function applyContractEvent(event: RecordedEvent, store: ReadStore, tenantId: string, contractId: string): Promise<void> {
  const id = documentId(tenantId, contractId);
  const previous = await vipContracts(store).findOne({ _id: id });
  const contract = { type: event.type, data: event.data } as ServiceContractEvent;
  let next: VipContractFields;
  if (contract.type === 'ServiceContractCreated') {
    const data = contract.data;
    next = {
      tenantId,
      contractId,
      customerIds: [data.customer.contactId, data.customer.companyId].filter((value): value is string => Boolean(value)),
      tier: data.tier,
      startDate: data.startDate,
      endDate: data.endDate,
      cancelledOn: null,
    };
  } else {
    if (!previous) return;
    const { _id, _position, ...current } = previous;
    next = { ...(current as unknown as VipContractFields) };
    if (contract.type === 'ServiceContractTierChanged') next.tier = contract.data.tier;
    else if (contract.type === 'ServiceContractStartDateChanged') next.startDate = contract.data.startDate;
    else if (contract.type === 'ServiceContractRenewed') next = { ...next, endDate: contract.data.endDate, tier: contract.data.tier };
    else if (contract.type === 'ServiceContractCancelled') next.cancelledOn = contract.data.cancelledOn;
    else if (contract.type === 'ServiceContractCustomerRelinked') {
      next.customerIds = [...new Set([contract.data.toContactId, ...next.customerIds.filter((customerId) => customerId !== contract.data.fromContactId)])];
    }
  }
  await applyOnce(vipContracts(store), id, event.position, { $set: { ...next } });
  if (previous?.tier !== VIP_TIER && next.tier !== VIP_TIER) return;
  const customerIds = [...new Set([...(previous?.customerIds ?? []), ...next.customerIds])];
  const affected = new Map<string, MaintenanceScheduleDocument>();
  for (const document of await schedules(store).find({ tenantId, ownerContactId: { $in: customerIds } })) affected.set(document._id, document);
  for (const document of await schedules(store).find({ tenantId, companyId: { $in: customerIds } })) affected.set(document._id, document);
  await rescheduleAll(store, [...affected.values()], event);
}

/**
 * Proactive maintenance: the rules (`maintenance_rules_v1`), each asset's schedule
 * (`maintenance_schedules_v1`) and its next-visit timer. It follows assets, rules and the VIP tier of
 * service contracts, so one projection sees all three in log order.
 */
export function maintenanceProjection(): Projection {
  return {
    name: MAINTENANCE_PROJECTION,
    filter: { eventTypes: [...RULE_EVENTS, ...ASSET_EVENTS, ...CONTRACT_EVENTS] },
    indexes: {
      [MAINTENANCE_RULES_COLLECTION]: [{ keys: { tenantId: 1, productTypeKey: 1 } }],
      [MAINTENANCE_SCHEDULES_COLLECTION]: [{ keys: { tenantId: 1, productTypeKey: 1 } }, { keys: { tenantId: 1, ownerContactId: 1 } }, { keys: { tenantId: 1, companyId: 1 } }],
      [MAINTENANCE_VIP_CONTRACTS_COLLECTION]: [{ keys: { tenantId: 1, customerIds: 1 } }],
      [maintenanceTimers.collectionName]: maintenanceTimers.indexes,
    },
    async apply(event, store) {
      const stream = parseStreamName(event.streamName);
      if (!stream) return;
      if (stream.kind === 'asset') await applyAssetEvent(event, store, stream.tenantId, stream.id);
      else if (stream.kind === 'maintenancerule') await applyRuleEvent(event, store, stream.tenantId, stream.id);
      else if (stream.kind === 'servicecontract') await applyContractEvent(event, store, stream.tenantId, stream.id);
    },
  };
}

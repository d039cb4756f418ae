import { createHash } from 'node:crypto';
import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import type { Filter, ReadStore } from '@crm/readstore';
import { type DueTimer, type HistoryEntry, loadView, timestamps, timestampsAfter, toHistory, type WriteResult } from '@crm/runtime';
import type { MaintenanceVisit } from '../domain/asset';
import {
  MAINTENANCE_RULE_FIELDS_BY_EVENT,
  type MaintenanceRuleCommand,
  maintenanceRuleDecider,
  type MaintenanceRuleEvent,
  type MaintenanceRuleFields,
  type MaintenanceRuleInput,
  type MaintenanceRuleState,
  productTypeKey,
} from '../domain/maintenance-rule';
import { type MaintenanceOccurrence, type MaintenanceReason, scheduleFrom, startOfDateUtc, upcomingMaintenance } from '../domain/maintenance-schedule';
import { maintenanceRuleStream } from '../domain/streams';
import type { AssetsService } from './assets.service';
import {
  MAINTENANCE_RULES_COLLECTION,
  MAINTENANCE_SCHEDULES_COLLECTION,
  type MaintenanceRuleDocument,
  type MaintenanceScheduleDocument,
  documentId,
} from './customer-care-read-models';
import type { CustomerCareTicketDesk } from './customer-care-ticket-desk';
import type { UniqueKeys } from './customer-care-unique-keys';
import type { ListResult } from './service-contracts.service';

export interface MaintenanceRuleView extends MaintenanceRuleFields {
  id: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** `GET /assets/{id}/maintenance`: the rule that applies, the visits ahead and the ones that fell due. */
export interface AssetMaintenanceView {
  assetId: string;
  productType: string;
  rule: MaintenanceRuleView | null;
  vip: boolean;
  /** Why the asset counts as VIP: its own flag, or its owner's `vip`-tier service contract. */
  vipSource: 'asset' | 'contract' | null;
  /** The day the asset came under its rule; visits before it are never due. */
  trackingSince: string | null;
  next: MaintenanceOccurrence[];
  past: MaintenanceVisit[];
}

/** Payload of a maintenance timer. */
export interface MaintenanceTimerPayload {
  assetId: string;
  dueOn: string;
  reasons: MaintenanceReason[];
  ruleId: string;
  vip: boolean;
}

export function toRuleView(rule: MaintenanceRuleFields & { id: string }, revision: number, times: { createdAt: string; updatedAt: string }): MaintenanceRuleView {
  return {
    id: rule.id,
    productType: rule.productType,
    every: rule.every,
    anchor: rule.anchor,
    vipEvery: rule.vipEvery,
    beforeWarrantyEndDays: rule.beforeWarrantyEndDays,
    revision,
    createdAt: times.createdAt,
    updatedAt: times.updatedAt,
  };
}

const ruleClaim = (tenantId: string, productType: string) => `${tenantId}:maintenance-rule:${productTypeKey(productType)}`;

const REASON_TEXT: Record<MaintenanceReason, string> = {
  anniversary: 'scheduled anniversary visit',
  warranty_end: 'the warranty ends soon',
};

/** Maintenance rules, the per-asset schedule view, and what happens when a visit falls due. */
export class MaintenanceService {
  private readonly rules: EventSourcedCommandHandler<MaintenanceRuleCommand, MaintenanceRuleState, MaintenanceRuleEvent>;

  constructor(
    store: EventStore,
    private readonly readStore: ReadStore,
    private readonly assets: AssetsService,
    private readonly uniqueKeys: UniqueKeys,
    private readonly ticketDesk: CustomerCareTicketDesk,
    private readonly newId: () => string = newRecordId,
  ) {
    this.rules = new EventSourcedCommandHandler(store, maintenanceRuleDecider);
  }

  async create(context: CommandContext, input: MaintenanceRuleInput): Promise<WriteResult<MaintenanceRuleView>> {
    const ruleId = this.newId();
    const claim = input.productType?.trim() ? ruleClaim(context.tenantId, input.productType) : null;
    if (claim) await this.uniqueKeys.claim(claim, ruleId, 'productType', (owner) => this.holdsProductType(context.tenantId, owner, claim));
    try {
      return await this.run(context, ruleId, { type: 'CreateMaintenanceRule', ruleId, input });
    } catch (error) {
      if (claim) await this.uniqueKeys.release(claim, ruleId);
      throw error;
    }
  }

  async replace(context: CommandContext, ruleId: string, input: MaintenanceRuleInput): Promise<WriteResult<MaintenanceRuleView>> {
    const current = await this.get(context.tenantId, ruleId);
    const oldClaim = ruleClaim(context.tenantId, current.productType);
    const newClaim = input.productType?.trim() ? ruleClaim(context.tenantId, input.productType) : oldClaim;
    if (newClaim === oldClaim) return this.run(context, ruleId, { type: 'ReplaceMaintenanceRule', input });
    await this.uniqueKeys.claim(newClaim, ruleId, 'productType', (owner) => this.holdsProductType(context.tenantId, owner, newClaim));
    let result: WriteResult<MaintenanceRuleView>;
    try {
      result = await this.run(context, ruleId, { type: 'ReplaceMaintenanceRule', input });
    } catch (error) {
      await this.uniqueKeys.release(newClaim, ruleId);
      throw error;
    }
    await this.uniqueKeys.release(oldClaim, ruleId);
    return result;
  }

  async delete(context: CommandContext, ruleId: string): Promise<{ position: number }> {
    const current = await this.get(context.tenantId, ruleId);
    const result = await this.rules.handle(maintenanceRuleStream(context.tenantId, ruleId), { type: 'DeleteMaintenanceRule' }, context);
    await this.uniqueKeys.release(ruleClaim(context.tenantId, current.productType), ruleId);
    return { position: result.position };
  }

  get(tenantId: string, ruleId: string, asOf?: string): Promise<MaintenanceRuleView> {
    return loadView(
      this.rules,
      maintenanceRuleStream(tenantId, ruleId),
      'Maintenance rule',
      (state, revision, events) => toRuleView({ ...state, id: state.id as string }, revision, timestamps(events)),
      asOf,
    );
  }

  async history(tenantId: string, ruleId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.rules.load(maintenanceRuleStream(tenantId, ruleId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Maintenance rule not found');
    return toHistory(events, MAINTENANCE_RULE_FIELDS_BY_EVENT, 'ruleId');
  }

  async list(tenantId: string, filter: { productType?: string; limit?: number; cursor?: string }): Promise<ListResult<MaintenanceRuleView>> {
    const query: Filter = { tenantId, deleted: false };
    if (filter.productType) query.productTypeKey = productTypeKey(filter.productType);
    const page = await this.readStore.collection<MaintenanceRuleDocument>(MAINTENANCE_RULES_COLLECTION).findPage(query, {
      sort: { productTypeKey: 1 },
      limit: filter.limit ?? 50,
      cursor: filter.cursor,
    });
    return { items: page.items.map((document) => toRuleView(document, document.revision, document)), nextCursor: page.nextCursor };
  }

  /** The asset's schedule: the next visits computed from its rule as the timers see it, and the visits recorded on the asset. */
  async scheduleOf(tenantId: string, assetId: string, upcoming = 3): Promise<AssetMaintenanceView> {
    const asset = await this.assets.load(tenantId, assetId);
    if (!asset) throw new DomainError('not_found', 'Asset not found');
    const schedule = await this.readStore.collection<MaintenanceScheduleDocument>(MAINTENANCE_SCHEDULES_COLLECTION).findOne({ _id: documentId(tenantId, assetId) });
    const ruleDocument = schedule?.ruleId
      ? await this.readStore.collection<MaintenanceRuleDocument>(MAINTENANCE_RULES_COLLECTION).findOne({ _id: documentId(tenantId, schedule.ruleId), deleted: false })
      : null;
    const rule = ruleDocument ? toRuleView(ruleDocument, ruleDocument.revision, ruleDocument) : null;
    const vip = schedule?.vip ?? asset.vip;
    const lastDueOn = asset.maintenance.reduce<string | null>((last, visit) => (!last || visit.dueOn > last ? visit.dueOn : last), null);
    const next =
      rule && schedule?.trackingSince
        ? upcomingMaintenance(rule, { purchaseDate: asset.purchaseDate, installDate: asset.installDate, warrantyEnd: asset.warrantyEnd, vip }, scheduleFrom(schedule.trackingSince, lastDueOn), upcoming)
        : [];
    return {
      assetId,
      productType: asset.productType,
      rule,
      vip,
      vipSource: schedule?.vipSource ?? (asset.vip ? 'asset' : null),
      trackingSince: schedule?.trackingSince ?? null,
      next,
      past: [...asset.maintenance].sort((left, right) => right.dueOn.localeCompare(left.dueOn)),
    };
  }

  /**
   * A maintenance timer fired: open the visit's ticket, then record the visit on the asset. The ticket id
   * is derived from the asset and the due date, and opening an existing ticket changes nothing, so a
   * timer delivered twice, or a crash between the two steps, still ends with exactly one ticket. The
   * visit is recorded last because recording it moves the timer on to the next visit.
   */
  async maintenanceDue(timer: DueTimer): Promise<void> {
    const payload = timer.payload as unknown as MaintenanceTimerPayload;
    const context = systemContext(timer.tenantId, timer.key);
    const asset = await this.assets.load(timer.tenantId, payload.assetId);
    if (!asset) return;
    const recorded = asset.maintenance.find((visit) => visit.dueOn === payload.dueOn);
    const visit: MaintenanceVisit = recorded ?? {
      dueOn: payload.dueOn,
      reasons: payload.reasons,
      ruleId: payload.ruleId,
      ticketId: maintenanceTicketId(timer.tenantId, payload.assetId, payload.dueOn),
      vip: payload.vip,
    };
    const reasons = visit.reasons.map((reason) => REASON_TEXT[reason]).join('; ');
    await this.ticketDesk.openMaintenanceTicket(context, {
      ticketId: visit.ticketId,
      subject: `Proactive maintenance due ${visit.dueOn}: ${asset.productName} (${asset.serialNumber})`,
      description: [
        `Proactive maintenance visit for ${asset.productName} (${asset.productType}), serial number ${asset.serialNumber}.`,
        `Due on ${visit.dueOn}: ${reasons}${visit.vip ? ' (VIP customer)' : ''}.`,
        `Location: ${asset.location}. Purchased ${asset.purchaseDate}${asset.installDate ? `, installed ${asset.installDate}` : ''}; warranty ends ${asset.warrantyEnd}.`,
      ].join('\n'),
      requesterContactId: asset.ownerContactId,
      companyId: asset.companyId,
      maintenanceOf: payload.assetId,
    });
    if (!recorded) await this.assets.recordMaintenanceDue(context, payload.assetId, visit);
  }

  private async holdsProductType(tenantId: string, ruleId: string, claim: string): Promise<boolean> {
    const { state } = await this.rules.load(maintenanceRuleStream(tenantId, ruleId));
    return state.lifecycle === 'active' && ruleClaim(tenantId, state.productType) === claim;
  }

  private async run(context: CommandContext, ruleId: string, command: MaintenanceRuleCommand): Promise<WriteResult<MaintenanceRuleView>> {
    const result = await this.rules.handle(maintenanceRuleStream(context.tenantId, ruleId), command, context);
    const view = toRuleView({ ...result.state, id: result.state.id as string }, result.revision, timestampsAfter(result));
    return { view, revision: result.revision, position: result.position };
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The id of the maintenance ticket of one asset's visit on one day: shaped like a ULID (the due date as
 * its time part, so it sorts with tickets opened that day; a hash of tenant, asset and date as the rest),
 * the same on every retry.
 */
export function maintenanceTicketId(tenantId: string, assetId: string, dueOn: string): string {
  let time = Date.parse(startOfDateUtc(dueOn));
  let timePart = '';
  for (let index = 0; index < 10; index++) {
    timePart = CROCKFORD[time % 32] + timePart;
    time = Math.floor(time / 32);
  }
  const hash = createHash('sha256').update(`${tenantId}/${assetId}/${dueOn}`).digest();
  let randomPart = '';
  for (let index = 0; index < 16; index++) randomPart += CROCKFORD[hash[index] % 32];
  return timePart + randomPart;
}

/** Commands run by customer care's own timers and consumers, not by a person. */
export function systemContext(tenantId: string, correlationId: string, causationId = correlationId): CommandContext {
  return { tenantId, actorId: 'system:customer-care', correlationId, causationId };
}

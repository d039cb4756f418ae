import { type Decider, DomainError } from '@crm/decider';
import { intervalMonths, MAINTENANCE_ANCHORS, type MaintenanceAnchor, type MaintenanceInterval, type MaintenancePlan } from './maintenance-schedule';

/**
 * A proactive maintenance rule: for every asset of one product type, a visit on the anchor's
 * anniversaries (every N years or months, another cadence for VIP customers) and/or N days before the
 * warranty ends. One rule per product type and tenant (the application keeps the product type unique).
 */
export interface MaintenanceRuleFields extends MaintenancePlan {
  productType: string;
}

export interface MaintenanceRuleInput {
  productType?: string;
  every?: MaintenanceInterval | null;
  anchor?: MaintenanceAnchor;
  vipEvery?: MaintenanceInterval | null;
  beforeWarrantyEndDays?: number | null;
}

export interface MaintenanceRuleState extends MaintenanceRuleFields {
  id: string | null;
  lifecycle: 'absent' | 'active' | 'deleted';
}

export type MaintenanceRuleCommand =
  | { type: 'CreateMaintenanceRule'; ruleId: string; input: MaintenanceRuleInput }
  | { type: 'ReplaceMaintenanceRule'; input: MaintenanceRuleInput }
  | { type: 'DeleteMaintenanceRule' };

export type MaintenanceRuleEvent =
  | { type: 'MaintenanceRuleCreated'; data: { ruleId: string } & MaintenanceRuleFields }
  | { type: 'MaintenanceRuleReplaced'; data: { ruleId: string } & MaintenanceRuleFields }
  | { type: 'MaintenanceRuleDeleted'; data: { ruleId: string } };

/** At most 50 years between visits, at most 10 years' notice before a warranty ends. */
const MAX_INTERVAL_MONTHS = 600;
const MAX_WARRANTY_NOTICE_DAYS = 3650;

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

/** Product types match without regard to case or surrounding spaces: `Boiler ` and `boiler` are one type. */
export const productTypeKey = (productType: string): string => productType.trim().toLowerCase();

export function normaliseProductType(productType: string | undefined): string {
  const value = productType?.trim() ?? '';
  if (!value) throw invalid('productType', 'must not be empty');
  if (value.length > 100) throw invalid('productType', 'at most 100 characters');
  return value;
}

function normaliseInterval(interval: MaintenanceInterval | null | undefined, field: string): MaintenanceInterval | null {
  if (interval === null || interval === undefined) return null;
  const result: MaintenanceInterval = {};
  for (const unit of ['years', 'months'] as const) {
    const value = interval[unit];
    if (value === undefined || value === null) continue;
    if (!Number.isInteger(value) || value < 0) throw invalid(`${field}.${unit}`, 'must be a whole number, 0 or more');
    if (value > 0) result[unit] = value;
  }
  const months = intervalMonths(result);
  if (months === 0) throw invalid(field, 'needs years or months greater than 0');
  if (months > MAX_INTERVAL_MONTHS) throw invalid(field, 'at most 50 years');
  return result;
}

function normaliseRule(input: MaintenanceRuleInput): MaintenanceRuleFields {
  const anchor = input.anchor ?? 'purchaseDate';
  if (!MAINTENANCE_ANCHORS.includes(anchor)) throw invalid('anchor', `one of ${MAINTENANCE_ANCHORS.join(', ')}`);
  const days = input.beforeWarrantyEndDays ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 0 || days > MAX_WARRANTY_NOTICE_DAYS)) {
    throw invalid('beforeWarrantyEndDays', `a whole number of days from 0 to ${MAX_WARRANTY_NOTICE_DAYS}`);
  }
  const rule: MaintenanceRuleFields = {
    productType: normaliseProductType(input.productType),
    every: normaliseInterval(input.every, 'every'),
    anchor,
    vipEvery: normaliseInterval(input.vipEvery, 'vipEvery'),
    beforeWarrantyEndDays: days,
  };
  if (!rule.every && !rule.vipEvery && rule.beforeWarrantyEndDays === null) {
    throw invalid('every', 'a rule needs every, vipEvery or beforeWarrantyEndDays');
  }
  return rule;
}

const sameRule = (left: MaintenanceRuleFields, right: MaintenanceRuleFields) => JSON.stringify(left) === JSON.stringify(right);

function decide(command: MaintenanceRuleCommand, state: MaintenanceRuleState): MaintenanceRuleEvent[] {
  if (command.type === 'CreateMaintenanceRule') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Maintenance rule ${command.ruleId} already exists`);
    return [{ type: 'MaintenanceRuleCreated', data: { ruleId: command.ruleId, ...normaliseRule(command.input) } }];
  }
  if (state.lifecycle !== 'active' || !state.id) throw new DomainError('not_found', 'Maintenance rule not found');
  switch (command.type) {
    case 'ReplaceMaintenanceRule': {
      const rule = normaliseRule(command.input);
      const { id: _id, lifecycle: _lifecycle, ...current } = state;
      return sameRule(rule, current) ? [] : [{ type: 'MaintenanceRuleReplaced', data: { ruleId: state.id, ...rule } }];
    }
    case 'DeleteMaintenanceRule':
      return [{ type: 'MaintenanceRuleDeleted', data: { ruleId: state.id } }];
  }
}

function evolve(state: MaintenanceRuleState, event: MaintenanceRuleEvent): MaintenanceRuleState {
  switch (event.type) {
    case 'MaintenanceRuleCreated':
    case 'MaintenanceRuleReplaced': {
      const { ruleId, ...rule } = event.data;
      return { ...rule, id: ruleId, lifecycle: 'active' };
    }
    case 'MaintenanceRuleDeleted':
      return { ...state, lifecycle: 'deleted' };
    default:
      return state;
  }
}

export const maintenanceRuleDecider: Decider<MaintenanceRuleCommand, MaintenanceRuleState, MaintenanceRuleEvent> = {
  initialState: () => ({ id: null, lifecycle: 'absent', productType: '', every: null, anchor: 'purchaseDate', vipEvery: null, beforeWarrantyEndDays: null }),
  decide,
  evolve,
};

export const MAINTENANCE_RULE_FIELDS_BY_EVENT: Record<MaintenanceRuleEvent['type'], string[]> = {
  MaintenanceRuleCreated: [],
  MaintenanceRuleReplaced: ['productType', 'every', 'anchor', 'vipEvery', 'beforeWarrantyEndDays'],
  MaintenanceRuleDeleted: [],
};

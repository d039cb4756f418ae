import type { Document } from '@crm/readstore';
import { DurableTimerSet } from '@crm/runtime';
import type { AssetFields, MaintenanceVisit } from '../domain/asset';
import type { Entitlements, EntitlementUsage, TicketCoverage } from '../domain/entitlement';
import type { MaintenanceInterval, MaintenanceAnchor, MaintenanceReason } from '../domain/maintenance-schedule';
import type { ContractCustomer } from '../domain/service-contract';

/** Collections of the customer-care read models (versioned: a new version is a rebuild into a new name). */
export const CONTRACTS_COLLECTION = 'service_contracts_v1';
export const CONTRACT_TICKETS_COLLECTION = 'service_contract_tickets_v1';
export const ASSETS_COLLECTION = 'customer_assets_v1';
export const MAINTENANCE_RULES_COLLECTION = 'maintenance_rules_v1';
export const MAINTENANCE_SCHEDULES_COLLECTION = 'maintenance_schedules_v1';
export const MAINTENANCE_VIP_CONTRACTS_COLLECTION = 'maintenance_vip_contracts_v1';
/** Claims on unique values (serial numbers, rule product types); written by the application, not a projection. */
export const UNIQUE_KEYS_COLLECTION = 'customer_care_unique_keys';

export const CONTRACTS_PROJECTION = 'service.customer-care.contracts.v1';
export const ASSETS_PROJECTION = 'service.customer-care.assets.v1';
export const MAINTENANCE_PROJECTION = 'service.customer-care.maintenance.v1';

/** Renewal reminders of service contracts, one timer per contract and offset. */
export const renewalReminderTimers = new DurableTimerSet('care-contract-renewal');
/** Work to do right after a ticket opened: record it against the customer's contract and flag it if not covered. */
export const ticketCoverageTimers = new DurableTimerSet('care-ticket-coverage');
/** The next proactive maintenance visit of each asset. */
export const maintenanceTimers = new DurableTimerSet('care-asset-maintenance');

export const documentId = (tenantId: string, id: string): string => `${tenantId}:${id}`;

export interface ContractDocument extends Document {
  tenantId: string;
  id: string;
  customer: ContractCustomer;
  /** The contact and company ids, for `?customer=` and the lookups by customer. */
  customerIds: string[];
  tier: string;
  startDate: string;
  endDate: string;
  coveredAssetIds: string[];
  entitlements: Entitlements;
  renewalReminderOffsetsDays: number[];
  cancelledOn: string | null;
  cancellationReason: string | null;
  term: number;
  termStartDate: string;
  usage: EntitlementUsage;
  remindersSent: string[];
  relinkedFrom: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** Which contract a ticket was recorded against, so a repeated coverage check goes to the same contract. */
export interface ContractTicketDocument extends Document {
  tenantId: string;
  ticketId: string;
  contractId: string;
  coverage: TicketCoverage;
}

export interface AssetDocument extends Document, AssetFields {
  tenantId: string;
  id: string;
  serialKey: string;
  productTypeKey: string;
  relinkedFrom: string | null;
  maintenance: MaintenanceVisit[];
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface MaintenanceRuleDocument extends Document {
  tenantId: string;
  id: string;
  productType: string;
  productTypeKey: string;
  /** The product type the rule covered before its last change (its assets were rescheduled too). */
  previousProductTypeKey: string | null;
  every: MaintenanceInterval | null;
  anchor: MaintenanceAnchor;
  vipEvery: MaintenanceInterval | null;
  beforeWarrantyEndDays: number | null;
  deleted: boolean;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** Per asset: what its maintenance schedule depends on and where it stands. */
export interface MaintenanceScheduleFields {
  tenantId: string;
  assetId: string;
  productTypeKey: string;
  purchaseDate: string;
  installDate: string | null;
  warrantyEnd: string | null;
  assetVip: boolean;
  ownerContactId: string;
  companyId: string | null;
  ruleId: string | null;
  /** The day the asset came under its current rule: visits before it are never due. */
  trackingSince: string | null;
  lastDueOn: string | null;
  vip: boolean;
  vipSource: 'asset' | 'contract' | null;
  nextDueOn: string | null;
  nextReasons: MaintenanceReason[];
}

export interface MaintenanceScheduleDocument extends Document, MaintenanceScheduleFields {}

/** Contracts as the maintenance schedule needs them (their tier makes a customer VIP). */
export interface VipContractFields {
  tenantId: string;
  contractId: string;
  customerIds: string[];
  tier: string;
  startDate: string;
  endDate: string;
  cancelledOn: string | null;
}

export interface VipContractDocument extends Document, VipContractFields {}

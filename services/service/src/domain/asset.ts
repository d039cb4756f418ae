import { type Decider, DomainError } from '@crm/decider';
import { normaliseProductType } from './maintenance-rule';
import { checkDate, type MaintenanceReason } from './maintenance-schedule';

/** An installed product a customer owns: what proactive service is planned around. */
export interface AssetFields {
  productType: string;
  productName: string;
  /** Unique per tenant, compared without case or surrounding spaces (the application reserves it). */
  serialNumber: string;
  purchaseDate: string;
  installDate: string | null;
  warrantyEnd: string;
  /** Where the product is installed: an address or a site name. */
  location: string;
  ownerContactId: string;
  companyId: string | null;
  /** Set by hand; an owner whose service contract has the `vip` tier is VIP as well (see the maintenance projection). */
  vip: boolean;
}

export interface AssetInput {
  productType?: string;
  productName?: string;
  serialNumber?: string;
  purchaseDate?: string;
  installDate?: string | null;
  warrantyEnd?: string;
  location?: string;
  ownerContactId?: string;
  companyId?: string | null;
  vip?: boolean;
}

/** A maintenance visit that fell due, and the ticket opened for it. */
export interface MaintenanceVisit {
  dueOn: string;
  reasons: MaintenanceReason[];
  ruleId: string;
  ticketId: string;
  vip: boolean;
}

export interface AssetState extends AssetFields {
  id: string | null;
  lifecycle: 'absent' | 'active';
  maintenance: MaintenanceVisit[];
  /** The contact this asset belonged to before a contact merge moved it to the survivor (so an unmerge can move it back). */
  relinkedFrom: string | null;
}

export type AssetCommand =
  | { type: 'RegisterAsset'; assetId: string; input: AssetInput }
  | { type: 'UpdateAsset'; input: AssetInput }
  | { type: 'RecordMaintenanceDue'; visit: MaintenanceVisit }
  | { type: 'RelinkAssetOwner'; fromContactId: string; toContactId: string; reason: 'merged' | 'unmerged' };

export type AssetEvent =
  | { type: 'AssetRegistered'; data: { assetId: string } & AssetFields }
  | { type: 'AssetUpdated'; data: { assetId: string } & Partial<AssetFields> }
  | { type: 'AssetOwnerRelinked'; data: { assetId: string; fromContactId: string; toContactId: string; reason: 'merged' | 'unmerged' } }
  | { type: 'AssetMaintenanceDue'; data: { assetId: string } & MaintenanceVisit };

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

/** Serial numbers are unique without regard to case or surrounding spaces. */
export const serialNumberKey = (serialNumber: string): string => serialNumber.trim().toUpperCase();

function requiredText(value: string | undefined, field: string, max: number): string {
  const trimmed = value?.trim() ?? '';
  if (!trimmed) throw invalid(field, 'must not be empty');
  if (trimmed.length > max) throw invalid(field, `at most ${max} characters`);
  return trimmed;
}

function normaliseSerial(serialNumber: string | undefined): string {
  const value = requiredText(serialNumber, 'serialNumber', 100);
  if (!/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value)) throw invalid('serialNumber', 'printable ASCII characters only');
  return value;
}

/** The whole record as it would be after `input`, checked as a whole (dates depend on each other). */
function normaliseAsset(input: AssetInput, current: AssetFields | null): AssetFields {
  const pick = <K extends keyof AssetFields>(key: K): AssetInput[K] | AssetFields[K] | undefined => (input[key] !== undefined ? input[key] : current?.[key]);
  const purchaseDate = checkDate(pick('purchaseDate') as string | undefined, 'purchaseDate');
  const installRaw = pick('installDate') as string | null | undefined;
  const installDate = installRaw === null || installRaw === undefined || installRaw === '' ? null : checkDate(installRaw, 'installDate');
  const warrantyEnd = checkDate(pick('warrantyEnd') as string | undefined, 'warrantyEnd');
  if (installDate && installDate < purchaseDate) throw invalid('installDate', 'must not be before the purchase date');
  if (warrantyEnd < purchaseDate) throw invalid('warrantyEnd', 'must not be before the purchase date');
  const vip = pick('vip') ?? false;
  if (typeof vip !== 'boolean') throw invalid('vip', 'must be true or false');
  const companyId = (pick('companyId') as string | null | undefined) || null;
  return {
    productType: normaliseProductType(pick('productType') as string | undefined),
    productName: requiredText(pick('productName') as string | undefined, 'productName', 200),
    serialNumber: normaliseSerial(pick('serialNumber') as string | undefined),
    purchaseDate,
    installDate,
    warrantyEnd,
    location: requiredText(pick('location') as string | undefined, 'location', 500),
    ownerContactId: requiredText(pick('ownerContactId') as string | undefined, 'ownerContactId', 64),
    companyId,
    vip,
  };
}

const FIELDS: (keyof AssetFields)[] = [
  'productType',
  'productName',
  'serialNumber',
  'purchaseDate',
  'installDate',
  'warrantyEnd',
  'location',
  'ownerContactId',
  'companyId',
  'vip',
];

function fieldsOf(state: AssetState): AssetFields {
  return Object.fromEntries(FIELDS.map((field) => [field, state[field]])) as unknown as AssetFields;
}

function decide(command: AssetCommand, state: AssetState): AssetEvent[] {
  if (command.type === 'RegisterAsset') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Asset ${command.assetId} already exists`);
    return [{ type: 'AssetRegistered', data: { assetId: command.assetId, ...normaliseAsset(command.input, null) } }];
  }
  if (state.lifecycle !== 'active' || !state.id) throw new DomainError('not_found', 'Asset not found');
  const assetId = state.id;
  switch (command.type) {
    case 'UpdateAsset': {
      const current = fieldsOf(state);
      const next = normaliseAsset(command.input, current);
      const changes: Partial<AssetFields> = {};
      for (const field of FIELDS) if (next[field] !== current[field]) (changes as Record<string, unknown>)[field] = next[field];
      return Object.keys(changes).length === 0 ? [] : [{ type: 'AssetUpdated', data: { assetId, ...changes } }];
    }
    case 'RecordMaintenanceDue': {
      // A timer delivered twice, or fired again after a crash, finds its visit recorded: nothing happens.
      if (state.maintenance.some((visit) => visit.dueOn === command.visit.dueOn)) return [];
      checkDate(command.visit.dueOn, 'dueOn');
      return [{ type: 'AssetMaintenanceDue', data: { assetId, ...command.visit } }];
    }
    case 'RelinkAssetOwner':
      if (state.ownerContactId !== command.fromContactId || command.fromContactId === command.toContactId) return [];
      return [{ type: 'AssetOwnerRelinked', data: { assetId, fromContactId: command.fromContactId, toContactId: command.toContactId, reason: command.reason } }];
  }
}

function evolve(state: AssetState, event: AssetEvent): AssetState {
  switch (event.type) {
    case 'AssetRegistered': {
      const { assetId, ...fields } = event.data;
      return { ...initialState(), ...fields, id: assetId, lifecycle: 'active' };
    }
    case 'AssetUpdated': {
      const { assetId: _assetId, ...changes } = event.data;
      return { ...state, ...changes, relinkedFrom: changes.ownerContactId !== undefined ? null : state.relinkedFrom };
    }
    case 'AssetOwnerRelinked':
      return { ...state, ownerContactId: event.data.toContactId, relinkedFrom: event.data.reason === 'merged' ? event.data.fromContactId : null };
    case 'AssetMaintenanceDue': {
      const { assetId: _assetId, ...visit } = event.data;
      return { ...state, maintenance: [...state.maintenance, visit] };
    }
    default:
      return state;
  }
}

function initialState(): AssetState {
  return {
    id: null,
    lifecycle: 'absent',
    productType: '',
    productName: '',
    serialNumber: '',
    purchaseDate: '',
    installDate: null,
    warrantyEnd: '',
    location: '',
    ownerContactId: '',
    companyId: null,
    vip: false,
    maintenance: [],
    relinkedFrom: null,
  };
}

export const assetDecider: Decider<AssetCommand, AssetState, AssetEvent> = { initialState, decide, evolve };

export const ASSET_FIELDS_BY_EVENT: Partial<Record<AssetEvent['type'], string[]>> = {
  AssetOwnerRelinked: ['ownerContactId'],
  AssetMaintenanceDue: ['maintenance'],
};

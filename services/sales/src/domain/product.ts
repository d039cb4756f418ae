import { type Decider, DomainError } from '@crm/decider';
import { decimalString, parseDecimal } from './money';

export interface ProductFields {
  /** Stock-keeping unit, unique per tenant regardless of letter case. */
  sku: string;
  name: string;
  description: string | null;
  /** What one quantity is: "each", "hour", "licence/month"... */
  unit: string;
  /** Sellable now: an inactive product stays in the catalogue but cannot go on a new quote. */
  active: boolean;
  /** Free label for tax rules, e.g. "standard", "reduced", "exempt". */
  taxCategory: string | null;
  /** Tax a quote line of this product gets unless it says otherwise, 0-100. */
  defaultTaxPercent: string;
}

export interface ProductInput {
  sku?: string;
  name?: string;
  description?: string | null;
  unit?: string;
  active?: boolean;
  taxCategory?: string | null;
  defaultTaxPercent?: string;
}

export interface ProductState extends ProductFields {
  id: string | null;
  lifecycle: 'absent' | 'active' | 'archived';
}

export type ProductCommand =
  | { type: 'CreateProduct'; productId: string; input: ProductInput }
  | { type: 'UpdateProduct'; input: ProductInput }
  | { type: 'ArchiveProduct' }
  | { type: 'RestoreProduct' };

export type ProductEvent =
  | { type: 'ProductCreated'; data: { productId: string } & ProductFields }
  /** Only the fields that changed, with their new values. */
  | { type: 'ProductChanged'; data: { productId: string } & Partial<ProductFields> }
  | { type: 'ProductArchived'; data: { productId: string } }
  | { type: 'ProductRestored'; data: { productId: string } };

export const PRODUCT_EVENT_TYPES = ['ProductCreated', 'ProductChanged', 'ProductArchived', 'ProductRestored'] as const;

const MAX_NAME = 200;
const MAX_DESCRIPTION = 4_000;
const MAX_UNIT = 40;
const MAX_TAX_CATEGORY = 50;
const SKU_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._\-/]{0,62}[A-Za-z0-9])?$/;

export function invalid(field: string, reason: string): DomainError {
  return new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);
}

export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > max) throw invalid(field, `at most ${max} characters`);
  return trimmed || null;
}

export function requiredText(value: string | null | undefined, field: string, max: number, what: string): string {
  const text = optionalText(value, field, max);
  if (!text) throw invalid(field, what);
  return text;
}

/** A percentage 0-100 with at most 4 decimals, as a canonical decimal string ("21.0" → "21"). */
export function normalisePercent(value: string | undefined, field: string): string {
  const parsed = parseDecimal(value ?? '0', { field, maxDecimals: 4 });
  if (parsed.greaterThan(100)) throw invalid(field, 'a percentage between 0 and 100');
  return decimalString(parsed);
}

export function normaliseSku(sku: string | undefined): string {
  const trimmed = sku?.trim() ?? '';
  if (!trimmed) throw invalid('sku', 'a product needs a SKU');
  if (!SKU_PATTERN.test(trimmed)) throw invalid('sku', 'at most 64 letters, digits, ".", "_", "-" or "/", starting and ending with a letter or digit');
  return trimmed;
}

/** The form under which SKUs are unique: "ab-1" and "AB-1" are the same SKU. */
export const skuKey = (sku: string): string => sku.trim().toUpperCase();

function normaliseFields(input: ProductInput, current: ProductFields | null): ProductFields {
  return {
    sku: input.sku !== undefined || !current ? normaliseSku(input.sku) : current.sku,
    name: input.name !== undefined || !current ? requiredText(input.name, 'name', MAX_NAME, 'a product needs a name') : current.name,
    description: input.description !== undefined ? optionalText(input.description, 'description', MAX_DESCRIPTION) : (current?.description ?? null),
    unit: input.unit !== undefined ? (optionalText(input.unit, 'unit', MAX_UNIT) ?? 'each') : (current?.unit ?? 'each'),
    active: input.active ?? current?.active ?? true,
    taxCategory: input.taxCategory !== undefined ? optionalText(input.taxCategory, 'taxCategory', MAX_TAX_CATEGORY) : (current?.taxCategory ?? null),
    defaultTaxPercent:
      input.defaultTaxPercent !== undefined ? normalisePercent(input.defaultTaxPercent, 'defaultTaxPercent') : (current?.defaultTaxPercent ?? '0'),
  };
}

function fieldsOf(state: ProductState): ProductFields {
  const { id: _id, lifecycle: _lifecycle, ...fields } = state;
  return fields;
}

function decide(command: ProductCommand, state: ProductState): ProductEvent[] {
  if (command.type === 'CreateProduct') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Product ${command.productId} already exists`);
    return [{ type: 'ProductCreated', data: { productId: command.productId, ...normaliseFields(command.input, null) } }];
  }
  if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Product not found');
  const productId = state.id!;
  switch (command.type) {
    case 'UpdateProduct': {
      const current = fieldsOf(state);
      const next = normaliseFields(command.input, current);
      const changed: Partial<ProductFields> = {};
      for (const key of Object.keys(next) as (keyof ProductFields)[]) {
        if (next[key] !== current[key]) (changed as Record<string, unknown>)[key] = next[key];
      }
      return Object.keys(changed).length === 0 ? [] : [{ type: 'ProductChanged', data: { productId, ...changed } }];
    }
    case 'ArchiveProduct':
      return state.lifecycle === 'archived' ? [] : [{ type: 'ProductArchived', data: { productId } }];
    case 'RestoreProduct':
      return state.lifecycle === 'active' ? [] : [{ type: 'ProductRestored', data: { productId } }];
  }
}

function evolve(state: ProductState, event: ProductEvent): ProductState {
  switch (event.type) {
    case 'ProductCreated': {
      const { productId, ...fields } = event.data;
      return { ...fields, id: productId, lifecycle: 'active' };
    }
    case 'ProductChanged': {
      const { productId: _productId, ...changed } = event.data;
      return { ...state, ...changed };
    }
    case 'ProductArchived':
      return { ...state, lifecycle: 'archived' };
    case 'ProductRestored':
      return { ...state, lifecycle: 'active' };
    default:
      return state;
  }
}

export const productDecider: Decider<ProductCommand, ProductState, ProductEvent> = {
  initialState: () => ({ id: null, lifecycle: 'absent', sku: '', name: '', description: null, unit: 'each', active: true, taxCategory: null, defaultTaxPercent: '0' }),
  decide,
  evolve,
};

/** A product can go on a new quote or into a price book only while it is active and not archived. */
export const isSellable = (state: Pick<ProductState, 'lifecycle' | 'active'>): boolean => state.lifecycle === 'active' && state.active;

/*
 * SKU reservations: uniqueness in an event-sourced store. Each SKU (by its upper-cased key) has a stream
 * naming the product that holds it; a product takes it before it is created or renamed, with an
 * optimistic append, so two products can never hold one SKU, even when written at the same instant.
 */

export interface SkuReservationState {
  holder: string | null;
}

export type SkuReservationCommand =
  /**
   * `abandonedBy`: a holder the application found not to use this SKU (its creation failed after the
   * reservation, or a rename crashed before releasing the old SKU): the SKU may be taken from that holder,
   * and from no other, so a product that took the SKU meanwhile keeps it.
   */
  | { type: 'ReserveSku'; sku: string; productId: string; abandonedBy: string | null }
  | { type: 'ReleaseSku'; productId: string };

export type SkuReservationEvent =
  | { type: 'SkuReserved'; data: { sku: string; productId: string } }
  | { type: 'SkuReleased'; data: { productId: string } };

export const skuReservationDecider: Decider<SkuReservationCommand, SkuReservationState, SkuReservationEvent> = {
  initialState: () => ({ holder: null }),
  decide(command, state) {
    if (command.type === 'ReleaseSku') return state.holder === command.productId ? [{ type: 'SkuReleased', data: { productId: command.productId } }] : [];
    if (state.holder === command.productId) return [];
    if (state.holder !== null && state.holder !== command.abandonedBy) {
      throw new DomainError('conflict', `SKU ${command.sku} is already used by product ${state.holder}`, [
        { field: 'sku', reason: `already used by product ${state.holder}` },
      ]);
    }
    return [{ type: 'SkuReserved', data: { sku: command.sku, productId: command.productId } }];
  },
  evolve(state, event) {
    switch (event.type) {
      case 'SkuReserved':
        return { holder: event.data.productId };
      case 'SkuReleased':
        return { holder: null };
      default:
        return state;
    }
  },
};

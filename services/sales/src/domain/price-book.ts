import { type Decider, DomainError } from '@crm/decider';
import { formatAmount, normaliseCurrency, parseDecimal } from './money';
import { invalid, optionalText, requiredText } from './product';

/** Unit prices may be finer than the currency's minor unit (0.0125 EUR per message); line amounts are rounded. */
export const UNIT_PRICE_DECIMALS = 6;

export interface PriceBookEntry {
  productId: string;
  /** In the book's currency, e.g. "12.50". */
  unitPrice: string;
}

export interface PriceBookState {
  id: string | null;
  lifecycle: 'absent' | 'active' | 'archived';
  name: string;
  /** ISO 4217; fixed for the life of the book, since every price in it is in this currency. */
  currency: string;
  description: string | null;
  /** productId → unit price. */
  entries: Record<string, string>;
}

export interface PriceBookInput {
  name?: string;
  currency?: string;
  description?: string | null;
}

export type PriceBookCommand =
  | { type: 'CreatePriceBook'; priceBookId: string; input: PriceBookInput }
  | { type: 'UpdatePriceBook'; input: PriceBookInput }
  /** `currency`, when the caller states one, must be the book's. `product` is what the catalogue says of the product. */
  | { type: 'SetPriceBookEntry'; productId: string; unitPrice: string; currency?: string; product: { exists: boolean; sellable: boolean } }
  | { type: 'RemovePriceBookEntry'; productId: string }
  | { type: 'ArchivePriceBook' }
  | { type: 'RestorePriceBook' };

export type PriceBookEvent =
  | { type: 'PriceBookCreated'; data: { priceBookId: string; name: string; currency: string; description: string | null } }
  | { type: 'PriceBookChanged'; data: { priceBookId: string; name?: string; description?: string | null } }
  | { type: 'PriceBookEntrySet'; data: { priceBookId: string; productId: string; unitPrice: string; previousUnitPrice: string | null } }
  | { type: 'PriceBookEntryRemoved'; data: { priceBookId: string; productId: string; previousUnitPrice: string } }
  | { type: 'PriceBookArchived'; data: { priceBookId: string } }
  | { type: 'PriceBookRestored'; data: { priceBookId: string } };

export const PRICE_BOOK_EVENT_TYPES = [
  'PriceBookCreated',
  'PriceBookChanged',
  'PriceBookEntrySet',
  'PriceBookEntryRemoved',
  'PriceBookArchived',
  'PriceBookRestored',
] as const;

const MAX_NAME = 200;
const MAX_DESCRIPTION = 2_000;
const MAX_ENTRIES = 10_000;

/** A unit price in a currency: not negative, at most 6 decimals, written with at least the minor units ("10" EUR → "10.00"). */
export function normaliseUnitPrice(value: string | undefined, currency: string, field = 'unitPrice'): string {
  if (value === undefined) throw invalid(field, 'a unit price is required');
  return formatAmount(parseDecimal(value, { field, maxDecimals: UNIT_PRICE_DECIMALS }), currency);
}

function decide(command: PriceBookCommand, state: PriceBookState): PriceBookEvent[] {
  if (command.type === 'CreatePriceBook') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Price book ${command.priceBookId} already exists`);
    const { input } = command;
    return [
      {
        type: 'PriceBookCreated',
        data: {
          priceBookId: command.priceBookId,
          name: requiredText(input.name, 'name', MAX_NAME, 'a price book needs a name'),
          currency: normaliseCurrency(input.currency),
          description: optionalText(input.description, 'description', MAX_DESCRIPTION),
        },
      },
    ];
  }
  if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Price book not found');
  const priceBookId = state.id!;
  switch (command.type) {
    case 'UpdatePriceBook': {
      const { input } = command;
      if (input.currency !== undefined && normaliseCurrency(input.currency) !== state.currency) {
        throw invalid('currency', `a price book's currency is fixed (${state.currency}): create another book for another currency`);
      }
      const changed: { name?: string; description?: string | null } = {};
      if (input.name !== undefined) {
        const name = requiredText(input.name, 'name', MAX_NAME, 'a price book needs a name');
        if (name !== state.name) changed.name = name;
      }
      if (input.description !== undefined) {
        const description = optionalText(input.description, 'description', MAX_DESCRIPTION);
        if (description !== state.description) changed.description = description;
      }
      return Object.keys(changed).length === 0 ? [] : [{ type: 'PriceBookChanged', data: { priceBookId, ...changed } }];
    }
    case 'SetPriceBookEntry': {
      if (state.lifecycle === 'archived') throw new DomainError('conflict', 'Price book is archived: restore it before changing prices');
      if (command.currency !== undefined && normaliseCurrency(command.currency) !== state.currency) {
        throw new DomainError('invalid', `Currency mismatch: this price book holds ${state.currency} prices`, [
          { field: 'currency', reason: `the book's prices are in ${state.currency}` },
        ]);
      }
      if (!command.product.exists) throw new DomainError('not_found', 'Product not found');
      if (!command.product.sellable) throw invalid('productId', 'the product is archived or inactive');
      const unitPrice = normaliseUnitPrice(command.unitPrice, state.currency);
      const previousUnitPrice = state.entries[command.productId] ?? null;
      if (previousUnitPrice === unitPrice) return [];
      if (previousUnitPrice === null && Object.keys(state.entries).length >= MAX_ENTRIES) {
        throw invalid('productId', `a price book holds at most ${MAX_ENTRIES} prices`);
      }
      return [{ type: 'PriceBookEntrySet', data: { priceBookId, productId: command.productId, unitPrice, previousUnitPrice } }];
    }
    case 'RemovePriceBookEntry': {
      if (state.lifecycle === 'archived') throw new DomainError('conflict', 'Price book is archived: restore it before changing prices');
      const previousUnitPrice = state.entries[command.productId];
      // Removing what is not there is what the caller wanted anyway (a retried DELETE).
      return previousUnitPrice === undefined ? [] : [{ type: 'PriceBookEntryRemoved', data: { priceBookId, productId: command.productId, previousUnitPrice } }];
    }
    case 'ArchivePriceBook':
      return state.lifecycle === 'archived' ? [] : [{ type: 'PriceBookArchived', data: { priceBookId } }];
    case 'RestorePriceBook':
      return state.lifecycle === 'active' ? [] : [{ type: 'PriceBookRestored', data: { priceBookId } }];
  }
}

function evolve(state: PriceBookState, event: PriceBookEvent): PriceBookState {
  switch (event.type) {
    case 'PriceBookCreated': {
      const { priceBookId, ...fields } = event.data;
      return { ...fields, id: priceBookId, lifecycle: 'active', entries: {} };
    }
    case 'PriceBookChanged': {
      const { priceBookId: _priceBookId, ...changed } = event.data;
      return { ...state, ...changed };
    }
    case 'PriceBookEntrySet':
      return { ...state, entries: { ...state.entries, [event.data.productId]: event.data.unitPrice } };
    case 'PriceBookEntryRemoved': {
      const { [event.data.productId]: _removed, ...entries } = state.entries;
      return { ...state, entries };
    }
    case 'PriceBookArchived':
      return { ...state, lifecycle: 'archived' };
    case 'PriceBookRestored':
      return { ...state, lifecycle: 'active' };
    default:
      return state;
  }
}

export const priceBookDecider: Decider<PriceBookCommand, PriceBookState, PriceBookEvent> = {
  initialState: () => ({ id: null, lifecycle: 'absent', name: '', currency: '', description: null, entries: {} }),
  decide,
  evolve,
};

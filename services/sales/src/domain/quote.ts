import { type Decider, DomainError } from '@crm/decider';
import { DateTime } from 'luxon';
import { decimalString, normaliseCurrency, parseDecimal } from './money';
import { normaliseUnitPrice } from './price-book';
import { invalid, normalisePercent, optionalText } from './product';
import { lineAmounts, type QuoteLineAmounts, type QuoteTotals, quoteTotals } from './quote-totals';

export const QUOTE_STATUSES = ['draft', 'sent', 'accepted', 'declined', 'expired'] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

/** A line as stored on a quote (and copied to its order): what was sold, how many, at what price, and its amounts. */
export interface QuoteLine extends QuoteLineAmounts {
  lineId: string;
  productId: string | null;
  sku: string | null;
  name: string;
  description: string | null;
  unit: string | null;
  quantity: string;
  unitPrice: string;
  discountPercent: string;
  taxPercent: string;
}

/** A line as a caller gives it; the application fills in missing line ids before deciding. */
export interface QuoteLineInput {
  lineId: string;
  productId?: string | null;
  name?: string;
  description?: string | null;
  quantity?: string;
  /** Omitted: the price of the product in the quote's price book. */
  unitPrice?: string;
  discountPercent?: string;
  /** Omitted: the product's default tax, or 0 for a free-text line. */
  taxPercent?: string;
}

/** What the catalogue says about a product on a line, looked up by the application before deciding. */
export interface CatalogProduct {
  productId: string;
  sku: string;
  name: string;
  unit: string;
  defaultTaxPercent: string;
  sellable: boolean;
}

export interface PriceBookRef {
  priceBookId: string;
  name: string;
  currency: string;
  archived: boolean;
  /** productId → unit price in `currency`. */
  prices: Record<string, string>;
}

/** The deal a quote is built from, as read by the application. */
export interface DealRef {
  dealId: string;
  currency: string;
  contactId: string | null;
  companyId: string | null;
}

export interface QuoteInput {
  title?: string | null;
  notes?: string | null;
  /** A date ('2026-12-31': valid through the end of that day in `timeZone`) or an ISO-8601 instant. */
  validUntil?: string;
  /** IANA zone for a `validUntil` date; UTC by default. */
  timeZone?: string;
  /** Only for a quote without a deal; a deal's quote is in the deal's currency. */
  currency?: string;
  /** Price book for product lines without a unit price; null removes it (on revision). */
  priceBookId?: string | null;
  /** Replaces all lines. */
  lines?: QuoteLineInput[];
  /** Only for a quote without a deal: the customer. */
  contactId?: string | null;
  companyId?: string | null;
}

/** Catalogue facts a command needs, gathered by the application: the price book in effect and the lines' products. */
export interface QuoteCatalog {
  priceBook: PriceBookRef | null;
  products: Record<string, CatalogProduct>;
}

export type QuoteCommand =
  | { type: 'CreateQuote'; quoteId: string; number: string; now: string; deal: DealRef | null; catalog: QuoteCatalog; input: QuoteInput }
  | { type: 'ReviseQuote'; now: string; catalog: QuoteCatalog; input: QuoteInput }
  | { type: 'SendQuote'; now: string }
  | { type: 'AcceptQuote'; now: string; orderId: string }
  | { type: 'DeclineQuote'; now: string; reason?: string | null }
  /** `timer`: the expiry timer fired; it must change nothing when the quote is no longer waiting for an answer. */
  | { type: 'ExpireQuote'; now: string; trigger: 'timer' | 'request' };

export interface QuoteCreatedData {
  quoteId: string;
  number: string;
  dealId: string | null;
  contactId: string | null;
  companyId: string | null;
  priceBookId: string | null;
  currency: string;
  title: string | null;
  notes: string | null;
  validUntil: string;
  timeZone: string;
  /** The instant the quote stops being acceptable (ISO-8601 UTC). */
  expiresAt: string;
  lines: QuoteLine[];
  totals: QuoteTotals;
}

/** What a revision of a draft changed: only the changed fields are present (lines and totals go together). */
export interface QuoteRevisedData {
  quoteId: string;
  version: number;
  title?: string | null;
  notes?: string | null;
  validUntil?: string;
  timeZone?: string;
  expiresAt?: string;
  priceBookId?: string | null;
  contactId?: string | null;
  companyId?: string | null;
  lines?: QuoteLine[];
  totals?: QuoteTotals;
}

export type QuoteEvent =
  | { type: 'QuoteCreated'; data: QuoteCreatedData }
  | { type: 'QuoteRevised'; data: QuoteRevisedData }
  | { type: 'QuoteSent'; data: { quoteId: string; sentAt: string; expiresAt: string } }
  | { type: 'QuoteAccepted'; data: { quoteId: string; orderId: string; acceptedAt: string } }
  | { type: 'QuoteDeclined'; data: { quoteId: string; reason: string | null; declinedAt: string } }
  | { type: 'QuoteExpired'; data: { quoteId: string; expiresAt: string; expiredAt: string } };

export const QUOTE_EVENT_TYPES = ['QuoteCreated', 'QuoteRevised', 'QuoteSent', 'QuoteAccepted', 'QuoteDeclined', 'QuoteExpired'] as const;

export interface QuoteState extends Omit<QuoteCreatedData, 'quoteId'> {
  id: string | null;
  lifecycle: 'absent' | 'active';
  status: QuoteStatus;
  /** 1 at creation, +1 per revision of the draft; printed on the PDF. */
  version: number;
  sentAt: string | null;
  acceptedAt: string | null;
  orderId: string | null;
  declinedAt: string | null;
  declineReason: string | null;
  expiredAt: string | null;
}

const MAX_TITLE = 200;
const MAX_NOTES = 10_000;
const MAX_LINES = 200;
const MAX_LINE_NAME = 200;
const MAX_LINE_DESCRIPTION = 2_000;
const MAX_REASON = 1_000;
const QUANTITY_DECIMALS = 6;

const emptyTotals = (): QuoteTotals => ({ subtotal: '0', discountTotal: '0', netTotal: '0', taxTotal: '0', taxes: [], grandTotal: '0' });

const blankState = (): QuoteState => ({
  id: null,
  lifecycle: 'absent',
  status: 'draft',
  version: 0,
  number: '',
  dealId: null,
  contactId: null,
  companyId: null,
  priceBookId: null,
  currency: '',
  title: null,
  notes: null,
  validUntil: '',
  timeZone: 'UTC',
  expiresAt: '',
  lines: [],
  totals: emptyTotals(),
  sentAt: null,
  acceptedAt: null,
  orderId: null,
  declinedAt: null,
  declineReason: null,
  expiredAt: null,
});

function normaliseTimeZone(zone: string | undefined): string {
  const value = zone?.trim() || 'UTC';
  if (!DateTime.now().setZone(value).isValid) throw invalid('timeZone', 'must be an IANA time zone such as Europe/Vilnius');
  return value;
}

/**
 * When a quote valid until `validUntil` stops being acceptable: the end of that day in the zone for a date,
 * the instant itself otherwise. It must lie ahead of `now`: a quote that is over before it is sent helps nobody.
 */
export function expiryOf(validUntil: string | undefined, timeZone: string, now: string): { validUntil: string; expiresAt: string } {
  const value = validUntil?.trim() ?? '';
  if (!value) throw invalid('validUntil', 'a quote needs a validity: a date (YYYY-MM-DD) or an instant');
  let expires: DateTime;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    expires = DateTime.fromISO(value, { zone: timeZone }).plus({ days: 1 }).startOf('day');
  } else if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    expires = DateTime.fromISO(value, { setZone: true });
  } else {
    throw invalid('validUntil', 'must be a date (YYYY-MM-DD) or an ISO-8601 instant with its offset');
  }
  if (!expires.isValid) throw invalid('validUntil', 'is not a real date or instant');
  const expiresAt = expires.toUTC().toISO()!;
  if (Date.parse(expiresAt) <= Date.parse(now)) throw invalid('validUntil', 'must lie in the future');
  return { validUntil: value, expiresAt };
}

function normaliseId(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed || null;
}

/** Prices every line in the quote's currency: the line's own price first, then the price book's, else refused. */
export function priceLines(inputs: QuoteLineInput[], currency: string, catalog: QuoteCatalog): QuoteLine[] {
  if (inputs.length === 0) throw invalid('lines', 'a quote needs at least one line');
  if (inputs.length > MAX_LINES) throw invalid('lines', `at most ${MAX_LINES} lines`);
  const seen = new Set<string>();
  return inputs.map((input, index) => {
    const at = `lines[${index}]`;
    if (!input.lineId || seen.has(input.lineId)) throw invalid(`${at}.lineId`, 'line ids must be unique');
    seen.add(input.lineId);
    const productId = normaliseId(input.productId);
    const product = productId ? catalog.products[productId] : undefined;
    if (productId && !product) throw invalid(`${at}.productId`, 'no such product');
    if (product && !product.sellable) throw invalid(`${at}.productId`, `product ${product.sku} is archived or inactive`);
    const name = optionalText(input.name, `${at}.name`, MAX_LINE_NAME) ?? product?.name;
    if (!name) throw invalid(`${at}.name`, 'a line without a product needs a name');
    const quantity = parseDecimal(input.quantity ?? '1', { field: `${at}.quantity`, maxDecimals: QUANTITY_DECIMALS });
    if (quantity.isZero()) throw invalid(`${at}.quantity`, 'must be greater than zero');
    let unitPrice: string;
    if (input.unitPrice !== undefined) {
      unitPrice = normaliseUnitPrice(input.unitPrice, currency, `${at}.unitPrice`);
    } else {
      const listed = productId ? catalog.priceBook?.prices[productId] : undefined;
      if (listed === undefined) {
        const reason = !productId
          ? 'a line without a product needs a unit price'
          : catalog.priceBook
            ? `price book ${catalog.priceBook.name} has no price for this product: give a unit price`
            : 'give a unit price, or a price book that lists this product';
        throw invalid(`${at}.unitPrice`, reason);
      }
      unitPrice = normaliseUnitPrice(listed, currency, `${at}.unitPrice`);
    }
    const priced = {
      quantity: decimalString(quantity),
      unitPrice,
      discountPercent: normalisePercent(input.discountPercent, `${at}.discountPercent`),
      taxPercent: normalisePercent(input.taxPercent ?? product?.defaultTaxPercent, `${at}.taxPercent`),
    };
    return {
      lineId: input.lineId,
      productId,
      sku: product?.sku ?? null,
      name,
      description: optionalText(input.description, `${at}.description`, MAX_LINE_DESCRIPTION),
      unit: product?.unit ?? null,
      ...priced,
      ...lineAmounts(priced, currency),
    };
  });
}

/** A price book can price a quote only in the quote's own currency. */
function checkPriceBook(priceBook: PriceBookRef | null, currency: string, currencySource: string): void {
  if (!priceBook) return;
  if (priceBook.archived) throw invalid('priceBookId', `price book ${priceBook.name} is archived`);
  if (priceBook.currency !== currency) {
    throw new DomainError('invalid', `Currency mismatch: price book ${priceBook.name} is in ${priceBook.currency}, ${currencySource} in ${currency}`, [
      { field: 'priceBookId', reason: `the price book is in ${priceBook.currency}, ${currencySource} in ${currency}` },
    ]);
  }
}

function create(command: Extract<QuoteCommand, { type: 'CreateQuote' }>, state: QuoteState): QuoteEvent[] {
  if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Quote ${command.quoteId} already exists`);
  const { input, deal, catalog } = command;
  const requestedCurrency = input.currency !== undefined ? normaliseCurrency(input.currency) : null;
  if (deal && requestedCurrency && requestedCurrency !== deal.currency) {
    throw new DomainError('invalid', `Currency mismatch: the deal is in ${deal.currency}`, [
      { field: 'currency', reason: `a quote is in its deal's currency (${deal.currency})` },
    ]);
  }
  if (deal && (input.contactId !== undefined || input.companyId !== undefined)) {
    throw invalid(input.contactId !== undefined ? 'contactId' : 'companyId', "a deal's quote is addressed to the deal's contact and company");
  }
  const currency = deal?.currency ?? requestedCurrency ?? catalog.priceBook?.currency;
  if (!currency) throw invalid('currency', 'a quote without a deal needs a currency (or a price book)');
  checkPriceBook(catalog.priceBook, currency, deal ? 'the deal' : 'the quote');
  const timeZone = normaliseTimeZone(input.timeZone);
  const validity = expiryOf(input.validUntil, timeZone, command.now);
  const lines = priceLines(input.lines ?? [], currency, catalog);
  return [
    {
      type: 'QuoteCreated',
      data: {
        quoteId: command.quoteId,
        number: command.number,
        dealId: deal?.dealId ?? null,
        contactId: deal ? deal.contactId : normaliseId(input.contactId),
        companyId: deal ? deal.companyId : normaliseId(input.companyId),
        priceBookId: catalog.priceBook?.priceBookId ?? null,
        currency,
        title: optionalText(input.title, 'title', MAX_TITLE),
        notes: optionalText(input.notes, 'notes', MAX_NOTES),
        validUntil: validity.validUntil,
        timeZone,
        expiresAt: validity.expiresAt,
        lines,
        totals: quoteTotals(lines, currency),
      },
    },
  ];
}

function revise(command: Extract<QuoteCommand, { type: 'ReviseQuote' }>, state: QuoteState): QuoteEvent[] {
  if (state.status !== 'draft') throw new DomainError('conflict', `Quote is ${state.status}: only a draft can be revised`);
  const { input, catalog } = command;
  if (input.currency !== undefined && normaliseCurrency(input.currency) !== state.currency) {
    throw new DomainError('invalid', `Currency mismatch: the quote is in ${state.currency}`, [
      { field: 'currency', reason: `a quote's currency is fixed (${state.currency}); create a new quote for another currency` },
    ]);
  }
  if (state.dealId && (input.contactId !== undefined || input.companyId !== undefined)) {
    throw invalid(input.contactId !== undefined ? 'contactId' : 'companyId', "a deal's quote is addressed to the deal's contact and company");
  }
  const changes: Omit<QuoteRevisedData, 'quoteId' | 'version'> = {};
  if (input.title !== undefined) {
    const title = optionalText(input.title, 'title', MAX_TITLE);
    if (title !== state.title) changes.title = title;
  }
  if (input.notes !== undefined) {
    const notes = optionalText(input.notes, 'notes', MAX_NOTES);
    if (notes !== state.notes) changes.notes = notes;
  }
  if (input.validUntil !== undefined || input.timeZone !== undefined) {
    const timeZone = input.timeZone !== undefined ? normaliseTimeZone(input.timeZone) : state.timeZone;
    const validity = expiryOf(input.validUntil ?? state.validUntil, timeZone, command.now);
    if (validity.validUntil !== state.validUntil) changes.validUntil = validity.validUntil;
    if (timeZone !== state.timeZone) changes.timeZone = timeZone;
    if (validity.expiresAt !== state.expiresAt) changes.expiresAt = validity.expiresAt;
  }
  if (input.priceBookId !== undefined) {
    checkPriceBook(catalog.priceBook, state.currency, 'the quote');
    const priceBookId = catalog.priceBook?.priceBookId ?? null;
    if (priceBookId !== state.priceBookId) changes.priceBookId = priceBookId;
  }
  for (const field of ['contactId', 'companyId'] as const) {
    if (input[field] === undefined) continue;
    const id = normaliseId(input[field]);
    if (id !== state[field]) changes[field] = id;
  }
  if (input.lines !== undefined) {
    const lines = priceLines(input.lines, state.currency, catalog);
    if (JSON.stringify(lines) !== JSON.stringify(state.lines)) {
      changes.lines = lines;
      changes.totals = quoteTotals(lines, state.currency);
    }
  }
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'QuoteRevised', data: { quoteId: state.id!, version: state.version + 1, ...changes } }];
}

const isPast = (expiresAt: string, now: string): boolean => Date.parse(now) >= Date.parse(expiresAt);

function send(command: Extract<QuoteCommand, { type: 'SendQuote' }>, state: QuoteState): QuoteEvent[] {
  if (state.status !== 'draft') throw new DomainError('conflict', `Quote is ${state.status}: only a draft can be sent`);
  if (isPast(state.expiresAt, command.now)) {
    throw new DomainError('conflict', `Quote was valid until ${state.validUntil}: revise its validity before sending it`);
  }
  return [{ type: 'QuoteSent', data: { quoteId: state.id!, sentAt: command.now, expiresAt: state.expiresAt } }];
}

function accept(command: Extract<QuoteCommand, { type: 'AcceptQuote' }>, state: QuoteState): QuoteEvent[] {
  if (state.status === 'accepted') throw new DomainError('conflict', `Quote is already accepted (order ${state.orderId})`);
  if (state.status === 'expired') throw new DomainError('conflict', `Quote expired at ${state.expiredAt}: it can no longer be accepted`);
  if (state.status !== 'sent') throw new DomainError('conflict', `Quote is ${state.status}: only a sent quote can be accepted`);
  // The expiry timer may not have fired yet: the validity decides, not the timer.
  if (isPast(state.expiresAt, command.now)) throw new DomainError('conflict', `Quote expired at ${state.expiresAt}: it can no longer be accepted`);
  return [{ type: 'QuoteAccepted', data: { quoteId: state.id!, orderId: command.orderId, acceptedAt: command.now } }];
}

function decline(command: Extract<QuoteCommand, { type: 'DeclineQuote' }>, state: QuoteState): QuoteEvent[] {
  if (state.status !== 'sent') throw new DomainError('conflict', `Quote is ${state.status}: only a sent quote can be declined`);
  const reason = optionalText(command.reason, 'reason', MAX_REASON);
  return [{ type: 'QuoteDeclined', data: { quoteId: state.id!, reason, declinedAt: command.now } }];
}

function expire(command: Extract<QuoteCommand, { type: 'ExpireQuote' }>, state: QuoteState): QuoteEvent[] {
  if (command.trigger === 'timer') {
    // A timer delivered twice, or late after an answer: nothing left to do.
    if (state.status !== 'sent' || !isPast(state.expiresAt, command.now)) return [];
  } else {
    if (state.status === 'expired') return [];
    if (state.status !== 'sent') throw new DomainError('conflict', `Quote is ${state.status}: only a sent quote expires`);
    if (!isPast(state.expiresAt, command.now)) throw new DomainError('conflict', `Quote is valid until ${state.expiresAt}`);
  }
  return [{ type: 'QuoteExpired', data: { quoteId: state.id!, expiresAt: state.expiresAt, expiredAt: command.now } }];
}

function decide(command: QuoteCommand, state: QuoteState): QuoteEvent[] {
  if (command.type === 'CreateQuote') return create(command, state);
  if (state.lifecycle === 'absent') {
    // An expiry timer left by a projection rebuild for a quote that is not there: nothing to expire.
    if (command.type === 'ExpireQuote' && command.trigger === 'timer') return [];
    throw new DomainError('not_found', 'Quote not found');
  }
  switch (command.type) {
    case 'ReviseQuote':
      return revise(command, state);
    case 'SendQuote':
      return send(command, state);
    case 'AcceptQuote':
      return accept(command, state);
    case 'DeclineQuote':
      return decline(command, state);
    case 'ExpireQuote':
      return expire(command, state);
  }
}

function evolve(state: QuoteState, event: QuoteEvent): QuoteState {
  switch (event.type) {
    case 'QuoteCreated': {
      const { quoteId, ...fields } = event.data;
      return { ...blankState(), ...fields, id: quoteId, lifecycle: 'active', status: 'draft', version: 1 };
    }
    case 'QuoteRevised': {
      const { quoteId: _quoteId, ...changes } = event.data;
      return { ...state, ...changes };
    }
    case 'QuoteSent':
      return { ...state, status: 'sent', sentAt: event.data.sentAt, expiresAt: event.data.expiresAt };
    case 'QuoteAccepted':
      return { ...state, status: 'accepted', acceptedAt: event.data.acceptedAt, orderId: event.data.orderId };
    case 'QuoteDeclined':
      return { ...state, status: 'declined', declinedAt: event.data.declinedAt, declineReason: event.data.reason };
    case 'QuoteExpired':
      return { ...state, status: 'expired', expiredAt: event.data.expiredAt };
    default:
      return state;
  }
}

export const quoteDecider: Decider<QuoteCommand, QuoteState, QuoteEvent> = {
  initialState: blankState,
  decide,
  evolve,
};

export const QUOTE_FIELDS_BY_EVENT: Partial<Record<QuoteEvent['type'], string[]>> = {
  QuoteSent: ['status', 'sentAt'],
  QuoteAccepted: ['status', 'acceptedAt', 'orderId'],
  QuoteDeclined: ['status', 'declinedAt', 'declineReason'],
  QuoteExpired: ['status', 'expiredAt'],
};

/**
 * Quote numbers: "Q-2026-00042", one sequence per tenant and year. The application draws the sequence from
 * the revision of an append to a counter stream, so two quotes created at the same instant never share one.
 */
export const formatQuoteNumber = (year: number, sequence: number): string => `Q-${year}-${String(sequence).padStart(5, '0')}`;

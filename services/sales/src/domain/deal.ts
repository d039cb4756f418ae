import { type Decider, DomainError } from '@crm/decider';
import { DateTime } from 'luxon';
import { decimalString, ExactDecimal, formatAmount, type Money, parseDecimal, parseMoney, roundMoney, sameMoney } from './money';

export const STAGE_TYPES = ['open', 'won', 'lost'] as const;
export type StageType = (typeof STAGE_TYPES)[number];

export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'omitted'] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];

export type DealStatus = 'open' | 'won' | 'lost';

/** A product (or free-text item) on a deal. Decimals are strings; percentages are 0-100. */
export interface DealLineItem {
  lineId: string;
  productId: string | null;
  name: string;
  quantity: string;
  unitPrice: string;
  discountPercent: string;
  taxPercent: string;
}

/**
 * A stage as the deal needs to know it when it enters it. The application reads it from the pipeline,
 * so that the deal records the probability the stage had at that moment (forecasts as of a past date
 * depend on it).
 */
export interface StageRef {
  pipelineId: string;
  stageId: string;
  type: StageType;
  probability: number;
}

export interface DealCreatedData {
  dealId: string;
  title: string;
  pipelineId: string;
  stageId: string;
  stageType: StageType;
  /** The stage's win probability (0-100) at creation. */
  probability: number;
  amount: string;
  currency: string;
  /** 'YYYY-MM-DD' */
  expectedCloseDate: string | null;
  ownerId: string | null;
  contactId: string | null;
  companyId: string | null;
  forecastCategory: ForecastCategory;
  lineItems: DealLineItem[];
}

export type ContactRelinkReason = 'contact_merged' | 'contact_unmerged';

export type DealEvent =
  | { type: 'DealCreated'; data: DealCreatedData }
  | {
      type: 'DealStageChanged';
      data: { dealId: string; pipelineId: string; fromStageId: string; toStageId: string; stageType: StageType; probability: number; comment: string | null };
    }
  | { type: 'DealWon'; data: { dealId: string; reason: string; closedOn: string } }
  | { type: 'DealLost'; data: { dealId: string; reason: string; closedOn: string } }
  | { type: 'DealReopened'; data: { dealId: string } }
  | { type: 'DealTitleChanged'; data: { dealId: string; title: string } }
  | { type: 'DealAmountChanged'; data: { dealId: string; amount: string; currency: string } }
  | { type: 'DealExpectedCloseDateChanged'; data: { dealId: string; expectedCloseDate: string | null } }
  | { type: 'DealOwnerChanged'; data: { dealId: string; ownerId: string | null } }
  | { type: 'DealForecastCategoryChanged'; data: { dealId: string; forecastCategory: ForecastCategory } }
  | { type: 'DealLineItemsChanged'; data: { dealId: string; lineItems: DealLineItem[] } }
  | { type: 'DealContactLinked'; data: { dealId: string; contactId: string | null; companyId: string | null } }
  | {
      type: 'DealContactRelinked';
      data: { dealId: string; fromContactId: string; toContactId: string; reason: ContactRelinkReason; mergeEventId: string };
    }
  | { type: 'DealCommented'; data: { dealId: string; commentId: string; text: string } }
  | { type: 'DealDeleted'; data: { dealId: string } };

export type DealEventType = DealEvent['type'];

export const DEAL_EVENT_TYPES: readonly DealEventType[] = [
  'DealCreated',
  'DealStageChanged',
  'DealWon',
  'DealLost',
  'DealReopened',
  'DealTitleChanged',
  'DealAmountChanged',
  'DealExpectedCloseDateChanged',
  'DealOwnerChanged',
  'DealForecastCategoryChanged',
  'DealLineItemsChanged',
  'DealContactLinked',
  'DealContactRelinked',
  'DealCommented',
  'DealDeleted',
];

/** A line item as given by a caller; the application fills in missing line ids before deciding. */
export interface DealLineItemInput {
  lineId: string;
  productId?: string | null;
  name?: string;
  quantity?: string;
  unitPrice?: string;
  discountPercent?: string;
  taxPercent?: string;
}

export interface DealInput {
  title?: string;
  /** Required with currency, unless line items are given (then it defaults to their net total). */
  amount?: string;
  currency?: string;
  expectedCloseDate?: string | null;
  ownerId?: string | null;
  contactId?: string | null;
  companyId?: string | null;
  forecastCategory?: ForecastCategory;
  lineItems?: DealLineItemInput[];
}

/** A merge of contacts this deal followed, remembered so that undoing the merge can send it back. */
export interface DealRelink {
  mergeEventId: string;
  fromContactId: string;
  toContactId: string;
  reason: ContactRelinkReason;
}

export interface DealState {
  id: string | null;
  lifecycle: 'absent' | 'active' | 'deleted';
  title: string;
  pipelineId: string;
  stageId: string;
  stageType: StageType;
  probability: number;
  status: DealStatus;
  amount: string;
  currency: string;
  expectedCloseDate: string | null;
  ownerId: string | null;
  contactId: string | null;
  companyId: string | null;
  forecastCategory: ForecastCategory;
  lineItems: DealLineItem[];
  closeReason: string | null;
  closedOn: string | null;
  /** Every relink, in order; merge event ids make relinking idempotent. */
  relinks: DealRelink[];
  /** The merge that put the current contact on the deal, while no one has linked another contact since. */
  contactFromMerge: DealRelink | null;
  commentIds: string[];
}

export type DealCommand =
  | { type: 'CreateDeal'; dealId: string; stage: StageRef; input: DealInput }
  | { type: 'UpdateDeal'; input: DealInput }
  /** `today` is the caller's date (YYYY-MM-DD), used as closing date when the move closes the deal. */
  | { type: 'MoveDeal'; stage: StageRef; comment?: string | null; reason?: string | null; today: string }
  | { type: 'CloseDeal'; outcome: 'won' | 'lost'; stage: StageRef; reason?: string | null; comment?: string | null; today: string }
  | { type: 'ReopenDeal'; stage: StageRef; comment?: string | null }
  | { type: 'CommentDeal'; commentId: string; text?: string }
  | { type: 'RelinkDealContact'; fromContactId: string; toContactId: string; reason: ContactRelinkReason; mergeEventId: string }
  | { type: 'DeleteDeal' };

const MAX_TITLE = 200;
const MAX_TEXT = 10_000;
const MAX_REASON = 1_000;
const MAX_LINE_ITEMS = 200;
const LINE_DECIMALS = 6;

const blankState = (): DealState => ({
  id: null,
  lifecycle: 'absent',
  title: '',
  pipelineId: '',
  stageId: '',
  stageType: 'open',
  probability: 0,
  status: 'open',
  amount: '0',
  currency: '',
  expectedCloseDate: null,
  ownerId: null,
  contactId: null,
  companyId: null,
  forecastCategory: 'pipeline',
  lineItems: [],
  closeReason: null,
  closedOn: null,
  relinks: [],
  contactFromMerge: null,
  commentIds: [],
});

function invalid(field: string, reason: string): DomainError {
  return new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);
}

function normaliseTitle(title: string | undefined): string {
  const trimmed = title?.trim() ?? '';
  if (!trimmed) throw invalid('title', 'a deal needs a title');
  if (trimmed.length > MAX_TITLE) throw invalid('title', `at most ${MAX_TITLE} characters`);
  return trimmed;
}

function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > max) throw invalid(field, `at most ${max} characters`);
  return trimmed || null;
}

function requiredReason(reason: string | null | undefined, outcome: 'won' | 'lost'): string {
  const text = optionalText(reason, 'reason', MAX_REASON);
  if (!text) throw invalid('reason', `a ${outcome} deal needs a reason`);
  return text;
}

/** A calendar date, 'YYYY-MM-DD', that exists (no 2026-02-30). */
export function normaliseDate(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !DateTime.fromISO(value, { zone: 'utc' }).isValid) {
    throw invalid(field, 'must be a date written YYYY-MM-DD');
  }
  return value;
}

function normaliseOptionalId(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed || null;
}

function normaliseForecastCategory(category: string | undefined, fallback: ForecastCategory): ForecastCategory {
  if (category === undefined) return fallback;
  if (!(FORECAST_CATEGORIES as readonly string[]).includes(category)) {
    throw invalid('forecastCategory', `one of ${FORECAST_CATEGORIES.join(', ')}`);
  }
  return category as ForecastCategory;
}

function percent(value: string | undefined, field: string): string {
  const parsed = parseDecimal(value ?? '0', { field, maxDecimals: 4 });
  if (parsed.greaterThan(100)) throw invalid(field, 'a percentage between 0 and 100');
  return decimalString(parsed);
}

/** Validates line items; prices are in the deal's currency, so they carry none of their own. */
export function normaliseLineItems(items: DealLineItemInput[], currency: string): DealLineItem[] {
  if (items.length > MAX_LINE_ITEMS) throw invalid('lineItems', `at most ${MAX_LINE_ITEMS} line items`);
  const seen = new Set<string>();
  return items.map((item, index) => {
    const at = `lineItems.${index}`;
    if (!item.lineId || seen.has(item.lineId)) throw invalid(`${at}.lineId`, 'line ids must be unique');
    seen.add(item.lineId);
    const name = optionalText(item.name, `${at}.name`, MAX_TITLE);
    if (!name) throw invalid(`${at}.name`, 'a line item needs a name');
    const quantity = parseDecimal(item.quantity ?? '1', { field: `${at}.quantity`, maxDecimals: LINE_DECIMALS });
    if (quantity.isZero()) throw invalid(`${at}.quantity`, 'must be greater than zero');
    if (item.unitPrice === undefined) throw invalid(`${at}.unitPrice`, 'a line item needs a unit price');
    const unitPrice = parseDecimal(item.unitPrice, { field: `${at}.unitPrice`, maxDecimals: LINE_DECIMALS });
    return {
      lineId: item.lineId,
      productId: normaliseOptionalId(item.productId),
      name,
      quantity: decimalString(quantity),
      unitPrice: formatAmount(unitPrice, currency),
      discountPercent: percent(item.discountPercent, `${at}.discountPercent`),
      taxPercent: percent(item.taxPercent, `${at}.taxPercent`),
    };
  });
}

/**
 * The net total of line items (quantity × unit price less discount, before tax), rounded to the
 * currency's minor units once, at the end, so that rounding never accumulates per line.
 */
export function lineItemsNetTotal(items: readonly DealLineItem[], currency: string): Money {
  let total = new ExactDecimal(0);
  for (const item of items) {
    const gross = new ExactDecimal(item.quantity).times(item.unitPrice);
    total = total.plus(gross.times(new ExactDecimal(100).minus(item.discountPercent)).dividedBy(100));
  }
  return roundMoney({ amount: formatAmount(total, currency), currency });
}

function assertLive(state: DealState): void {
  // A deleted deal is not found, as for GET: its id tells nothing more to whoever asks.
  if (state.lifecycle !== 'active') throw new DomainError('not_found', 'Deal not found');
}

function assertSamePipeline(state: DealState, stage: StageRef): void {
  if (stage.pipelineId !== state.pipelineId) {
    throw invalid('stageId', `stage ${stage.stageId} belongs to another pipeline than the deal's (${state.pipelineId})`);
  }
}

function stageChanged(state: DealState, stage: StageRef, comment: string | null): DealEvent {
  return {
    type: 'DealStageChanged',
    data: {
      dealId: state.id!,
      pipelineId: state.pipelineId,
      fromStageId: state.stageId,
      toStageId: stage.stageId,
      stageType: stage.type,
      probability: stage.probability,
      comment,
    },
  };
}

function closeEvent(state: DealState, outcome: 'won' | 'lost', reason: string, closedOn: string): DealEvent {
  return outcome === 'won'
    ? { type: 'DealWon', data: { dealId: state.id!, reason, closedOn } }
    : { type: 'DealLost', data: { dealId: state.id!, reason, closedOn } };
}

function create(command: Extract<DealCommand, { type: 'CreateDeal' }>, state: DealState): DealEvent[] {
  if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Deal ${command.dealId} already exists`);
  const { input, stage } = command;
  if (stage.type !== 'open') throw invalid('stageId', 'a new deal starts in an open stage; win or lose it afterwards, with a reason');
  const title = normaliseTitle(input.title);
  const lineInputs = input.lineItems ?? [];
  let money: Money;
  let lineItems: DealLineItem[];
  if (input.amount === undefined && lineInputs.length > 0) {
    if (input.currency === undefined) throw invalid('currency', 'a deal needs a currency');
    const currency = parseMoney('0', input.currency).currency;
    lineItems = normaliseLineItems(lineInputs, currency);
    money = lineItemsNetTotal(lineItems, currency);
  } else {
    if (input.amount === undefined) throw invalid('amount', 'a deal needs an amount (or line items)');
    if (input.currency === undefined) throw invalid('currency', 'a deal needs a currency');
    money = parseMoney(input.amount, input.currency);
    lineItems = normaliseLineItems(lineInputs, money.currency);
  }
  return [
    {
      type: 'DealCreated',
      data: {
        dealId: command.dealId,
        title,
        pipelineId: stage.pipelineId,
        stageId: stage.stageId,
        stageType: stage.type,
        probability: stage.probability,
        amount: money.amount,
        currency: money.currency,
        expectedCloseDate: normaliseDate(input.expectedCloseDate, 'expectedCloseDate'),
        ownerId: normaliseOptionalId(input.ownerId),
        contactId: normaliseOptionalId(input.contactId),
        companyId: normaliseOptionalId(input.companyId),
        forecastCategory: normaliseForecastCategory(input.forecastCategory, 'pipeline'),
        lineItems,
      },
    },
  ];
}

function update(input: DealInput, state: DealState): DealEvent[] {
  const dealId = state.id!;
  const events: DealEvent[] = [];
  if (input.title !== undefined) {
    const title = normaliseTitle(input.title);
    if (title !== state.title) events.push({ type: 'DealTitleChanged', data: { dealId, title } });
  }

  const currencyChanges = input.currency !== undefined && parseMoney('0', input.currency).currency !== state.currency;
  if (input.currency !== undefined && input.amount === undefined && currencyChanges) {
    throw invalid('amount', 'changing the currency needs the amount in the new currency');
  }
  const money = input.amount !== undefined ? parseMoney(input.amount, input.currency ?? state.currency) : null;
  const currency = money?.currency ?? state.currency;
  // Line items are priced in the deal's currency: a new currency with the old prices would silently
  // turn 100 EUR into 100 JPY, so the items must be restated in the same change.
  if (currency !== state.currency && state.lineItems.length > 0 && input.lineItems === undefined) {
    throw new DomainError('invalid', `Currency mismatch: the line items are priced in ${state.currency}`, [
      { field: 'currency', reason: `the line items are priced in ${state.currency}; send them again in ${currency}, or remove them` },
    ]);
  }
  if (money && !sameMoney(money, { amount: state.amount, currency: state.currency })) {
    events.push({ type: 'DealAmountChanged', data: { dealId, amount: money.amount, currency: money.currency } });
  }
  if (input.lineItems !== undefined) {
    const lineItems = normaliseLineItems(input.lineItems, currency);
    if (JSON.stringify(lineItems) !== JSON.stringify(state.lineItems)) events.push({ type: 'DealLineItemsChanged', data: { dealId, lineItems } });
  }
  if (input.expectedCloseDate !== undefined) {
    const expectedCloseDate = normaliseDate(input.expectedCloseDate, 'expectedCloseDate');
    if (expectedCloseDate !== state.expectedCloseDate) events.push({ type: 'DealExpectedCloseDateChanged', data: { dealId, expectedCloseDate } });
  }
  if (input.ownerId !== undefined) {
    const ownerId = normaliseOptionalId(input.ownerId);
    if (ownerId !== state.ownerId) events.push({ type: 'DealOwnerChanged', data: { dealId, ownerId } });
  }
  if (input.forecastCategory !== undefined) {
    const forecastCategory = normaliseForecastCategory(input.forecastCategory, state.forecastCategory);
    if (forecastCategory !== state.forecastCategory) events.push({ type: 'DealForecastCategoryChanged', data: { dealId, forecastCategory } });
  }
  if (input.contactId !== undefined || input.companyId !== undefined) {
    const contactId = input.contactId !== undefined ? normaliseOptionalId(input.contactId) : state.contactId;
    const companyId = input.companyId !== undefined ? normaliseOptionalId(input.companyId) : state.companyId;
    if (contactId !== state.contactId || companyId !== state.companyId) events.push({ type: 'DealContactLinked', data: { dealId, contactId, companyId } });
  }
  return events;
}

/**
 * Moves between stages of the deal's pipeline. Entering a won or lost stage closes the deal (a reason
 * is required); leaving a closed stage for an open one reopens it. Moving to the stage the deal is in
 * changes nothing, so a retried move is harmless.
 */
function move(command: Extract<DealCommand, { type: 'MoveDeal' }>, state: DealState): DealEvent[] {
  const { stage } = command;
  assertSamePipeline(state, stage);
  const comment = optionalText(command.comment, 'comment', MAX_TEXT);
  const closedOn = normaliseDate(command.today, 'today')!;
  if (stage.stageId === state.stageId) return [];
  const events: DealEvent[] = [];
  if (stage.type === 'open') {
    events.push(stageChanged(state, stage, comment));
    if (state.status !== 'open') events.push({ type: 'DealReopened', data: { dealId: state.id! } });
    return events;
  }
  const reason = requiredReason(command.reason, stage.type);
  events.push(stageChanged(state, stage, comment));
  // Between two stages of the same outcome (two "won" stages) the deal stays closed with its reason.
  if (state.status !== stage.type) events.push(closeEvent(state, stage.type, reason, closedOn));
  return events;
}

function close(command: Extract<DealCommand, { type: 'CloseDeal' }>, state: DealState): DealEvent[] {
  const { stage, outcome } = command;
  assertSamePipeline(state, stage);
  if (stage.type !== outcome) throw invalid('stageId', `stage ${stage.stageId} is not a ${outcome} stage`);
  if (state.status === outcome) throw new DomainError('conflict', `Deal is already ${outcome}`);
  const reason = requiredReason(command.reason, outcome);
  const comment = optionalText(command.comment, 'comment', MAX_TEXT);
  const closedOn = normaliseDate(command.today, 'today')!;
  const events: DealEvent[] = [];
  if (stage.stageId !== state.stageId) events.push(stageChanged(state, stage, comment));
  events.push(closeEvent(state, outcome, reason, closedOn));
  return events;
}

function reopen(command: Extract<DealCommand, { type: 'ReopenDeal' }>, state: DealState): DealEvent[] {
  if (state.status === 'open') throw new DomainError('conflict', 'Deal is open: only a won or lost deal can be reopened');
  assertSamePipeline(state, command.stage);
  if (command.stage.type !== 'open') throw invalid('stageId', 'a deal reopens into an open stage');
  const comment = optionalText(command.comment, 'comment', MAX_TEXT);
  return [stageChanged(state, command.stage, comment), { type: 'DealReopened', data: { dealId: state.id! } }];
}

/**
 * Follows a contact merge (or its undoing). Idempotent per merge event: a redelivered integration
 * event finds its id among the relinks and changes nothing. An unmerge only sends back deals that this
 * very merge moved, not deals linked to the survivor by hand.
 */
function relink(command: Extract<DealCommand, { type: 'RelinkDealContact' }>, state: DealState): DealEvent[] {
  if (state.relinks.some((done) => done.mergeEventId === command.mergeEventId)) return [];
  if (state.contactId !== command.fromContactId) return [];
  if (command.reason === 'contact_unmerged') {
    const merge = state.contactFromMerge;
    if (!merge || merge.fromContactId !== command.toContactId || merge.toContactId !== command.fromContactId) return [];
  }
  return [
    {
      type: 'DealContactRelinked',
      data: {
        dealId: state.id!,
        fromContactId: command.fromContactId,
        toContactId: command.toContactId,
        reason: command.reason,
        mergeEventId: command.mergeEventId,
      },
    },
  ];
}

function decide(command: DealCommand, state: DealState): DealEvent[] {
  if (command.type === 'CreateDeal') return create(command, state);
  // A merge may reach a deal deleted meanwhile: there is nothing left to relink, and that is not an error.
  if (command.type === 'RelinkDealContact' && state.lifecycle !== 'active') return [];
  assertLive(state);
  switch (command.type) {
    case 'UpdateDeal':
      return update(command.input, state);
    case 'MoveDeal':
      return move(command, state);
    case 'CloseDeal':
      return close(command, state);
    case 'ReopenDeal':
      return reopen(command, state);
    case 'CommentDeal': {
      if (state.commentIds.includes(command.commentId)) return [];
      const text = optionalText(command.text, 'text', MAX_TEXT);
      if (!text) throw invalid('text', 'a comment needs text');
      return [{ type: 'DealCommented', data: { dealId: state.id!, commentId: command.commentId, text } }];
    }
    case 'RelinkDealContact':
      return relink(command, state);
    case 'DeleteDeal':
      return [{ type: 'DealDeleted', data: { dealId: state.id! } }];
  }
}

function evolve(state: DealState, event: DealEvent): DealState {
  switch (event.type) {
    case 'DealCreated': {
      const { dealId, ...fields } = event.data;
      return { ...blankState(), ...fields, id: dealId, lifecycle: 'active', status: 'open' };
    }
    case 'DealStageChanged':
      return { ...state, stageId: event.data.toStageId, stageType: event.data.stageType, probability: event.data.probability };
    case 'DealWon':
      return { ...state, status: 'won', closeReason: event.data.reason, closedOn: event.data.closedOn };
    case 'DealLost':
      return { ...state, status: 'lost', closeReason: event.data.reason, closedOn: event.data.closedOn };
    case 'DealReopened':
      return { ...state, status: 'open', closeReason: null, closedOn: null };
    case 'DealTitleChanged':
      return { ...state, title: event.data.title };
    case 'DealAmountChanged':
      return { ...state, amount: event.data.amount, currency: event.data.currency };
    case 'DealExpectedCloseDateChanged':
      return { ...state, expectedCloseDate: event.data.expectedCloseDate };
    case 'DealOwnerChanged':
      return { ...state, ownerId: event.data.ownerId };
    case 'DealForecastCategoryChanged':
      return { ...state, forecastCategory: event.data.forecastCategory };
    case 'DealLineItemsChanged':
      return { ...state, lineItems: event.data.lineItems };
    case 'DealContactLinked':
      return {
        ...state,
        contactId: event.data.contactId,
        companyId: event.data.companyId,
        contactFromMerge: event.data.contactId === state.contactId ? state.contactFromMerge : null,
      };
    case 'DealContactRelinked': {
      const { dealId: _dealId, ...relinkDone } = event.data;
      return {
        ...state,
        contactId: event.data.toContactId,
        relinks: [...state.relinks, relinkDone],
        contactFromMerge: relinkDone.reason === 'contact_merged' ? relinkDone : null,
      };
    }
    case 'DealCommented':
      return { ...state, commentIds: [...state.commentIds, event.data.commentId] };
    case 'DealDeleted':
      return { ...blankState(), id: state.id, lifecycle: 'deleted' };
    default:
      return state;
  }
}

export const dealDecider: Decider<DealCommand, DealState, DealEvent> = {
  initialState: blankState,
  decide,
  evolve,
};

/** The deal's amount as Money. */
export const dealMoney = (state: Pick<DealState, 'amount' | 'currency'>): Money => ({ amount: state.amount, currency: state.currency });

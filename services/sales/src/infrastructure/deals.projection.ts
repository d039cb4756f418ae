import type { RecordedEvent } from '@crm/eventstore';
import { applyOnce, type IndexSpec, type Projection, type ReadStore } from '@crm/readstore';
import {
  boardCellId,
  DEAL_BOARD_COLLECTION,
  type DealBoardCell,
  type DealDocument,
  dealDocumentId,
  DEALS_COLLECTION,
  DEALS_PROJECTION,
} from '../application/deal-read-models';
import { toDealView } from '../application/deal-views';
import { DEAL_EVENT_TYPES, dealDecider, type DealEvent, type DealState } from '../domain/deal';
import { amountSortKey, decimalString, ExactDecimal } from '../domain/money';
import { parseStreamName } from '../domain/streams';

export const DEALS_INDEXES: Record<string, IndexSpec[]> = {
  [DEALS_COLLECTION]: [
    { keys: { tenantId: 1, createdAt: -1 } },
    { keys: { tenantId: 1, pipelineId: 1, stageId: 1 } },
    { keys: { tenantId: 1, ownerId: 1 } },
    { keys: { tenantId: 1, contactId: 1 } },
    { keys: { tenantId: 1, companyId: 1 } },
    // Amount ranges: a range seek on the fixed-width key (see amountSortKey).
    { keys: { tenantId: 1, amountKey: 1 } },
    { keys: { tenantId: 1, expectedCloseDate: 1 } },
  ],
  [DEAL_BOARD_COLLECTION]: [{ keys: { tenantId: 1, pipelineId: 1 } }],
};

/** The decider state kept inside a projected document, so that the decider's own `evolve` folds the next event into it. */
function stateOf(document: DealDocument | null): DealState {
  if (!document || document.deleted) return dealDecider.initialState();
  return {
    ...dealDecider.initialState(),
    id: document.id,
    lifecycle: 'active',
    title: document.title,
    pipelineId: document.pipelineId,
    stageId: document.stageId,
    stageType: document.stageType,
    probability: document.probability,
    status: document.status,
    amount: document.amount,
    currency: document.currency,
    expectedCloseDate: document.expectedCloseDate,
    ownerId: document.ownerId,
    contactId: document.contactId,
    companyId: document.companyId,
    forecastCategory: document.forecastCategory,
    lineItems: document.lineItems,
    closeReason: document.closeReason,
    closedOn: document.closedOn,
    relinks: document.relinks,
    contactFromMerge: document.contactFromMerge,
  };
}

function documentOf(state: DealState, previous: DealDocument | null, event: RecordedEvent, tenantId: string, dealId: string): DealDocument {
  const base = { _id: dealDocumentId(tenantId, dealId), tenantId, _position: event.position };
  if (state.lifecycle !== 'active') {
    // A tombstone: a late redelivery of an older event finds a newer position and changes nothing.
    return { ...base, id: dealId, deleted: true } as DealDocument;
  }
  const occurredAt = event.metadata.occurredAt;
  const view = toDealView(state, event.revision, {
    createdAt: previous?.createdAt ?? occurredAt,
    updatedAt: occurredAt,
    stageEnteredAt: event.type === 'DealStageChanged' || !previous ? occurredAt : previous.stageEnteredAt,
  });
  return { ...view, ...base, amountKey: amountSortKey(state.amount), relinks: state.relinks, contactFromMerge: state.contactFromMerge, deleted: false };
}

interface Contribution {
  pipelineId: string;
  stageId: string;
  currency: string;
  amount: string;
}

const contributionOf = (state: DealState): Contribution | null =>
  state.lifecycle === 'active' ? { pipelineId: state.pipelineId, stageId: state.stageId, currency: state.currency, amount: state.amount } : null;

const sameCell = (a: Contribution, b: Contribution) => a.pipelineId === b.pipelineId && a.stageId === b.stageId && a.currency === b.currency;

/**
 * Adds a delta to one board cell unless the cell has seen this event already. Cells are written before
 * the deal's document: after a crash in between, the replayed event finds the deal document unchanged,
 * computes the same delta, and the cells it reached already skip it by position.
 */
async function addToCell(store: ReadStore, tenantId: string, cell: Contribution, count: number, amount: ExactDecimal, position: number): Promise<void> {
  const cells = store.collection<DealBoardCell>(DEAL_BOARD_COLLECTION);
  const id = boardCellId(tenantId, cell.pipelineId, cell.stageId, cell.currency);
  const current = await cells.findOne({ _id: id });
  if (current && current._position >= position) return;
  await applyOnce(cells, id, position, {
    $set: {
      tenantId,
      pipelineId: cell.pipelineId,
      stageId: cell.stageId,
      currency: cell.currency,
      count: (current?.count ?? 0) + count,
      amount: decimalString(new ExactDecimal(current?.amount ?? '0').plus(amount)),
    },
  });
}

async function updateBoard(store: ReadStore, tenantId: string, before: Contribution | null, after: Contribution | null, position: number): Promise<void> {
  if (before && after && sameCell(before, after)) {
    const delta = new ExactDecimal(after.amount).minus(before.amount);
    if (!delta.isZero()) await addToCell(store, tenantId, after, 0, delta, position);
    return;
  }
  if (before) await addToCell(store, tenantId, before, -1, new ExactDecimal(before.amount).negated(), position);
  if (after) await addToCell(store, tenantId, after, 1, new ExactDecimal(after.amount), position);
}

/**
 * Applies one deal event to the deals list and the pipeline boards. Idempotent: a deal document
 * remembers the last position applied, and so does each board cell.
 */
export async function applyDealEvent(event: RecordedEvent, store: ReadStore): Promise<void> {
  const stream = parseStreamName(event.streamName);
  if (!stream || stream.kind !== 'deal') return;
  const deals = store.collection<DealDocument>(DEALS_COLLECTION);
  const id = dealDocumentId(stream.tenantId, stream.id);
  const current = await deals.findOne({ _id: id });
  if (current && current._position >= event.position) return;
  const before = stateOf(current);
  const after = dealDecider.evolve(before, { type: event.type, data: event.data } as DealEvent);
  await updateBoard(store, stream.tenantId, contributionOf(before), contributionOf(after), event.position);
  await deals.replaceOne({ _id: id }, documentOf(after, current && !current.deleted ? current : null, event, stream.tenantId, stream.id), { upsert: true });
}

/** The deals read model (`GET /deals`) and the board cells (`GET /pipelines/{id}/board`). */
export function dealsProjection(): Projection {
  return {
    name: DEALS_PROJECTION,
    filter: { eventTypes: [...DEAL_EVENT_TYPES] },
    indexes: DEALS_INDEXES,
    apply: applyDealEvent,
    // In log order, one after the other: each event's board delta depends on the deal as the previous one left it.
    applyBatch: async (events, store) => {
      for (const event of events) await applyDealEvent(event, store);
    },
  };
}

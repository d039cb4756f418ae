import type { RecordedEvent } from '@crm/eventstore';
import type { HistoryEntry } from '@crm/runtime';
import { toHistory } from '@crm/runtime';
import type { DealEvent, DealEventType, DealState, StageType } from '../domain/deal';
import { type PipelineState, stageName } from '../domain/pipeline';
import type { DealView } from './deal-read-models';

type Times = { createdAt: string; updatedAt: string; stageEnteredAt: string };

/** The instant the deal entered its current stage: its last stage change, or its creation. */
export function stageEnteredAt(events: readonly { type: string; metadata: { occurredAt: string } }[]): string {
  for (let index = events.length - 1; index >= 0; index--) {
    if (events[index].type === 'DealStageChanged' || events[index].type === 'DealCreated') return events[index].metadata.occurredAt;
  }
  return '';
}

export function timesOf(events: RecordedEvent[]): Times {
  return {
    createdAt: events[0]?.metadata.occurredAt ?? '',
    updatedAt: events[events.length - 1]?.metadata.occurredAt ?? '',
    stageEnteredAt: stageEnteredAt(events),
  };
}

/** Times after a command: the command's own events count as written at `occurredAt`. */
export function timesAfter(result: { history: RecordedEvent[]; events: DealEvent[]; occurredAt: string }): Times {
  const written = result.events.map((event) => ({ type: event.type, metadata: { occurredAt: result.occurredAt } }));
  const all = [...result.history, ...written];
  return {
    createdAt: all[0]?.metadata.occurredAt ?? result.occurredAt,
    updatedAt: all[all.length - 1]?.metadata.occurredAt ?? result.occurredAt,
    stageEnteredAt: stageEnteredAt(all),
  };
}

export function toDealView(state: DealState, revision: number, times: Times): DealView {
  return {
    id: state.id!,
    title: state.title,
    pipelineId: state.pipelineId,
    stageId: state.stageId,
    stageType: state.stageType,
    status: state.status,
    probability: state.probability,
    amount: state.amount,
    currency: state.currency,
    expectedCloseDate: state.expectedCloseDate,
    ownerId: state.ownerId,
    contactId: state.contactId,
    companyId: state.companyId,
    forecastCategory: state.forecastCategory,
    lineItems: state.lineItems,
    closeReason: state.closeReason,
    closedOn: state.closedOn,
    stageEnteredAt: times.stageEnteredAt,
    revision,
    createdAt: times.createdAt,
    updatedAt: times.updatedAt,
  };
}

/** The fields of the deal view each event changes (`GET /deals/{id}/history`, integration events). */
export const DEAL_FIELDS_BY_EVENT: Record<DealEventType, string[]> = {
  DealCreated: [],
  DealStageChanged: ['stageId', 'stageType', 'probability'],
  DealWon: ['status', 'closeReason', 'closedOn'],
  DealLost: ['status', 'closeReason', 'closedOn'],
  DealReopened: ['status', 'closeReason', 'closedOn'],
  DealTitleChanged: ['title'],
  DealAmountChanged: ['amount', 'currency'],
  DealExpectedCloseDateChanged: ['expectedCloseDate'],
  DealOwnerChanged: ['ownerId'],
  DealForecastCategoryChanged: ['forecastCategory'],
  DealLineItemsChanged: ['lineItems'],
  DealContactLinked: ['contactId', 'companyId'],
  DealContactRelinked: ['contactId'],
  DealCommented: [],
  DealDeleted: [],
};

export function dealHistory(events: RecordedEvent[]): HistoryEntry[] {
  return toHistory(events, DEAL_FIELDS_BY_EVENT, 'dealId');
}

/** One stay of a deal in a stage, from the move that brought it there (or its creation). */
export interface StageHistoryEntry {
  /** Revision of the event that moved the deal (0 for the creation). */
  revision: number;
  fromStageId: string | null;
  fromStageName: string | null;
  toStageId: string;
  toStageName: string | null;
  stageType: StageType;
  probability: number;
  /** Who moved it: the actor of the command. */
  movedBy: string;
  movedAt: string;
  comment: string | null;
  /** The outcome recorded with the move into a won or lost stage, with its reason. */
  outcome: { status: 'won' | 'lost'; reason: string; closedOn: string } | null;
  reopened: boolean;
  /** How long the deal stayed in `toStageId`: until the next move, or until now for the current stage. */
  timeInStageMs: number;
  current: boolean;
}

export interface StageHistory {
  dealId: string;
  items: StageHistoryEntry[];
}

/**
 * The moves of a deal, from its stream: who moved it, from where, to where, when, with which comment,
 * and how long it stayed. Stage names come from the pipeline (removed stages keep their names).
 */
export function stageHistory(dealId: string, events: RecordedEvent[], pipeline: PipelineState | null, now: Date): StageHistory {
  const name = (stageId: string | null) => (stageId && pipeline ? stageName(pipeline, stageId) : null);
  const items: StageHistoryEntry[] = [];
  for (const recorded of events) {
    const event = { type: recorded.type, data: recorded.data } as DealEvent;
    const base = { revision: recorded.revision, movedBy: recorded.metadata.actorId, movedAt: recorded.metadata.occurredAt, outcome: null, reopened: false, timeInStageMs: 0, current: false };
    if (event.type === 'DealCreated') {
      const { stageId, stageType, probability } = event.data;
      items.push({ ...base, fromStageId: null, fromStageName: null, toStageId: stageId, toStageName: name(stageId), stageType, probability, comment: null });
    } else if (event.type === 'DealStageChanged') {
      const { fromStageId, toStageId, stageType, probability, comment } = event.data;
      items.push({ ...base, fromStageId, fromStageName: name(fromStageId), toStageId, toStageName: name(toStageId), stageType, probability, comment });
    } else if ((event.type === 'DealWon' || event.type === 'DealLost') && items.length > 0) {
      items[items.length - 1].outcome = { status: event.type === 'DealWon' ? 'won' : 'lost', reason: event.data.reason, closedOn: event.data.closedOn };
    } else if (event.type === 'DealReopened' && items.length > 0) {
      items[items.length - 1].reopened = true;
    }
  }
  items.forEach((item, index) => {
    const until = index + 1 < items.length ? Date.parse(items[index + 1].movedAt) : now.getTime();
    item.timeInStageMs = Math.max(0, until - Date.parse(item.movedAt));
    item.current = index === items.length - 1;
  });
  return { dealId, items };
}

/** The comments on a deal, oldest first. */
export function dealComments(events: RecordedEvent[]): { commentId: string; text: string; authorId: string; createdAt: string }[] {
  return events
    .filter((recorded) => recorded.type === 'DealCommented')
    .map((recorded) => {
      const data = recorded.data as { commentId: string; text: string };
      return { commentId: data.commentId, text: data.text, authorId: recorded.metadata.actorId, createdAt: recorded.metadata.occurredAt };
    });
}

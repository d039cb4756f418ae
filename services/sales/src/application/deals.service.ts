import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import type { HistoryEntry, WriteResult } from '@crm/runtime';
import {
  type DealCommand,
  dealDecider,
  type DealEvent,
  type DealInput,
  type DealLineItemInput,
  type DealState,
  normaliseDate,
  type StageRef,
} from '../domain/deal';
import { firstStageOfType, type PipelineState, stageName, stageRef } from '../domain/pipeline';
import { dealStream } from '../domain/streams';
import type { ContactDirectory } from './contact-directory';
import type { DealView } from './deal-read-models';
import { dealComments, dealHistory, type StageHistory, stageHistory, timesAfter, timesOf, toDealView } from './deal-views';
import type { OwnerAssignment } from './owner-assignment';
import type { PipelinesService } from './pipelines.service';

export type LineItemInput = Omit<DealLineItemInput, 'lineId'> & { lineId?: string };

export interface CreateDealInput extends Omit<DealInput, 'lineItems'> {
  pipelineId?: string;
  /** The pipeline's first open stage when omitted. */
  stageId?: string;
  lineItems?: LineItemInput[];
}

export interface UpdateDealInput extends Omit<DealInput, 'lineItems'> {
  lineItems?: LineItemInput[];
}

export interface MoveDealInput {
  stageId: string;
  comment?: string | null;
  /** Required when the move wins or loses the deal. */
  reason?: string | null;
}

export interface CloseDealInput {
  reason?: string | null;
  comment?: string | null;
  /** The pipeline's first stage of the outcome's type when omitted. */
  stageId?: string;
  /** YYYY-MM-DD, today (UTC) when omitted; never in the future. */
  closedOn?: string;
}

export interface ReopenDealInput {
  /** The pipeline's first open stage when omitted. */
  stageId?: string;
  comment?: string | null;
}

/** The calendar day of an instant, in UTC: closing dates are recorded as days, like expected close dates. */
const dayOf = (instant: Date): string => instant.toISOString().slice(0, 10);

/** Deals only ever live in the pipeline they were created in: remembering it saves a read per move. */
const PIPELINE_CACHE_LIMIT = 50_000;

/** Command and single-record query handlers for deals. */
export class DealsService {
  private readonly deals: EventSourcedCommandHandler<DealCommand, DealState, DealEvent>;
  private readonly pipelineOfDeal = new Map<string, string>();

  constructor(
    store: EventStore,
    private readonly pipelines: PipelinesService,
    private readonly directory: ContactDirectory,
    private readonly ownerAssignment: OwnerAssignment,
    private readonly newId: () => string = newRecordId,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.deals = new EventSourcedCommandHandler(store, dealDecider);
  }

  /** `dealId` is for callers that must name the deal themselves (the lead-conversion saga, whose retries find it by id). */
  async create(context: CommandContext, input: CreateDealInput, dealId: string = this.newId()): Promise<WriteResult<DealView>> {
    if (!input.pipelineId) throw new DomainError('invalid', 'Invalid pipelineId: a deal belongs to a pipeline', [{ field: 'pipelineId', reason: 'required' }]);
    const pipeline = await this.pipelines.forDeal(context.tenantId, input.pipelineId);
    let stage: StageRef;
    if (input.stageId) {
      stage = stageRef(pipeline, input.stageId);
    } else {
      const first = firstStageOfType(pipeline, 'open')!;
      stage = stageRef(pipeline, first.stageId);
    }
    const links = await this.checkLinks(context.tenantId, input);
    const ownerId = input.ownerId ? input.ownerId : await this.assignOwner(context.tenantId, links.contact, links.company);
    const { pipelineId: _pipelineId, stageId: _stageId, ...fields } = input;
    const command: DealCommand = {
      type: 'CreateDeal',
      dealId,
      stage,
      input: { ...fields, ...links.ids, ownerId, lineItems: this.withLineIds(input.lineItems) },
    };
    const result = await this.run(context, dealId, command);
    this.remember(context.tenantId, dealId, stage.pipelineId);
    return result;
  }

  async update(context: CommandContext, dealId: string, input: UpdateDealInput): Promise<WriteResult<DealView>> {
    const links = await this.checkLinks(context.tenantId, input);
    return this.run(context, dealId, { type: 'UpdateDeal', input: { ...input, ...links.ids, lineItems: this.withLineIds(input.lineItems) } });
  }

  async move(context: CommandContext, dealId: string, input: MoveDealInput): Promise<WriteResult<DealView>> {
    const pipeline = await this.pipelineOf(context.tenantId, dealId);
    const stage = this.stageIn(pipeline, input.stageId);
    return this.run(context, dealId, { type: 'MoveDeal', stage, comment: input.comment, reason: input.reason, today: dayOf(this.now()) });
  }

  async close(context: CommandContext, dealId: string, outcome: 'won' | 'lost', input: CloseDealInput): Promise<WriteResult<DealView>> {
    const pipeline = await this.pipelineOf(context.tenantId, dealId);
    const stage = input.stageId ? this.stageIn(pipeline, input.stageId) : this.firstStage(pipeline, outcome);
    const today = dayOf(this.now());
    const closedOn = normaliseDate(input.closedOn, 'closedOn') ?? today;
    if (closedOn > today) throw new DomainError('invalid', 'Invalid closedOn: a deal cannot close in the future', [{ field: 'closedOn', reason: 'must not be after today' }]);
    return this.run(context, dealId, { type: 'CloseDeal', outcome, stage, reason: input.reason, comment: input.comment, today: closedOn });
  }

  async reopen(context: CommandContext, dealId: string, input: ReopenDealInput): Promise<WriteResult<DealView>> {
    const pipeline = await this.pipelineOf(context.tenantId, dealId);
    const stage = input.stageId ? this.stageIn(pipeline, input.stageId) : this.firstStage(pipeline, 'open');
    return this.run(context, dealId, { type: 'ReopenDeal', stage, comment: input.comment });
  }

  async comment(context: CommandContext, dealId: string, text: string | undefined): Promise<WriteResult<DealView> & { commentId: string }> {
    const commentId = this.newId();
    return { ...(await this.run(context, dealId, { type: 'CommentDeal', commentId, text })), commentId };
  }

  async delete(context: CommandContext, dealId: string): Promise<{ position: number }> {
    const result = await this.deals.handle(dealStream(context.tenantId, dealId), { type: 'DeleteDeal' }, context);
    return { position: result.position };
  }

  /**
   * Moves one open deal out of a stage being removed, with a comment saying why. A deal that has left
   * the stage meanwhile (moved, closed, deleted) is left alone.
   */
  async moveOutOfRemovedStage(context: CommandContext, dealId: string, pipeline: PipelineState, fromStageId: string, toStageId: string): Promise<void> {
    const { state } = await this.deals.load(dealStream(context.tenantId, dealId));
    if (state.lifecycle !== 'active' || state.stageId !== fromStageId || state.status !== 'open') return;
    const comment = `Stage "${stageName(pipeline, fromStageId) ?? fromStageId}" was removed: moved to "${stageName(pipeline, toStageId) ?? toStageId}"`;
    await this.deals.handle(dealStream(context.tenantId, dealId), { type: 'MoveDeal', stage: stageRef(pipeline, toStageId, 'moveDealsTo'), comment, today: dayOf(this.now()) }, context);
  }

  /** Follows a contact merge or its undoing: idempotent per merge event (see the deal decider). */
  async relinkContact(context: CommandContext, dealId: string, change: { fromContactId: string; toContactId: string; reason: 'contact_merged' | 'contact_unmerged'; mergeEventId: string }) {
    await this.deals.handle(dealStream(context.tenantId, dealId), { type: 'RelinkDealContact', ...change }, context);
  }

  async get(tenantId: string, dealId: string, asOf?: string): Promise<DealView> {
    const { state, revision, events } = await this.deals.load(dealStream(tenantId, dealId), asOf);
    if (state.lifecycle !== 'active') throw new DomainError('not_found', asOf ? `Deal did not exist at ${asOf}` : 'Deal not found');
    return toDealView(state, revision, timesOf(events));
  }

  async history(tenantId: string, dealId: string): Promise<HistoryEntry[]> {
    return dealHistory(await this.liveEvents(tenantId, dealId));
  }

  async stageHistory(tenantId: string, dealId: string): Promise<StageHistory> {
    const events = await this.liveEvents(tenantId, dealId);
    const pipelineId = (events[0].data as { pipelineId: string }).pipelineId;
    const pipeline = await this.pipelines.find(tenantId, pipelineId);
    return stageHistory(dealId, events, pipeline?.state ?? null, this.now());
  }

  async comments(tenantId: string, dealId: string) {
    return dealComments(await this.liveEvents(tenantId, dealId));
  }

  private async liveEvents(tenantId: string, dealId: string) {
    const { state, events } = await this.deals.load(dealStream(tenantId, dealId));
    if (state.lifecycle !== 'active') throw new DomainError('not_found', 'Deal not found');
    return events;
  }

  private async pipelineOf(tenantId: string, dealId: string): Promise<PipelineState> {
    const key = `${tenantId}:${dealId}`;
    let pipelineId = this.pipelineOfDeal.get(key);
    if (!pipelineId) {
      const { state } = await this.deals.load(dealStream(tenantId, dealId));
      if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Deal not found');
      if (state.lifecycle === 'deleted') throw new DomainError('not_found', 'Deal not found');
      pipelineId = state.pipelineId;
      this.remember(tenantId, dealId, pipelineId);
    }
    const pipeline = await this.pipelines.find(tenantId, pipelineId);
    if (!pipeline) throw new DomainError('conflict', `The deal's pipeline ${pipelineId} does not exist`);
    return pipeline.state;
  }

  private remember(tenantId: string, dealId: string, pipelineId: string): void {
    this.pipelineOfDeal.set(`${tenantId}:${dealId}`, pipelineId);
    if (this.pipelineOfDeal.size > PIPELINE_CACHE_LIMIT) this.pipelineOfDeal.delete(this.pipelineOfDeal.keys().next().value as string);
  }

  /**
   * A target stage: one of the deal's pipeline, or (to say so precisely) one of another pipeline of the
   * tenant, which the deal decider then refuses. Pipelines are not looked up by stage id: stage ids are
   * unique record ids, so a stage not in this pipeline is reported as not in it.
   */
  private stageIn(pipeline: PipelineState, stageId: string): StageRef {
    const stage = pipeline.stages.find((candidate) => candidate.stageId === stageId);
    if (!stage) {
      throw new DomainError('invalid', `Invalid stageId: stage ${stageId} is not a stage of the deal's pipeline (${pipeline.id})`, [
        { field: 'stageId', reason: "not a stage of the deal's pipeline" },
      ]);
    }
    return stageRef(pipeline, stageId);
  }

  private firstStage(pipeline: PipelineState, type: 'open' | 'won' | 'lost'): StageRef {
    const stage = firstStageOfType(pipeline, type);
    if (!stage) {
      throw new DomainError('conflict', `Pipeline ${pipeline.name} has no ${type} stage`, [{ field: 'stageId', reason: `the pipeline has no ${type} stage; name one` }]);
    }
    return stageRef(pipeline, stage.stageId);
  }

  private withLineIds(items: LineItemInput[] | undefined): DealLineItemInput[] | undefined {
    return items?.map((item) => ({ ...item, lineId: item.lineId || this.newId() }));
  }

  /**
   * Contact and company links must name records the directory knows (a copy of the contacts service's
   * records). A merged contact is linked to its survivor, where it lives now.
   */
  private async checkLinks(tenantId: string, input: { contactId?: string | null; companyId?: string | null }) {
    const ids: { contactId?: string | null; companyId?: string | null } = {};
    let contact: Record<string, unknown> | null = null;
    let company: Record<string, unknown> | null = null;
    if (input.contactId) {
      const record = await this.directory.find('contact', tenantId, input.contactId);
      if (!record) throw new DomainError('invalid', 'Invalid contactId: no such contact', [{ field: 'contactId', reason: 'no contact with this id' }]);
      ids.contactId = record.recordId;
      contact = record.data;
    } else if (input.contactId !== undefined) {
      ids.contactId = null;
    }
    if (input.companyId) {
      const record = await this.directory.find('company', tenantId, input.companyId);
      if (!record) throw new DomainError('invalid', 'Invalid companyId: no such company', [{ field: 'companyId', reason: 'no company with this id' }]);
      ids.companyId = record.recordId;
      company = record.data;
    } else if (input.companyId !== undefined) {
      ids.companyId = null;
    }
    return { ids, contact, company };
  }

  /** Territory rules pick an owner from the contact's (else the company's) region and industry. */
  private async assignOwner(tenantId: string, contact: Record<string, unknown> | null, company: Record<string, unknown> | null): Promise<string | null> {
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
    const region = text(contact?.region) ?? text(company?.region);
    const industry = text(contact?.industry) ?? text(company?.industry);
    const assigned = await this.ownerAssignment.ownerFor(tenantId, { kind: 'deal', region, industry });
    return assigned?.ownerId ?? null;
  }

  private async run(context: CommandContext, dealId: string, command: DealCommand): Promise<WriteResult<DealView>> {
    const result = await this.deals.handle(dealStream(context.tenantId, dealId), command, context);
    if (result.state.lifecycle !== 'active') throw new DomainError('not_found', 'Deal not found');
    return { view: toDealView(result.state, result.revision, timesAfter(result)), revision: result.revision, position: result.position };
  }
}

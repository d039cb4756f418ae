import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import { type HistoryEntry, toHistory, type WriteResult } from '@crm/runtime';
import {
  DEFAULT_STAGES,
  type PipelineCommand,
  pipelineDecider,
  type PipelineEvent,
  type PipelineEventType,
  type PipelineState,
  type StageInput,
} from '../domain/pipeline';
import { pipelineStream } from '../domain/streams';
import type { PipelineView } from './deal-read-models';

export interface CreatePipelineInput {
  name?: string;
  /** Stages in board order; a common B2B set when omitted. Ids are assigned when missing. */
  stages?: Omit<StageInput, 'stageId'>[];
}

export const PIPELINE_FIELDS_BY_EVENT: Record<PipelineEventType, string[]> = {
  PipelineCreated: [],
  PipelineRenamed: ['name'],
  StageAdded: ['stages'],
  StageRenamed: ['stages'],
  StageProbabilityChanged: ['stages'],
  StagesReordered: ['stages'],
  StageRemoved: ['stages'],
};

function toPipelineView(state: PipelineState, revision: number, createdAt: string, updatedAt: string): PipelineView {
  return { id: state.id!, name: state.name, stages: state.stages, revision, createdAt, updatedAt };
}

const timesOf = (events: { metadata: { occurredAt: string } }[]) => ({
  createdAt: events[0]?.metadata.occurredAt ?? '',
  updatedAt: events[events.length - 1]?.metadata.occurredAt ?? '',
});

/** Command and single-record query handlers for pipelines and their stages. */
export class PipelinesService {
  private readonly pipelines: EventSourcedCommandHandler<PipelineCommand, PipelineState, PipelineEvent>;

  constructor(
    store: EventStore,
    private readonly newId: () => string = newRecordId,
  ) {
    this.pipelines = new EventSourcedCommandHandler(store, pipelineDecider);
  }

  create(context: CommandContext, input: CreatePipelineInput): Promise<WriteResult<PipelineView>> {
    const pipelineId = this.newId();
    const stages = (input.stages ?? DEFAULT_STAGES).map((stage) => ({ ...stage, stageId: this.newId() }));
    return this.run(context, pipelineId, { type: 'CreatePipeline', pipelineId, name: input.name, stages });
  }

  rename(context: CommandContext, pipelineId: string, name: string | undefined): Promise<WriteResult<PipelineView>> {
    return this.run(context, pipelineId, { type: 'RenamePipeline', name });
  }

  addStage(context: CommandContext, pipelineId: string, stage: Omit<StageInput, 'stageId'>, position?: number): Promise<WriteResult<PipelineView>> {
    return this.run(context, pipelineId, { type: 'AddStage', stage: { ...stage, stageId: this.newId() }, position });
  }

  changeStage(context: CommandContext, pipelineId: string, stageId: string, change: { name?: string; probability?: number }) {
    return this.run(context, pipelineId, { type: 'ChangeStage', stageId, ...change });
  }

  reorderStages(context: CommandContext, pipelineId: string, stageIds: string[]): Promise<WriteResult<PipelineView>> {
    return this.run(context, pipelineId, { type: 'ReorderStages', stageIds });
  }

  removeStage(context: CommandContext, pipelineId: string, stageId: string, moveDealsTo: string | null, openDealsInStage: number) {
    return this.run(context, pipelineId, { type: 'RemoveStage', stageId, moveDealsTo, openDealsInStage });
  }

  /** The pipeline's current state, or null when there is none with this id. */
  async find(tenantId: string, pipelineId: string, asOf?: string): Promise<{ state: PipelineState; revision: number; events: RecordedEvent[] } | null> {
    const loaded = await this.pipelines.load(pipelineStream(tenantId, pipelineId), asOf);
    return loaded.state.id === null ? null : loaded;
  }

  /** A pipeline a deal refers to: an unknown id is the caller's mistake (400 on `field`). */
  async forDeal(tenantId: string, pipelineId: string, field = 'pipelineId'): Promise<PipelineState> {
    const found = await this.find(tenantId, pipelineId);
    if (!found) throw new DomainError('invalid', `Invalid ${field}: no pipeline ${pipelineId}`, [{ field, reason: 'no pipeline with this id' }]);
    return found.state;
  }

  async get(tenantId: string, pipelineId: string, asOf?: string): Promise<PipelineView> {
    const found = await this.find(tenantId, pipelineId, asOf);
    if (!found) throw new DomainError('not_found', asOf ? `Pipeline did not exist at ${asOf}` : 'Pipeline not found');
    const { createdAt, updatedAt } = timesOf(found.events);
    return toPipelineView(found.state, found.revision, createdAt, updatedAt);
  }

  async history(tenantId: string, pipelineId: string): Promise<HistoryEntry[]> {
    const found = await this.find(tenantId, pipelineId);
    if (!found) throw new DomainError('not_found', 'Pipeline not found');
    return toHistory(found.events, PIPELINE_FIELDS_BY_EVENT, 'pipelineId');
  }

  private async run(context: CommandContext, pipelineId: string, command: PipelineCommand): Promise<WriteResult<PipelineView>> {
    const result = await this.pipelines.handle(pipelineStream(context.tenantId, pipelineId), command, context);
    const before = timesOf(result.history);
    const view = toPipelineView(
      result.state,
      result.revision,
      before.createdAt || result.occurredAt,
      result.events.length > 0 ? result.occurredAt : before.updatedAt,
    );
    return { view, revision: result.revision, position: result.position };
  }
}

import { type CommandContext, DomainError } from '@crm/decider';
import type { WriteResult } from '@crm/runtime';
import type { DealQueries } from './deal-queries';
import type { PipelineView } from './deal-read-models';
import type { DealsService } from './deals.service';
import type { PipelinesService } from './pipelines.service';

/**
 * Removing a stage touches the pipeline and every open deal in the stage, with no transaction across
 * streams. The pipeline decides first (refusing while open deals are there and no target is named),
 * then each deal is moved with its own DealStageChanged. If that is interrupted, the same DELETE again
 * finds the stage removed with the same target and finishes the moves, so the operation can be retried.
 */
export class PipelineStageRemoval {
  constructor(
    private readonly pipelines: PipelinesService,
    private readonly deals: DealsService,
    private readonly queries: DealQueries,
  ) {}

  async removeStage(context: CommandContext, pipelineId: string, stageId: string, moveDealsTo: string | null): Promise<WriteResult<PipelineView>> {
    const found = await this.pipelines.find(context.tenantId, pipelineId);
    if (!found) throw new DomainError('not_found', 'Pipeline not found');
    const removedEarlier = found.state.removedStages.find((stage) => stage.stageId === stageId);
    if (removedEarlier) return this.finishEarlierRemoval(context, pipelineId, stageId, moveDealsTo);

    // The count comes from the read model: wait until it reflects the log, so a deal created a moment ago counts.
    await this.queries.catchUp();
    const openDeals = await this.queries.countOpenDealsInStage(context.tenantId, pipelineId, stageId);
    const result = await this.pipelines.removeStage(context, pipelineId, stageId, moveDealsTo, openDeals);
    if (moveDealsTo) await this.moveOpenDeals(context, pipelineId, stageId, moveDealsTo);
    return result;
  }

  private async finishEarlierRemoval(context: CommandContext, pipelineId: string, stageId: string, moveDealsTo: string | null): Promise<WriteResult<PipelineView>> {
    const history = await this.pipelines.history(context.tenantId, pipelineId);
    const removal = history.find((entry) => entry.type === 'StageRemoved' && (entry.data as { stageId: string }).stageId === stageId);
    const movedDealsTo = (removal?.data as { movedDealsTo: string | null } | undefined)?.movedDealsTo ?? null;
    if (movedDealsTo !== (moveDealsTo || null)) throw new DomainError('not_found', `Stage ${stageId} was removed already`);
    if (movedDealsTo) await this.moveOpenDeals(context, pipelineId, stageId, movedDealsTo);
    const view = await this.pipelines.get(context.tenantId, pipelineId);
    return { view, revision: view.revision, position: -1 };
  }

  /** Moves every open deal still in the removed stage; deals created there concurrently are caught by a second pass. */
  private async moveOpenDeals(context: CommandContext, pipelineId: string, fromStageId: string, toStageId: string): Promise<void> {
    const pipeline = (await this.pipelines.find(context.tenantId, pipelineId))!.state;
    // If-Match named the pipeline's revision, not the deals'.
    const dealContext: CommandContext = { ...context, expectedRevision: undefined, idempotencyKey: undefined };
    for (let pass = 0; pass < 2; pass++) {
      await this.queries.catchUp();
      const dealIds = await this.queries.openDealIdsInStage(context.tenantId, pipelineId, fromStageId);
      if (dealIds.length === 0) return;
      for (const dealId of dealIds) await this.deals.moveOutOfRemovedStage(dealContext, dealId, pipeline, fromStageId, toStageId);
    }
  }
}

import type { ReadStore } from '@crm/readstore';
import type { StageType } from '../domain/deal';
import { ExactDecimal, formatAmount, type Money } from '../domain/money';
import type { PipelineState } from '../domain/pipeline';
import { DEAL_BOARD_COLLECTION, type DealBoardCell } from './deal-read-models';

export interface BoardStage {
  stageId: string;
  name: string;
  type: StageType;
  probability: number;
  count: number;
  /** Sum of the deals' amounts per currency, exact, sorted by currency; empty when the stage is empty. */
  totals: Money[];
}

export interface Board {
  pipelineId: string;
  name: string;
  /** In board order. */
  stages: BoardStage[];
  /** Open deals of the whole pipeline: count and sums per currency. */
  open: { count: number; totals: Money[] };
}

/** Adds up cells per currency; a currency's sum is an exact decimal formatted with its minor units. */
function totalsOf(cells: DealBoardCell[]): Money[] {
  const sums = new Map<string, ExactDecimal>();
  for (const cell of cells) {
    if (cell.count === 0) continue;
    sums.set(cell.currency, (sums.get(cell.currency) ?? new ExactDecimal(0)).plus(cell.amount));
  }
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, sum]) => ({ currency, amount: formatAmount(sum, currency) }));
}

/**
 * The board of a pipeline: per stage, in the pipeline's order, how many deals and how much money.
 * Read from cells the deals projection keeps up to date (one per stage and currency), so a board
 * costs one small query whatever the number of deals.
 */
export class DealBoard {
  constructor(private readonly readStore: ReadStore) {}

  async board(tenantId: string, pipeline: PipelineState): Promise<Board> {
    const cells = await this.readStore.collection<DealBoardCell>(DEAL_BOARD_COLLECTION).find({ tenantId, pipelineId: pipeline.id });
    const byStage = new Map<string, DealBoardCell[]>();
    for (const cell of cells) byStage.set(cell.stageId, [...(byStage.get(cell.stageId) ?? []), cell]);
    const stages = pipeline.stages.map((stage) => {
      const stageCells = byStage.get(stage.stageId) ?? [];
      return {
        stageId: stage.stageId,
        name: stage.name,
        type: stage.type,
        probability: stage.probability,
        count: stageCells.reduce((count, cell) => count + cell.count, 0),
        totals: totalsOf(stageCells),
      };
    });
    const openStageIds = new Set(pipeline.stages.filter((stage) => stage.type === 'open').map((stage) => stage.stageId));
    const openCells = cells.filter((cell) => openStageIds.has(cell.stageId));
    return {
      pipelineId: pipeline.id!,
      name: pipeline.name,
      stages,
      open: { count: openCells.reduce((count, cell) => count + cell.count, 0), totals: totalsOf(openCells) },
    };
  }
}

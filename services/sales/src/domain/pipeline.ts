import { type Decider, DomainError } from '@crm/decider';
import { STAGE_TYPES, type StageRef, type StageType } from './deal';

export interface PipelineStage {
  stageId: string;
  name: string;
  /** Default win probability of deals in this stage, a whole percentage 0-100. */
  probability: number;
  type: StageType;
}

export type PipelineEvent =
  | { type: 'PipelineCreated'; data: { pipelineId: string; name: string; stages: PipelineStage[] } }
  | { type: 'PipelineRenamed'; data: { pipelineId: string; name: string } }
  /** `position` is the 0-based index the stage takes in the order. */
  | { type: 'StageAdded'; data: { pipelineId: string; stageId: string; name: string; probability: number; type: StageType; position: number } }
  | { type: 'StageRenamed'; data: { pipelineId: string; stageId: string; name: string } }
  | { type: 'StageProbabilityChanged'; data: { pipelineId: string; stageId: string; probability: number } }
  | { type: 'StagesReordered'; data: { pipelineId: string; stageIds: string[] } }
  | { type: 'StageRemoved'; data: { pipelineId: string; stageId: string; movedDealsTo: string | null } };

export type PipelineEventType = PipelineEvent['type'];

export const PIPELINE_EVENT_TYPES: readonly PipelineEventType[] = [
  'PipelineCreated',
  'PipelineRenamed',
  'StageAdded',
  'StageRenamed',
  'StageProbabilityChanged',
  'StagesReordered',
  'StageRemoved',
];

export interface StageInput {
  stageId: string;
  name?: string;
  probability?: number;
  type?: StageType;
}

export type PipelineCommand =
  | { type: 'CreatePipeline'; pipelineId: string; name?: string; stages: StageInput[] }
  | { type: 'RenamePipeline'; name?: string }
  | { type: 'AddStage'; stage: StageInput; position?: number }
  | { type: 'ChangeStage'; stageId: string; name?: string; probability?: number }
  | { type: 'ReorderStages'; stageIds: string[] }
  /**
   * `openDealsInStage` is counted by the application from the deals read model: the pipeline does not
   * hold its deals. With open deals the caller must say where they go (another open stage).
   */
  | { type: 'RemoveStage'; stageId: string; moveDealsTo?: string | null; openDealsInStage: number };

export interface PipelineState {
  id: string | null;
  name: string;
  /** Current stages, in board order. */
  stages: PipelineStage[];
  /** Removed stages, kept so that old deal history can still name them. */
  removedStages: PipelineStage[];
}

const MAX_NAME = 100;
const MAX_STAGES = 50;

function invalid(field: string, reason: string): DomainError {
  return new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);
}

function normaliseName(name: string | undefined, field: string, what: string): string {
  const trimmed = name?.trim() ?? '';
  if (!trimmed) throw invalid(field, `a ${what} needs a name`);
  if (trimmed.length > MAX_NAME) throw invalid(field, `at most ${MAX_NAME} characters`);
  return trimmed;
}

/**
 * Won stages are certain (100) and lost stages are certainly not (0), so that a closed deal never
 * weighs on the forecast as anything but closed; open stages take any whole percentage.
 */
function stageProbability(type: StageType, probability: number | undefined, field: string): number {
  if (type === 'won') {
    if (probability !== undefined && probability !== 100) throw invalid(field, 'a won stage has probability 100');
    return 100;
  }
  if (type === 'lost') {
    if (probability !== undefined && probability !== 0) throw invalid(field, 'a lost stage has probability 0');
    return 0;
  }
  if (probability === undefined) return 0;
  if (!Number.isInteger(probability) || probability < 0 || probability > 100) throw invalid(field, 'a whole percentage between 0 and 100');
  return probability;
}

function normaliseStage(input: StageInput, field: string): PipelineStage {
  const type = input.type ?? 'open';
  if (!(STAGE_TYPES as readonly string[]).includes(type)) throw invalid(`${field}.type`, `one of ${STAGE_TYPES.join(', ')}`);
  if (!input.stageId) throw invalid(`${field}.stageId`, 'a stage needs an id');
  return {
    stageId: input.stageId,
    name: normaliseName(input.name, `${field}.name`, 'stage'),
    probability: stageProbability(type, input.probability, `${field}.probability`),
    type,
  };
}

function assertUniqueNames(stages: PipelineStage[], field: string): void {
  const seen = new Set<string>();
  for (const stage of stages) {
    const key = stage.name.toLowerCase();
    if (seen.has(key)) throw invalid(field, `two stages are named "${stage.name}"`);
    seen.add(key);
  }
}

function assertHasOpenStage(stages: PipelineStage[], field: string): void {
  if (!stages.some((stage) => stage.type === 'open')) throw invalid(field, 'a pipeline needs at least one open stage');
}

function findStage(state: PipelineState, stageId: string): PipelineStage {
  const stage = state.stages.find((candidate) => candidate.stageId === stageId);
  if (!stage) throw new DomainError('not_found', `Stage ${stageId} not found in pipeline ${state.id}`, [{ field: 'stageId', reason: 'no such stage in this pipeline' }]);
  return stage;
}

function decide(command: PipelineCommand, state: PipelineState): PipelineEvent[] {
  if (command.type === 'CreatePipeline') {
    if (state.id !== null) throw new DomainError('conflict', `Pipeline ${command.pipelineId} already exists`);
    const name = normaliseName(command.name, 'name', 'pipeline');
    if (command.stages.length > MAX_STAGES) throw invalid('stages', `at most ${MAX_STAGES} stages`);
    const stages = command.stages.map((stage, index) => normaliseStage(stage, `stages[${index}]`));
    if (new Set(stages.map((stage) => stage.stageId)).size !== stages.length) throw invalid('stages', 'stage ids must be unique');
    assertUniqueNames(stages, 'stages');
    assertHasOpenStage(stages, 'stages');
    return [{ type: 'PipelineCreated', data: { pipelineId: command.pipelineId, name, stages } }];
  }
  if (state.id === null) throw new DomainError('not_found', 'Pipeline not found');
  const pipelineId = state.id;
  switch (command.type) {
    case 'RenamePipeline': {
      const name = normaliseName(command.name, 'name', 'pipeline');
      return name === state.name ? [] : [{ type: 'PipelineRenamed', data: { pipelineId, name } }];
    }
    case 'AddStage': {
      if (state.stages.length >= MAX_STAGES) throw invalid('stages', `at most ${MAX_STAGES} stages`);
      const stage = normaliseStage(command.stage, 'stage');
      if ([...state.stages, ...state.removedStages].some((existing) => existing.stageId === stage.stageId)) {
        throw new DomainError('conflict', `Stage ${stage.stageId} already exists`);
      }
      assertUniqueNames([...state.stages, stage], 'name');
      const position = command.position ?? state.stages.length;
      if (!Number.isInteger(position) || position < 0 || position > state.stages.length) {
        throw invalid('position', `between 0 and ${state.stages.length}`);
      }
      return [{ type: 'StageAdded', data: { pipelineId, ...stage, position } }];
    }
    case 'ChangeStage': {
      const stage = findStage(state, command.stageId);
      const events: PipelineEvent[] = [];
      if (command.name !== undefined) {
        const name = normaliseName(command.name, 'name', 'stage');
        if (name !== stage.name) {
          assertUniqueNames(state.stages.map((other) => (other.stageId === stage.stageId ? { ...other, name } : other)), 'name');
          events.push({ type: 'StageRenamed', data: { pipelineId, stageId: stage.stageId, name } });
        }
      }
      if (command.probability !== undefined) {
        const probability = stageProbability(stage.type, command.probability, 'probability');
        if (probability !== stage.probability) events.push({ type: 'StageProbabilityChanged', data: { pipelineId, stageId: stage.stageId, probability } });
      }
      return events;
    }
    case 'ReorderStages': {
      const current = state.stages.map((stage) => stage.stageId);
      const wanted = command.stageIds;
      if (wanted.length !== current.length || new Set(wanted).size !== wanted.length || !wanted.every((id) => current.includes(id))) {
        throw invalid('stageIds', 'must list every stage of the pipeline exactly once');
      }
      return wanted.every((id, index) => id === current[index]) ? [] : [{ type: 'StagesReordered', data: { pipelineId, stageIds: [...wanted] } }];
    }
    case 'RemoveStage': {
      const stage = findStage(state, command.stageId);
      const remaining = state.stages.filter((other) => other.stageId !== stage.stageId);
      assertHasOpenStage(remaining, 'stageId');
      const moveDealsTo = command.moveDealsTo || null;
      if (moveDealsTo !== null) {
        if (moveDealsTo === stage.stageId) throw invalid('moveDealsTo', 'must name another stage than the one removed');
        const target = remaining.find((other) => other.stageId === moveDealsTo);
        if (!target) throw invalid('moveDealsTo', 'must name another stage of this pipeline');
        if (target.type !== 'open') throw invalid('moveDealsTo', 'open deals move to an open stage (closing a deal needs a reason)');
      } else if (command.openDealsInStage > 0) {
        throw new DomainError('conflict', `Stage ${stage.name} holds ${command.openDealsInStage} open deal(s): name the stage they move to (moveDealsTo)`, [
          { field: 'moveDealsTo', reason: 'required while the stage holds open deals' },
        ]);
      }
      return [{ type: 'StageRemoved', data: { pipelineId, stageId: stage.stageId, movedDealsTo: moveDealsTo } }];
    }
  }
}

function evolve(state: PipelineState, event: PipelineEvent): PipelineState {
  switch (event.type) {
    case 'PipelineCreated':
      return { id: event.data.pipelineId, name: event.data.name, stages: event.data.stages, removedStages: [] };
    case 'PipelineRenamed':
      return { ...state, name: event.data.name };
    case 'StageAdded': {
      const { pipelineId: _pipelineId, position, ...stage } = event.data;
      const stages = [...state.stages];
      stages.splice(position, 0, stage);
      return { ...state, stages };
    }
    case 'StageRenamed':
      return { ...state, stages: state.stages.map((stage) => (stage.stageId === event.data.stageId ? { ...stage, name: event.data.name } : stage)) };
    case 'StageProbabilityChanged':
      return {
        ...state,
        stages: state.stages.map((stage) => (stage.stageId === event.data.stageId ? { ...stage, probability: event.data.probability } : stage)),
      };
    case 'StagesReordered': {
      const byId = new Map(state.stages.map((stage) => [stage.stageId, stage]));
      return { ...state, stages: event.data.stageIds.map((id) => byId.get(id)!).filter(Boolean) };
    }
    case 'StageRemoved': {
      const removed = state.stages.find((stage) => stage.stageId === event.data.stageId);
      return {
        ...state,
        stages: state.stages.filter((stage) => stage.stageId !== event.data.stageId),
        removedStages: removed ? [...state.removedStages, removed] : state.removedStages,
      };
    }
    default:
      return state;
  }
}

export const pipelineDecider: Decider<PipelineCommand, PipelineState, PipelineEvent> = {
  initialState: () => ({ id: null, name: '', stages: [], removedStages: [] }),
  decide,
  evolve,
};

/** The stage as a deal sees it on entering it; not_found (field `stageId`) when the pipeline has no such stage. */
export function stageRef(state: PipelineState, stageId: string, field = 'stageId'): StageRef {
  const stage = state.stages.find((candidate) => candidate.stageId === stageId);
  if (!stage) {
    throw new DomainError('invalid', `Invalid ${field}: no stage ${stageId} in pipeline ${state.id}`, [{ field, reason: 'no such stage in this pipeline' }]);
  }
  return { pipelineId: state.id!, stageId: stage.stageId, type: stage.type, probability: stage.probability };
}

/** The first stage of a type in board order (where a new deal starts, where "won" puts a deal). */
export function firstStageOfType(state: PipelineState, type: StageType): PipelineStage | null {
  return state.stages.find((stage) => stage.type === type) ?? null;
}

/** A stage's name, also for removed stages, for histories. */
export function stageName(state: PipelineState, stageId: string): string | null {
  return [...state.stages, ...state.removedStages].find((stage) => stage.stageId === stageId)?.name ?? null;
}

/** Stages a new pipeline gets when none are given: a common B2B sales process. */
export const DEFAULT_STAGES: readonly Omit<PipelineStage, 'stageId'>[] = [
  { name: 'Qualification', probability: 10, type: 'open' },
  { name: 'Needs analysis', probability: 25, type: 'open' },
  { name: 'Proposal', probability: 50, type: 'open' },
  { name: 'Negotiation', probability: 75, type: 'open' },
  { name: 'Won', probability: 100, type: 'won' },
  { name: 'Lost', probability: 0, type: 'lost' },
];

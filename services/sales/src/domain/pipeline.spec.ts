import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { firstStageOfType, pipelineDecider, type PipelineEvent, stageName, stageRef } from './pipeline';

const created: PipelineEvent = {
  type: 'PipelineCreated',
  data: {
    pipelineId: 'p1',
    name: 'New business',
    stages: [
      { stageId: 's1', name: 'Qualify', probability: 10, type: 'open' },
      { stageId: 's2', name: 'Propose', probability: 50, type: 'open' },
      { stageId: 'sw', name: 'Won', probability: 100, type: 'won' },
      { stageId: 'sl', name: 'Lost', probability: 0, type: 'lost' },
    ],
  },
};

describe('pipeline decider', () => {
  describe('creating', () => {
    it('creates a pipeline with typed stages; won is 100 % and lost 0 % by definition', () => {
      given(pipelineDecider)
        .when({
          type: 'CreatePipeline',
          pipelineId: 'p1',
          name: ' New business ',
          stages: [
            { stageId: 's1', name: 'Qualify', probability: 10 },
            { stageId: 's2', name: 'Propose', probability: 50, type: 'open' },
            { stageId: 'sw', name: 'Won', type: 'won' },
            { stageId: 'sl', name: 'Lost', type: 'lost' },
          ],
        })
        .then([created]);
    });

    it('needs a name and at least one open stage', () => {
      given(pipelineDecider).when({ type: 'CreatePipeline', pipelineId: 'p1', name: '', stages: [{ stageId: 's1', name: 'A' }] }).thenThrows(DomainError, /name/);
      given(pipelineDecider)
        .when({ type: 'CreatePipeline', pipelineId: 'p1', name: 'P', stages: [{ stageId: 'sw', name: 'Won', type: 'won' }] })
        .thenThrows(DomainError, /open stage/);
      given(pipelineDecider).when({ type: 'CreatePipeline', pipelineId: 'p1', name: 'P', stages: [] }).thenThrows(DomainError, /open stage/);
    });

    it('refuses probabilities outside 0-100, fractional ones, and won/lost stages with other probabilities', () => {
      const create = (stage: object) => given(pipelineDecider).when({ type: 'CreatePipeline', pipelineId: 'p1', name: 'P', stages: [{ stageId: 's1', name: 'A', ...stage }] });
      create({ probability: 101 }).thenThrows(DomainError, /probability/);
      create({ probability: -1 }).thenThrows(DomainError, /probability/);
      create({ probability: 12.5 }).thenThrows(DomainError, /probability/);
      given(pipelineDecider)
        .when({ type: 'CreatePipeline', pipelineId: 'p1', name: 'P', stages: [{ stageId: 's1', name: 'A' }, { stageId: 'sw', name: 'W', type: 'won', probability: 90 }] })
        .thenThrows(DomainError, /won stage has probability 100/);
      create({ type: 'maybe' }).thenThrows(DomainError, /type/);
    });

    it('refuses two stages with the same name', () => {
      given(pipelineDecider)
        .when({ type: 'CreatePipeline', pipelineId: 'p1', name: 'P', stages: [{ stageId: 's1', name: 'Demo' }, { stageId: 's2', name: 'demo' }] })
        .thenThrows(DomainError, /two stages/);
    });

    it('refuses to create a pipeline twice', () => {
      given(pipelineDecider, [created]).when({ type: 'CreatePipeline', pipelineId: 'p1', name: 'P', stages: [{ stageId: 'x', name: 'A' }] }).thenThrows(DomainError, /already exists/);
    });
  });

  it('renames a pipeline, and does nothing for the same name', () => {
    given(pipelineDecider, [created]).when({ type: 'RenamePipeline', name: 'Renewals' }).then([{ type: 'PipelineRenamed', data: { pipelineId: 'p1', name: 'Renewals' } }]);
    given(pipelineDecider, [created]).when({ type: 'RenamePipeline', name: 'New business' }).thenNothingHappens();
    given(pipelineDecider).when({ type: 'RenamePipeline', name: 'X' }).thenThrows(DomainError, /not found/);
  });

  describe('adding stages', () => {
    it('adds a stage at a position', () => {
      const state = given(pipelineDecider, [created])
        .when({ type: 'AddStage', stage: { stageId: 's3', name: 'Negotiate', probability: 75 }, position: 2 })
        .then([{ type: 'StageAdded', data: { pipelineId: 'p1', stageId: 's3', name: 'Negotiate', probability: 75, type: 'open', position: 2 } }]);
      expect(state.stages.map((stage) => stage.stageId)).toEqual(['s1', 's2', 's3', 'sw', 'sl']);
    });

    it('adds at the end by default, and refuses bad positions, duplicate names and reused ids', () => {
      const state = given(pipelineDecider, [created]).when({ type: 'AddStage', stage: { stageId: 's3', name: 'Later' } }).then((events) => expect(events[0].data).toMatchObject({ position: 4 }));
      expect(state.stages.at(-1)?.stageId).toBe('s3');
      given(pipelineDecider, [created]).when({ type: 'AddStage', stage: { stageId: 's3', name: 'X' }, position: 9 }).thenThrows(DomainError, /position/);
      given(pipelineDecider, [created]).when({ type: 'AddStage', stage: { stageId: 's3', name: 'qualify' } }).thenThrows(DomainError, /two stages/);
      given(pipelineDecider, [created]).when({ type: 'AddStage', stage: { stageId: 's1', name: 'Other' } }).thenThrows(DomainError, /already exists/);
    });
  });

  describe('changing stages', () => {
    it('renames a stage and changes its probability', () => {
      given(pipelineDecider, [created])
        .when({ type: 'ChangeStage', stageId: 's2', name: 'Proposal sent', probability: 60 })
        .then([
          { type: 'StageRenamed', data: { pipelineId: 'p1', stageId: 's2', name: 'Proposal sent' } },
          { type: 'StageProbabilityChanged', data: { pipelineId: 'p1', stageId: 's2', probability: 60 } },
        ]);
    });

    it('refuses unknown stages, clashing names, and probabilities that contradict a won or lost stage', () => {
      given(pipelineDecider, [created]).when({ type: 'ChangeStage', stageId: 'nope', name: 'X' }).thenThrows(DomainError, /not found/);
      given(pipelineDecider, [created]).when({ type: 'ChangeStage', stageId: 's2', name: 'Qualify' }).thenThrows(DomainError, /two stages/);
      given(pipelineDecider, [created]).when({ type: 'ChangeStage', stageId: 'sw', probability: 80 }).thenThrows(DomainError, /100/);
      given(pipelineDecider, [created]).when({ type: 'ChangeStage', stageId: 'sl', probability: 0 }).thenNothingHappens();
    });
  });

  describe('reordering', () => {
    it('reorders stages given every id once', () => {
      const state = given(pipelineDecider, [created])
        .when({ type: 'ReorderStages', stageIds: ['s2', 's1', 'sw', 'sl'] })
        .then([{ type: 'StagesReordered', data: { pipelineId: 'p1', stageIds: ['s2', 's1', 'sw', 'sl'] } }]);
      expect(firstStageOfType(state, 'open')?.stageId).toBe('s2');
      given(pipelineDecider, [created]).when({ type: 'ReorderStages', stageIds: ['s1', 's2', 'sw', 'sl'] }).thenNothingHappens();
    });

    it('refuses missing, repeated or unknown ids', () => {
      given(pipelineDecider, [created]).when({ type: 'ReorderStages', stageIds: ['s2', 's1', 'sw'] }).thenThrows(DomainError, /every stage/);
      given(pipelineDecider, [created]).when({ type: 'ReorderStages', stageIds: ['s2', 's2', 'sw', 'sl'] }).thenThrows(DomainError, /every stage/);
      given(pipelineDecider, [created]).when({ type: 'ReorderStages', stageIds: ['s2', 's1', 'sw', 'zz'] }).thenThrows(DomainError, /every stage/);
    });
  });

  describe('removing stages', () => {
    it('removes an empty stage, keeping its name for history', () => {
      const state = given(pipelineDecider, [created])
        .when({ type: 'RemoveStage', stageId: 's2', openDealsInStage: 0 })
        .then([{ type: 'StageRemoved', data: { pipelineId: 'p1', stageId: 's2', movedDealsTo: null } }]);
      expect(state.stages.map((stage) => stage.stageId)).toEqual(['s1', 'sw', 'sl']);
      expect(stageName(state, 's2')).toBe('Propose');
      expect(() => stageRef(state, 's2')).toThrow(DomainError);
    });

    it('refuses to remove a stage holding open deals unless told where they go', () => {
      given(pipelineDecider, [created]).when({ type: 'RemoveStage', stageId: 's2', openDealsInStage: 3 }).thenThrows(DomainError, /3 open deal/);
      given(pipelineDecider, [created])
        .when({ type: 'RemoveStage', stageId: 's2', moveDealsTo: 's1', openDealsInStage: 3 })
        .then([{ type: 'StageRemoved', data: { pipelineId: 'p1', stageId: 's2', movedDealsTo: 's1' } }]);
    });

    it('moves deals only to another open stage of the same pipeline', () => {
      given(pipelineDecider, [created]).when({ type: 'RemoveStage', stageId: 's2', moveDealsTo: 's2', openDealsInStage: 1 }).thenThrows(DomainError, /another stage/);
      given(pipelineDecider, [created]).when({ type: 'RemoveStage', stageId: 's2', moveDealsTo: 'elsewhere', openDealsInStage: 1 }).thenThrows(DomainError, /this pipeline/);
      given(pipelineDecider, [created]).when({ type: 'RemoveStage', stageId: 's2', moveDealsTo: 'sw', openDealsInStage: 1 }).thenThrows(DomainError, /open stage/);
    });

    it('keeps at least one open stage', () => {
      const onlyOneOpen: PipelineEvent[] = [created, { type: 'StageRemoved', data: { pipelineId: 'p1', stageId: 's2', movedDealsTo: null } }];
      given(pipelineDecider, onlyOneOpen).when({ type: 'RemoveStage', stageId: 's1', openDealsInStage: 0 }).thenThrows(DomainError, /at least one open stage/);
      given(pipelineDecider, onlyOneOpen).when({ type: 'RemoveStage', stageId: 'sw', openDealsInStage: 0 }).then((events) => expect(events).toHaveLength(1));
    });

    it('refuses an unknown stage', () => {
      given(pipelineDecider, [created]).when({ type: 'RemoveStage', stageId: 'nope', openDealsInStage: 0 }).thenThrows(DomainError, /not found/);
    });
  });
});

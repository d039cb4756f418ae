import type { RecordedEvent } from '@crm/eventstore';
import type { IndexSpec, Projection, ReadStore } from '@crm/readstore';
import { pipelineDocumentId, PIPELINES_COLLECTION, PIPELINES_PROJECTION, type PipelineDocument } from '../application/deal-read-models';
import { PIPELINE_EVENT_TYPES, pipelineDecider, type PipelineEvent, type PipelineState } from '../domain/pipeline';
import { parseStreamName } from '../domain/streams';

export const PIPELINES_INDEXES: Record<string, IndexSpec[]> = {
  [PIPELINES_COLLECTION]: [{ keys: { tenantId: 1, createdAt: 1 } }],
};

function stateOf(document: PipelineDocument | null): PipelineState {
  if (!document) return pipelineDecider.initialState();
  return { id: document.id, name: document.name, stages: document.stages, removedStages: document.removedStages };
}

/** Applies one pipeline event to the pipelines list; idempotent by the position each document remembers. */
export async function applyPipelineEvent(event: RecordedEvent, store: ReadStore): Promise<void> {
  const stream = parseStreamName(event.streamName);
  if (!stream || stream.kind !== 'pipeline') return;
  const pipelines = store.collection<PipelineDocument>(PIPELINES_COLLECTION);
  const id = pipelineDocumentId(stream.tenantId, stream.id);
  const current = await pipelines.findOne({ _id: id });
  if (current && current._position >= event.position) return;
  const state = pipelineDecider.evolve(stateOf(current), { type: event.type, data: event.data } as PipelineEvent);
  const document: PipelineDocument = {
    _id: id,
    tenantId: stream.tenantId,
    id: stream.id,
    name: state.name,
    stages: state.stages,
    removedStages: state.removedStages,
    revision: event.revision,
    createdAt: current?.createdAt ?? event.metadata.occurredAt,
    updatedAt: event.metadata.occurredAt,
    _position: event.position,
  };
  await pipelines.replaceOne({ _id: id }, document, { upsert: true });
}

/** The pipelines list (`GET /pipelines`). */
export function pipelinesProjection(): Projection {
  return {
    name: PIPELINES_PROJECTION,
    filter: { eventTypes: [...PIPELINE_EVENT_TYPES] },
    indexes: PIPELINES_INDEXES,
    apply: applyPipelineEvent,
  };
}

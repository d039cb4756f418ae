import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import { type HistoryEntry, loadView, timestamps, timestampsAfter, toHistory, type WriteResult } from '@crm/runtime';
import { type TerritoryCommand, territoryDecider, type TerritoryEvent, type TerritoryInput, type TerritoryState } from '../domain/territory';
import { territoryStream } from '../domain/streams';
import type { TerritoryView } from './territory-read-model';

function toView(state: TerritoryState, revision: number, times: { createdAt: string; updatedAt: string }): TerritoryView {
  const { lifecycle: _lifecycle, id, ...fields } = state;
  return { id: id as string, ...fields, revision, ...times };
}

/** Command and single-record query handlers for territories. */
export class TerritoriesService {
  private readonly territories: EventSourcedCommandHandler<TerritoryCommand, TerritoryState, TerritoryEvent>;

  constructor(
    store: EventStore,
    private readonly newId: () => string = newRecordId,
  ) {
    this.territories = new EventSourcedCommandHandler(store, territoryDecider);
  }

  create(context: CommandContext, input: TerritoryInput): Promise<WriteResult<TerritoryView>> {
    const territoryId = this.newId();
    return this.run(context, territoryId, { type: 'CreateTerritory', territoryId, input });
  }

  update(context: CommandContext, territoryId: string, input: TerritoryInput): Promise<WriteResult<TerritoryView>> {
    return this.run(context, territoryId, { type: 'UpdateTerritory', input });
  }

  async delete(context: CommandContext, territoryId: string): Promise<{ position: number }> {
    const result = await this.territories.handle(territoryStream(context.tenantId, territoryId), { type: 'DeleteTerritory' }, context);
    return { position: result.position };
  }

  get(tenantId: string, territoryId: string, asOf?: string): Promise<TerritoryView> {
    return loadView(this.territories, territoryStream(tenantId, territoryId), 'Territory', (state, revision, events) => toView(state, revision, timestamps(events)), asOf);
  }

  async history(tenantId: string, territoryId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.territories.load(territoryStream(tenantId, territoryId));
    if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Territory not found');
    return toHistory(events as RecordedEvent[], {}, 'territoryId');
  }

  private async run(context: CommandContext, territoryId: string, command: TerritoryCommand): Promise<WriteResult<TerritoryView>> {
    const result = await this.territories.handle(territoryStream(context.tenantId, territoryId), command, context);
    return { view: toView(result.state, result.revision, timestampsAfter(result)), revision: result.revision, position: result.position };
  }
}

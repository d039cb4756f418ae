import { type CommandContext, type Decider, type DomainEvent, DomainError, EventSourcedCommandHandler } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import type { Collection, Document } from '@crm/readstore';
import { type HistoryEntry, timestamps, timestampsAfter, toHistory, type WriteResult } from '@crm/runtime';

/** A definition (calendar, policy, escalation rule) as the API shows it, at one revision. */
export type DefinitionView<Fields> = Fields & { id: string; revision: number; createdAt: string; updatedAt: string };

export interface DefinitionState {
  id: string | null;
  lifecycle: string;
}

export interface DefinitionPage<Fields> {
  items: DefinitionView<Fields>[];
  nextCursor: string | null;
}

/**
 * Calendars, policies and escalation rules share one shape: a stream whose every event carries the whole
 * definition, so each revision is complete. This holds the reads and writes they have in common.
 */
export class DefinitionRecords<Command, State extends DefinitionState, Event extends DomainEvent, Fields> {
  readonly handler: EventSourcedCommandHandler<Command, State, Event>;

  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<Command, State, Event>,
    private readonly what: string,
    private readonly streamOf: (tenantId: string, id: string) => string,
    private readonly idField: string,
  ) {
    this.handler = new EventSourcedCommandHandler(store, decider);
  }

  toView(state: State, revision: number, times: { createdAt: string; updatedAt: string }): DefinitionView<Fields> {
    const { id, lifecycle: _lifecycle, ...fields } = state;
    return { ...(fields as unknown as Fields), id: id as string, revision, ...times };
  }

  async run(context: CommandContext, id: string, command: Command): Promise<WriteResult<DefinitionView<Fields>>> {
    const result = await this.handler.handle(this.streamOf(context.tenantId, id), command, context);
    return { view: this.toView(result.state, result.revision, timestampsAfter(result)), revision: result.revision, position: result.position };
  }

  /** The definition now, or as it was at `revision` (each revision is a complete definition). */
  async get(tenantId: string, id: string, revision?: number): Promise<DefinitionView<Fields>> {
    const events = await this.store.readStream(this.streamOf(tenantId, id), revision === undefined ? undefined : { maxCount: revision + 1 });
    if (events.length === 0) throw new DomainError('not_found', `${this.what} not found`);
    if (revision !== undefined && events.length <= revision) throw new DomainError('not_found', `${this.what} has no revision ${revision}`);
    const state = this.fold(events);
    return this.toView(state, events.length - 1, timestamps(events));
  }

  async history(tenantId: string, id: string): Promise<HistoryEntry[]> {
    const events = await this.store.readStream(this.streamOf(tenantId, id));
    if (events.length === 0) throw new DomainError('not_found', `${this.what} not found`);
    return toHistory(events, {}, this.idField);
  }

  private fold(events: RecordedEvent[]): State {
    return events.reduce((state, event) => this.decider.evolve(state, { type: event.type, data: event.data } as Event), this.decider.initialState());
  }
}

/** A page of a definitions read model, without the storage fields. */
export async function listDefinitions<Fields>(
  collection: Collection<Document>,
  tenantId: string,
  sort: Record<string, 1 | -1>,
  page: { limit?: number; cursor?: string },
): Promise<DefinitionPage<Fields>> {
  const result = await collection.findPage({ tenantId }, { sort, limit: page.limit ?? 50, cursor: page.cursor });
  return {
    items: result.items.map(({ _id, _position, tenantId: _tenant, ...view }) => view as unknown as DefinitionView<Fields>),
    nextCursor: result.nextCursor,
  };
}

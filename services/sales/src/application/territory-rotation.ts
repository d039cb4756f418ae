import { type CommandContext, DomainError, eventMetadataFor, newEventId } from '@crm/decider';
import { type EventStore, WrongExpectedRevisionError } from '@crm/eventstore';
import { type TerritorySubjectKind, territoryTurnDecider, type TerritoryTurnEvent, type TerritoryTurnState, territoryTurnStream } from '../domain/territory';

interface KnownRotation {
  revision: number;
  state: TerritoryTurnState;
}

const CACHE_LIMIT = 10_000;
const MAX_ATTEMPTS = 10;

/**
 * Hands out a round-robin territory's owners in turn. Each turn is an event of the territory's rotation
 * stream, appended at the expected revision, so the order is the log's (durable, the same after a
 * restart or on another replica) and concurrent assignments never take the same turn. A rotation stream
 * grows with every lead and deal, so this process remembers how far it has read and reads only what is
 * newer, instead of folding the whole stream on every turn.
 */
export class TerritoryRotation {
  private readonly known = new Map<string, KnownRotation>();

  constructor(private readonly store: EventStore) {}

  async takeTurn(
    context: CommandContext,
    territoryId: string,
    ownerIds: string[],
    subject: { kind: TerritorySubjectKind; id: string | null },
  ): Promise<string> {
    const stream = territoryTurnStream(context.tenantId, territoryId);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const rotation = await this.catchUp(stream);
      const [event] = territoryTurnDecider.decide({ type: 'TakeTerritoryTurn', ownerIds, subjectKind: subject.kind, subjectId: subject.id }, rotation.state);
      try {
        const result = await this.store.append(
          stream,
          [{ eventId: newEventId(), type: event.type, data: event.data, metadata: eventMetadataFor(context, new Date().toISOString(), 1) }],
          rotation.revision === -1 ? 'no_stream' : rotation.revision,
        );
        this.remember(stream, { revision: result.nextExpectedRevision, state: territoryTurnDecider.evolve(rotation.state, event) });
        return event.data.ownerId;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        // Another process took a turn meanwhile: read it and take the next one.
      }
    }
    throw new DomainError('conflict', `Too many concurrent assignments in territory ${territoryId}; try again`);
  }

  private async catchUp(stream: string): Promise<KnownRotation> {
    let rotation = this.known.get(stream) ?? { revision: -1, state: territoryTurnDecider.initialState() };
    const newer = await this.store.readStream(stream, { fromRevision: rotation.revision + 1 });
    for (const event of newer) {
      rotation = { revision: event.revision, state: territoryTurnDecider.evolve(rotation.state, event as unknown as TerritoryTurnEvent) };
    }
    this.remember(stream, rotation);
    return rotation;
  }

  private remember(stream: string, rotation: KnownRotation): void {
    this.known.delete(stream);
    this.known.set(stream, rotation);
    if (this.known.size > CACHE_LIMIT) this.known.delete(this.known.keys().next().value as string);
  }
}

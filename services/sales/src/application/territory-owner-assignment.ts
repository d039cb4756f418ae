import { newRecordId } from '@crm/decider';
import { firstMatchingTerritory } from '../domain/territory';
import type { AssignmentSubject, OwnerAssignment } from './owner-assignment';
import type { TerritoryQueries } from './territory-read-model';
import type { TerritoryRotation } from './territory-rotation';

/**
 * Picks owners by the territory rules: the first territory (in rank order) whose criteria match the new
 * lead or deal gives its owner, or the next owner of its rotation. Territories are read from their read
 * model once it has caught up with the log, so a territory created a moment ago already counts.
 */
export class TerritoryOwnerAssignment implements OwnerAssignment {
  constructor(
    private readonly territories: TerritoryQueries,
    private readonly rotation: TerritoryRotation,
    /** Waits (bounded) until the territories read model has applied everything written so far. */
    private readonly catchUp: () => Promise<void>,
  ) {}

  async ownerFor(tenantId: string, subject: AssignmentSubject): Promise<{ ownerId: string; territoryId: string } | null> {
    await this.catchUp();
    const territory = firstMatchingTerritory(await this.territories.inRuleOrder(tenantId), subject);
    if (!territory) return null;
    if (territory.assignment === 'single' || territory.ownerIds.length === 1) return { ownerId: territory.ownerIds[0], territoryId: territory.id };
    const correlationId = subject.id ?? newRecordId();
    const ownerId = await this.rotation.takeTurn(
      { tenantId, actorId: 'territories', correlationId, causationId: correlationId },
      territory.id,
      territory.ownerIds,
      { kind: subject.kind, id: subject.id ?? null },
    );
    return { ownerId, territoryId: territory.id };
  }
}

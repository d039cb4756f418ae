/** What a new lead or deal is, for territory rules that pick its owner. */
export interface AssignmentSubject {
  kind: 'lead' | 'deal';
  /** The lead's or deal's id, when known: recorded with a round-robin turn so the rotation can be audited. */
  id?: string;
  region?: string | null;
  industry?: string | null;
  country?: string | null;
}

/** Picks an owner for a new lead or deal that has none (territories); null when no rule matches. */
export interface OwnerAssignment {
  ownerFor(tenantId: string, subject: AssignmentSubject): Promise<{ ownerId: string; territoryId: string } | null>;
}

export const OWNER_ASSIGNMENT = Symbol('OWNER_ASSIGNMENT');

export const NO_OWNER_ASSIGNMENT: OwnerAssignment = { ownerFor: async () => null };

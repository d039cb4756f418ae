import { DomainError } from '@crm/decider';
import { type Collection, type Document, DuplicateKeyError, type ReadStore } from '@crm/readstore';
import { UNIQUE_KEYS_COLLECTION } from './customer-care-read-models';

interface UniqueKeyDocument extends Document {
  ownerId: string;
  claimedAt: string;
}

/** A claim this young may belong to a write still in flight: it is never taken over. */
const IN_FLIGHT_MS = 30_000;

/**
 * Unique values across records of a tenant (asset serial numbers, the product type of maintenance
 * rules). Event streams cannot enforce uniqueness across streams, so a write first claims the value in a
 * document whose `_id` is the value: the read store's unique `_id` settles concurrent claims. A claim
 * left behind by a write that never happened (a crash between claim and append, a rejected command) is
 * taken over once its owner is seen not to hold the value.
 */
export class UniqueKeys {
  private readonly claims: Collection<UniqueKeyDocument>;

  constructor(
    store: ReadStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.claims = store.collection<UniqueKeyDocument>(UNIQUE_KEYS_COLLECTION);
  }

  /**
   * Claims `key` for `ownerId`, or throws a 409 naming `field` when another record holds it.
   * `ownerHolds(otherOwnerId)` says whether another claimant really holds the value now.
   */
  async claim(key: string, ownerId: string, field: string, ownerHolds: (otherOwnerId: string) => Promise<boolean>): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.claims.insertOne({ _id: key, ownerId, claimedAt: this.now().toISOString() });
        return;
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error;
      }
      const existing = await this.claims.findOne({ _id: key });
      if (!existing) continue;
      if (existing.ownerId === ownerId) return;
      const young = this.now().getTime() - Date.parse(existing.claimedAt) < IN_FLIGHT_MS;
      if (young || (await ownerHolds(existing.ownerId))) throw this.conflict(field, existing.ownerId);
      const taken = await this.claims.updateOne({ _id: key, ownerId: existing.ownerId }, { $set: { ownerId, claimedAt: this.now().toISOString() } });
      if (taken.matchedCount === 1) return;
    }
    throw new DomainError('conflict', `Invalid ${field}: claimed concurrently; try again`, [{ field, reason: 'claimed concurrently' }]);
  }

  /** Gives a claim back (after the owner moved to another value, or its write was rejected). */
  async release(key: string, ownerId: string): Promise<void> {
    await this.claims.deleteOne({ _id: key, ownerId });
  }

  private conflict(field: string, ownerId: string): DomainError {
    return new DomainError('conflict', `Invalid ${field}: already used by ${ownerId}`, [{ field, reason: `already used by ${ownerId}` }]);
  }
}

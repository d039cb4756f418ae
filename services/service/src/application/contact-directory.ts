import type { ReadStore } from '@crm/readstore';
import type { ReplicatedDirectory, ReplicatedRecord } from '@crm/runtime';

export type DirectoryKind = 'contact' | 'company';

/** A contact merged into another one (or the merge undone), as the contacts service announced it. */
export interface ContactMergeChange {
  tenantId: string;
  sourceContactId: string;
  survivorContactId: string;
  merged: boolean;
  /** The integration event's id: commands caused by it name it as their causation. */
  eventId: string;
  correlationId: string;
}

export type ContactMergeListener = (change: ContactMergeChange) => Promise<void>;

/**
 * What this service knows of contacts and companies: a local copy built from the contacts service's
 * integration events, used to validate links without calling contacts. Features that hold links to
 * contacts subscribe to merges so that their records follow the survivor.
 */
export class ContactDirectory {
  private readonly mergeListeners: ContactMergeListener[] = [];

  constructor(
    readonly replicas: ReplicatedDirectory,
    /** The read store holding the replicas, for lookups by email (inbound email links its sender to a contact). */
    private readonly store?: ReadStore,
    private readonly collectionName = 'replicated_directory',
  ) {}

  async ensureIndexes(): Promise<void> {
    await this.replicas.ensureIndexes();
    await this.store?.collection(this.collectionName).createIndexes([{ keys: { tenantId: 1, kind: 1, 'data.emails.address': 1 } }]);
  }

  onContactMerge(listener: ContactMergeListener): void {
    this.mergeListeners.push(listener);
  }

  async contactMerged(change: ContactMergeChange): Promise<void> {
    await this.replicas.setMergedInto('contact', change.tenantId, change.sourceContactId, change.merged ? change.survivorContactId : null);
    for (const listener of this.mergeListeners) await listener(change);
  }

  /** The linkable record for an id (a merged contact resolves to its survivor), or null when unknown or deleted. */
  find(kind: DirectoryKind, tenantId: string, id: string): Promise<ReplicatedRecord | null> {
    return this.replicas.resolveLinkable(kind, tenantId, id);
  }

  /**
   * The contact an email address belongs to: a live, unmerged contact holding the address, preferring
   * one whose primary address it is and then an unarchived one; the lowest id breaks ties, so the
   * answer does not depend on storage order. Null when no contact has it (or no store was given).
   */
  async findContactByEmail(tenantId: string, email: string): Promise<ReplicatedRecord | null> {
    if (!this.store) return null;
    const address = email.trim().toLowerCase();
    const candidates = await this.store
      .collection<ReplicatedRecord>(this.collectionName)
      .find({ tenantId, kind: 'contact', deleted: false, mergedInto: null, 'data.emails.address': address }, { sort: { _id: 1 }, limit: 50 });
    const live = candidates.filter((record) => record.revision >= 0);
    const isPrimary = (record: ReplicatedRecord) =>
      ((record.data.emails as { address: string; primary?: boolean }[] | undefined) ?? []).some((entry) => entry.address === address && entry.primary);
    const rank = (record: ReplicatedRecord) => (isPrimary(record) ? 0 : 2) + (record.archived ? 1 : 0);
    return live.sort((a, b) => rank(a) - rank(b) || (a.recordId < b.recordId ? -1 : 1))[0] ?? null;
  }
}

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

  constructor(readonly replicas: ReplicatedDirectory) {}

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
}

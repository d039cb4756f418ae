import type { Collection, Document, ReadStore } from '@crm/readstore';

/** A local copy of another service's record, built from its integration events (event-carried state). */
export interface ReplicatedRecord extends Document {
  kind: string;
  tenantId: string;
  recordId: string;
  /** The owner's stream revision: older or repeated deliveries never overwrite newer state. */
  revision: number;
  archived: boolean;
  deleted: boolean;
  /** Set while the record is merged into another one (contacts); null otherwise. */
  mergedInto: string | null;
  data: Record<string, unknown>;
  updatedAt: string;
}

export interface RecordReplica {
  kind: string;
  tenantId: string;
  recordId: string;
  revision: number;
  archived?: boolean;
  deleted?: boolean;
  data: Record<string, unknown>;
  occurredAt: string;
}

const documentId = (kind: string, tenantId: string, recordId: string) => `${tenantId}:${kind}:${recordId}`;

/**
 * What a service knows of records owned by another service (contacts and companies for sales and the
 * service desk), so that it can validate links and show names without calling the owner. Writes are
 * guarded by the owner's revision, so redeliveries and reordering across retries are harmless.
 */
export class ReplicatedDirectory {
  private readonly records: Collection<ReplicatedRecord>;

  constructor(store: ReadStore, collectionName = 'replicated_directory') {
    this.records = store.collection<ReplicatedRecord>(collectionName);
  }

  async ensureIndexes(): Promise<void> {
    await this.records.createIndexes([{ keys: { tenantId: 1, kind: 1, mergedInto: 1 } }]);
  }

  async apply(replica: RecordReplica): Promise<boolean> {
    const _id = documentId(replica.kind, replica.tenantId, replica.recordId);
    const existing = await this.records.findOne({ _id });
    if (existing && existing.revision >= replica.revision) return false;
    const document: ReplicatedRecord = {
      _id,
      kind: replica.kind,
      tenantId: replica.tenantId,
      recordId: replica.recordId,
      revision: replica.revision,
      archived: replica.archived ?? false,
      deleted: replica.deleted ?? false,
      mergedInto: existing?.mergedInto ?? null,
      data: replica.deleted ? {} : replica.data,
      updatedAt: replica.occurredAt,
    };
    await this.records.replaceOne({ _id }, document, { upsert: true });
    return true;
  }

  /** Marks `sourceId` as merged into `survivorId`, or no longer merged when `survivorId` is null. */
  async setMergedInto(kind: string, tenantId: string, sourceId: string, survivorId: string | null): Promise<void> {
    await this.records.updateOne(
      { _id: documentId(kind, tenantId, sourceId) },
      { $set: { mergedInto: survivorId }, $setOnInsert: { kind, tenantId, recordId: sourceId, revision: -1, archived: false, deleted: false, data: {}, updatedAt: '' } },
      { upsert: true },
    );
  }

  async get(kind: string, tenantId: string, recordId: string): Promise<ReplicatedRecord | null> {
    return this.records.findOne({ _id: documentId(kind, tenantId, recordId) });
  }

  /** A record that can be linked to: known, not deleted; a merged one resolves to its survivor. */
  async resolveLinkable(kind: string, tenantId: string, recordId: string): Promise<ReplicatedRecord | null> {
    let record = await this.get(kind, tenantId, recordId);
    for (let hops = 0; record?.mergedInto && hops < 10; hops++) record = await this.get(kind, tenantId, record.mergedInto);
    return record && !record.deleted && record.revision >= 0 ? record : null;
  }
}

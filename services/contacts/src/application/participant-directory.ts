import type { ReadStore } from '@crm/readstore';
import type { ParticipantDirectory } from './interactions.service';
import { CONTACT_HANDLES_COLLECTION, type ContactHandlesDocument } from './timeline';

/**
 * Looks participants up in the handles the timeline projection keeps. Before reading, it lets the
 * projection catch up with what was written before the call (a bounded wait), so that a contact created
 * a moment ago is matched too.
 */
export class ReadStoreParticipantDirectory implements ParticipantDirectory {
  constructor(
    private readonly readStore: ReadStore,
    private readonly catchUp: () => Promise<void>,
  ) {}

  async contactsByHandle(tenantId: string, handles: string[]): Promise<Record<string, string[]>> {
    const result: Record<string, string[]> = {};
    if (handles.length === 0) return result;
    await this.catchUp();
    const documents = await this.readStore
      .collection<ContactHandlesDocument>(CONTACT_HANDLES_COLLECTION)
      .find({ handles: { $in: handles }, tenantId, deleted: false });
    for (const document of documents) {
      for (const handle of document.handles) {
        if (handles.includes(handle)) (result[handle] ??= []).push(document.contactId);
      }
    }
    for (const ids of Object.values(result)) ids.sort();
    return result;
  }
}

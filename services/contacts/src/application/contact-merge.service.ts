import { type CommandContext, DomainError, EventSourcedCommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import { type ContactCommand, contactDecider, type ContactEvent, type ContactState } from '../domain/contact';
import type { FieldChoices } from '../domain/contact-merge';
import { contactStream } from '../domain/streams';
import { toContactView } from './contacts.service';
import { timestamps } from './record-loader';
import type { ContactView, WriteResult } from './views';

/**
 * Merges a source contact into a survivor, and undoes it. Two streams are written, survivor first: its
 * write carries If-Match and can fail without effect; the source's mark comes second. Should the process
 * stop between the two, the same merge (or unmerge) run again finds its first half done and completes
 * the second, so a retry is always safe.
 */
export class ContactMergeService {
  private readonly contacts: EventSourcedCommandHandler<ContactCommand, ContactState, ContactEvent>;

  constructor(store: EventStore) {
    this.contacts = new EventSourcedCommandHandler(store, contactDecider);
  }

  async merge(context: CommandContext, targetId: string, sourceId: string, fieldChoices: FieldChoices): Promise<WriteResult<ContactView>> {
    const { state: source } = await this.contacts.load(contactStream(context.tenantId, sourceId));
    const target = await this.contacts.handle(contactStream(context.tenantId, targetId), { type: 'MergeContact', sourceId, source, fieldChoices }, context);
    const marked = await this.contacts.handle(contactStream(context.tenantId, sourceId), { type: 'MarkMergedInto', targetId }, this.second(context));
    return this.result(target, marked.position);
  }

  async unmerge(context: CommandContext, targetId: string, sourceId: string): Promise<WriteResult<ContactView>> {
    const { state: source } = await this.contacts.load(contactStream(context.tenantId, sourceId));
    if (source.lifecycle === 'absent' || source.lifecycle === 'deleted') {
      throw new DomainError('not_found', `Contact ${sourceId} not found`, [{ field: 'sourceId', reason: 'no contact with this id' }]);
    }
    const { state: current } = await this.contacts.load(contactStream(context.tenantId, targetId));
    // A retry after the survivor's half: nothing is left to revert there, only the source to release.
    const survivorDone = current.lifecycle !== 'absent' && !current.merge.from[sourceId] && source.merge.into === targetId;
    const target = survivorDone
      ? await this.contacts.handle(contactStream(context.tenantId, targetId), { type: 'UpdateContact', input: {} }, context)
      : await this.contacts.handle(contactStream(context.tenantId, targetId), { type: 'UnmergeContact', sourceId }, context);
    const released = await this.contacts.handle(contactStream(context.tenantId, sourceId), { type: 'ClearMergedInto', targetId }, this.second(context));
    return this.result(target, released.position);
  }

  /** The source's write is not pinned: If-Match names the survivor's revision. */
  private second(context: CommandContext): CommandContext {
    return { ...context, expectedRevision: undefined };
  }

  private result(target: Awaited<ReturnType<typeof this.contacts.handle>>, secondPosition: number): WriteResult<ContactView> {
    const before = timestamps(target.history);
    const times = { createdAt: before.createdAt, updatedAt: target.events.length ? target.occurredAt : before.updatedAt };
    const view = toContactView(target.state, target.revision, target.history, times);
    return { view, revision: target.revision, position: Math.max(target.position, secondPosition) };
  }
}

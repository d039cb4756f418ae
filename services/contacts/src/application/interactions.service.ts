import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import { contactDecider } from '../domain/contact';
import {
  type InteractionCommand,
  interactionDecider,
  type InteractionEvent,
  type InteractionInput,
  type InteractionRecorded,
  type InteractionState,
  interactionStream,
  normaliseParticipants,
  participantHandles,
  unmatchedParticipants,
} from '../domain/interaction';
import { contactStream } from '../domain/streams';
import { type ContactHandler, loadLiveContact } from './live-contact';
import type { WriteResult } from './views';

/** Finds the tenant's contacts by email address or phone number (`email:<address>`, `phone:<E.164>`). */
export interface ParticipantDirectory {
  contactsByHandle(tenantId: string, handles: string[]): Promise<Record<string, string[]>>;
}

export interface InteractionView extends Omit<InteractionRecorded, 'interactionId'> {
  id: string;
  /** Participants' addresses and numbers that matched no contact of the tenant. */
  unmatchedParticipants: { email?: string; phone?: string; name?: string }[];
  recordedAt: string;
  recordedBy: string;
  revision: number;
}

function toView(interaction: InteractionRecorded, revision: number, recorded: RecordedEvent | undefined, fallback: { at: string; by: string }): InteractionView {
  const { interactionId, ...fields } = interaction;
  return {
    id: interactionId,
    ...fields,
    unmatchedParticipants: unmatchedParticipants(interaction),
    recordedAt: recorded?.metadata.occurredAt ?? fallback.at,
    recordedBy: recorded?.metadata.actorId ?? fallback.by,
    revision,
  };
}

/** Records interactions with contacts and reads them back. */
export class InteractionsService {
  private readonly interactions: EventSourcedCommandHandler<InteractionCommand, InteractionState, InteractionEvent>;
  private readonly contacts: ContactHandler;

  constructor(
    store: EventStore,
    private readonly directory: ParticipantDirectory,
    private readonly newId: () => string = newRecordId,
  ) {
    this.interactions = new EventSourcedCommandHandler(store, interactionDecider);
    this.contacts = new EventSourcedCommandHandler(store, contactDecider);
  }

  async record(context: CommandContext, contactId: string, input: InteractionInput): Promise<WriteResult<InteractionView>> {
    const contact = await loadLiveContact(this.contacts, context.tenantId, contactId);
    const phoneCountry = contact.address?.country ?? null;
    // Normalised once here to look the participants up; the decider normalises them again, the same way.
    const handles = participantHandles(normaliseParticipants(input.participants, phoneCountry));
    const matches = await this.match(context.tenantId, handles);
    const interactionId = this.newId();
    const now = (context.now?.() ?? new Date()).toISOString();
    const command: InteractionCommand = { type: 'RecordInteraction', interactionId, contactId, input, matches, phoneCountry, now };
    // The interaction's own stream: neither the contact's revision nor its If-Match is involved.
    const result = await this.interactions.handle(interactionStream(context.tenantId, interactionId), command, { ...context, expectedRevision: undefined, now: () => new Date(now) });
    const view = toView(result.state as InteractionRecorded, result.revision, undefined, { at: result.occurredAt, by: context.actorId });
    return { view, revision: result.revision, position: result.position };
  }

  /** An interaction, read on the timeline of any contact it belongs to; 404 for other contacts. */
  async get(tenantId: string, contactId: string, interactionId: string): Promise<InteractionView> {
    const { state, revision, events } = await this.interactions.load(interactionStream(tenantId, interactionId));
    if (state === null || (state.contactId !== contactId && !state.linkedContactIds.includes(contactId))) {
      throw new DomainError('not_found', 'Interaction not found');
    }
    return toView(state, revision, events[0], { at: '', by: '' });
  }

  private async match(tenantId: string, handles: string[]): Promise<Record<string, string[]>> {
    const contactHandles = handles.filter((handle) => handle.startsWith('contact:'));
    const matches = await this.directory.contactsByHandle(
      tenantId,
      handles.filter((handle) => !contactHandles.includes(handle)),
    );
    // Contact ids are checked against the log itself: an id from another tenant names no stream here.
    for (const handle of contactHandles) {
      const id = handle.slice('contact:'.length);
      const { state } = await this.contacts.load(contactStream(tenantId, id));
      if (state.lifecycle !== 'absent' && state.lifecycle !== 'deleted') matches[handle] = [id];
    }
    return matches;
  }
}

import { DomainError, type EventSourcedCommandHandler } from '@crm/decider';
import type { ContactCommand, ContactEvent, ContactState } from '../domain/contact';
import { contactStream } from '../domain/streams';

export type ContactHandler = EventSourcedCommandHandler<ContactCommand, ContactState, ContactEvent>;

/** The contact's current state, read from its stream; 404 when it never existed or was deleted. */
export async function loadLiveContact(contacts: ContactHandler, tenantId: string, contactId: string): Promise<ContactState> {
  const { state } = await contacts.load(contactStream(tenantId, contactId));
  if (state.lifecycle === 'absent' || state.lifecycle === 'deleted') throw new DomainError('not_found', 'Contact not found');
  return state;
}

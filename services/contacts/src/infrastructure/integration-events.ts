import type { IntegrationEvent, OutgoingIntegrationEvent } from '@crm/bus';
import { integrationEventFrom } from '@crm/bus';
import {
  COMPANY_CHANGED_SCHEMA,
  type CompanyChangedJson,
  type CompanyJson,
  companyEventType,
  type ContactChange,
  CONTACT_CHANGED_SCHEMA,
  CONTACT_MERGED_SCHEMA,
  CONTACT_UNMERGED_SCHEMA,
  type ContactChangedJson,
  type ContactJson,
  contactEventType,
  type ContactMergedJson,
  contactMergeEventType,
  type ContactUnmergedJson,
  CONTACTS_SOURCE,
  CONTACTS_TOPICS,
} from '@crm/contracts';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import type { DomainEvent } from '@crm/decider';
import type { PostalAddress } from '../domain/common';
import { COMPANY_FIELDS_BY_EVENT, companyDecider, type CompanyState } from '../domain/company';
import { CONTACT_FIELDS_BY_EVENT, contactDecider, type ContactState } from '../domain/contact';
import type { MergeEffect } from '../domain/contact-merge';
import { parseStreamName } from '../domain/streams';

const CACHE_LIMIT = 10_000;

const MERGE_EVENTS = new Set(['ContactMerged', 'ContactUnmerged', 'ContactMergedInto', 'ContactUnmergedFrom']);

function changeOf(eventType: string): ContactChange {
  if (eventType.endsWith('Created')) return 'created';
  if (eventType.endsWith('Archived')) return 'archived';
  if (eventType.endsWith('Restored')) return 'restored';
  if (eventType.endsWith('Deleted')) return 'deleted';
  return 'updated';
}

const addressJson = (address: PostalAddress | null) => (address ? { ...address } : undefined);

function contactJson(tenantId: string, state: ContactState, revision: number, createdAt: string, updatedAt: string): ContactJson {
  return {
    id: state.id ?? '',
    tenantId,
    firstName: state.firstName,
    lastName: state.lastName,
    emails: state.emails,
    phones: state.phones,
    title: state.title ?? '',
    companyId: state.companyId ?? '',
    address: addressJson(state.address),
    industry: state.industry ?? '',
    region: state.region ?? '',
    status: state.status,
    tags: state.tags,
    birthday: state.birthday ?? '',
    ownerId: state.ownerId ?? '',
    source: state.source ?? '',
    customFields: state.customFields as ContactJson['customFields'],
    archived: state.lifecycle === 'archived',
    revision: String(revision),
    createdAt,
    updatedAt,
  };
}

function companyJson(tenantId: string, state: CompanyState, revision: number, createdAt: string, updatedAt: string): CompanyJson {
  return {
    id: state.id ?? '',
    tenantId,
    name: state.name,
    domain: state.domain ?? '',
    industry: state.industry ?? '',
    region: state.region ?? '',
    size: state.size ?? '',
    address: addressJson(state.address),
    tags: state.tags,
    customFields: state.customFields as CompanyJson['customFields'],
    archived: state.lifecycle === 'archived',
    revision: String(revision),
    createdAt,
    updatedAt,
  };
}

interface Tracked {
  revision: number;
  state: ContactState | CompanyState;
  createdAt: string;
}

/**
 * Maps domain events to the public `crm.contacts.contact.v1` / `crm.contacts.company.v1` events. They carry the
 * whole record after the change (event-carried state), so the state of each stream is tracked here:
 * the relay delivers in log order, so the previous state is almost always cached and one `evolve` suffices.
 */
export class ContactsIntegrationEventMapper {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly store: EventStore) {}

  readonly map = async (event: RecordedEvent): Promise<OutgoingIntegrationEvent[]> => {
    const stream = parseStreamName(event.streamName);
    if (!stream || (stream.kind !== 'contact' && stream.kind !== 'company')) return [];
    const tracked = await this.stateAfter(event, stream.kind);
    if (stream.kind === 'contact' && MERGE_EVENTS.has(event.type)) return this.mergeMessages(event, stream.id);
    const change = changeOf(event.type);
    const common = { change, cause: event.type, occurredAt: event.metadata.occurredAt };
    if (stream.kind === 'contact') {
      const data: ContactChangedJson = {
        ...common,
        changedFields: change === 'created' ? [] : (CONTACT_FIELDS_BY_EVENT[event.type as keyof typeof CONTACT_FIELDS_BY_EVENT] ?? []),
        contactId: stream.id,
        contact: change === 'deleted' ? undefined : contactJson(stream.tenantId, tracked.state as ContactState, event.revision, tracked.createdAt, event.metadata.occurredAt),
      };
      return [{ topic: CONTACTS_TOPICS.contact, event: this.envelope(event, contactEventType(change), CONTACT_CHANGED_SCHEMA, stream.id, data) }];
    }
    const data: CompanyChangedJson = {
      ...common,
      changedFields: change === 'created' ? [] : (COMPANY_FIELDS_BY_EVENT[event.type as keyof typeof COMPANY_FIELDS_BY_EVENT] ?? []),
      companyId: stream.id,
      company: change === 'deleted' ? undefined : companyJson(stream.tenantId, tracked.state as CompanyState, event.revision, tracked.createdAt, event.metadata.occurredAt),
    };
    return [{ topic: CONTACTS_TOPICS.company, event: this.envelope(event, companyEventType(change), COMPANY_CHANGED_SCHEMA, stream.id, data) }];
  };

  /**
   * The survivor's ContactMerged / ContactUnmerged become the public merged / unmerged messages (the change
   * events that follow them publish the survivor's new state as usual); the source's own marks publish
   * nothing more, as the message names it.
   */
  private mergeMessages(event: RecordedEvent, contactId: string): OutgoingIntegrationEvent[] {
    if (event.type === 'ContactMerged') {
      const effect = event.data as MergeEffect;
      const changedFields = [
        ...Object.keys(effect.fields).flatMap((field) => (field === 'name' ? ['firstName', 'lastName'] : [field])),
        ...(effect.addedEmails.length || effect.primaryEmail ? ['emails'] : []),
        ...(effect.addedPhones.length || effect.primaryPhone ? ['phones'] : []),
        ...(effect.addedTags.length ? ['tags'] : []),
        ...(Object.keys(effect.customFields).length ? ['customFields'] : []),
      ];
      const data: ContactMergedJson = { contactId, sourceContactId: effect.sourceId, changedFields, occurredAt: event.metadata.occurredAt };
      return [{ topic: CONTACTS_TOPICS.contact, event: this.envelope(event, contactMergeEventType('merged'), CONTACT_MERGED_SCHEMA, contactId, data) }];
    }
    if (event.type === 'ContactUnmerged') {
      const undone = event.data as { sourceId: string; restoredFields: string[] };
      const changedFields = undone.restoredFields.flatMap((field) => (field === 'name' ? ['firstName', 'lastName'] : [field]));
      const data: ContactUnmergedJson = { contactId, sourceContactId: undone.sourceId, changedFields, occurredAt: event.metadata.occurredAt };
      return [{ topic: CONTACTS_TOPICS.contact, event: this.envelope(event, contactMergeEventType('unmerged'), CONTACT_UNMERGED_SCHEMA, contactId, data) }];
    }
    return [];
  }

  private envelope<Data>(event: RecordedEvent, type: string, dataschema: string, subject: string, data: Data): IntegrationEvent<Data> {
    return integrationEventFrom(event, { source: CONTACTS_SOURCE, type, dataschema, subject, data });
  }

  private async stateAfter(event: RecordedEvent, kind: 'contact' | 'company'): Promise<Tracked> {
    const decider = (kind === 'contact' ? contactDecider : companyDecider) as unknown as {
      initialState(): ContactState | CompanyState;
      evolve(state: ContactState | CompanyState, event: DomainEvent): ContactState | CompanyState;
    };
    const previous = this.tracked.get(event.streamName);
    let tracked: Tracked;
    if (previous && previous.revision === event.revision - 1) {
      tracked = { revision: event.revision, state: decider.evolve(previous.state, event), createdAt: previous.createdAt };
    } else {
      // A stream's first event is its whole history: no read (bulk imports create streams by the thousand).
      const history = event.revision === 0 ? [event] : await this.store.readStream(event.streamName, { maxCount: event.revision + 1 });
      tracked = {
        revision: event.revision,
        state: history.reduce((state, recorded) => decider.evolve(state, recorded), decider.initialState()),
        createdAt: history[0]?.metadata.occurredAt ?? event.metadata.occurredAt,
      };
    }
    this.tracked.delete(event.streamName);
    this.tracked.set(event.streamName, tracked);
    if (this.tracked.size > CACHE_LIMIT) this.tracked.delete(this.tracked.keys().next().value as string);
    return tracked;
  }
}

import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import { type CompanyCommand, companyDecider, type CompanyEvent, type CompanyInput, type CompanyState } from '../domain/company';
import {
  CONTACT_FIELDS_BY_EVENT,
  type ContactCommand,
  contactDecider,
  type ContactEvent,
  type ContactInput,
  type ContactState,
} from '../domain/contact';
import { COMPANY_FIELDS_BY_EVENT } from '../domain/company';
import { companyStream, contactStream } from '../domain/streams';
import { CustomFieldDefinitions } from './custom-fields.service';
import { loadView, timestamps, timestampsAfter, toHistory } from './record-loader';
import type { CompanyView, ContactView, HistoryEntry, WriteResult } from './views';

type Timestamps = { createdAt: string; updatedAt: string };

export function toContactView(state: ContactState, revision: number, events: RecordedEvent[], times: Timestamps = timestamps(events)): ContactView {
  const { lifecycle, id, merge: _merge, ...fields } = state;
  return { id: id as string, ...fields, archived: lifecycle === 'archived', revision, ...times };
}

export function toCompanyView(state: CompanyState, revision: number, events: RecordedEvent[], times: Timestamps = timestamps(events)): CompanyView {
  const { lifecycle, id, ...fields } = state;
  return { id: id as string, ...fields, archived: lifecycle === 'archived', revision, ...times };
}


/** A read of a contact that was merged into another: the survivor is where it lives now. */
export class ContactMergedError extends Error {
  constructor(
    readonly contactId: string,
    readonly mergedInto: string,
  ) {
    super(`Contact ${contactId} was merged into ${mergedInto}`);
    this.name = 'ContactMergedError';
  }
}

/** Command and single-record query handlers for contacts and companies. */
export class ContactsService {
  private readonly contacts: EventSourcedCommandHandler<ContactCommand, ContactState, ContactEvent>;
  private readonly companies: EventSourcedCommandHandler<CompanyCommand, CompanyState, CompanyEvent>;

  constructor(
    store: EventStore,
    private readonly newId: () => string = newRecordId,
    private readonly customFields: CustomFieldDefinitions = new CustomFieldDefinitions(store),
  ) {
    this.contacts = new EventSourcedCommandHandler(store, contactDecider);
    this.companies = new EventSourcedCommandHandler(store, companyDecider);
  }

  async createContact(context: CommandContext, input: ContactInput): Promise<WriteResult<ContactView>> {
    await this.customFields.check(context.tenantId, 'contact', input.customFields, 'create');
    await this.assertCompanyExists(context.tenantId, input.companyId);
    const contactId = this.newId();
    return this.runContact(context, contactId, { type: 'CreateContact', contactId, input });
  }

  async updateContact(context: CommandContext, contactId: string, input: ContactInput): Promise<WriteResult<ContactView>> {
    await this.customFields.check(context.tenantId, 'contact', input.customFields, 'update');
    await this.assertCompanyExists(context.tenantId, input.companyId);
    return this.runContact(context, contactId, { type: 'UpdateContact', input });
  }

  archiveContact(context: CommandContext, contactId: string) {
    return this.runContact(context, contactId, { type: 'ArchiveContact' });
  }

  restoreContact(context: CommandContext, contactId: string) {
    return this.runContact(context, contactId, { type: 'RestoreContact' });
  }

  async deleteContact(context: CommandContext, contactId: string): Promise<{ position: number }> {
    const result = await this.contacts.handle(contactStream(context.tenantId, contactId), { type: 'DeleteContact' }, context);
    return { position: result.position };
  }

  /** Throws ContactMergedError for a source merged into another contact (the API answers 308). */
  getContact(tenantId: string, contactId: string, asOf?: string): Promise<ContactView> {
    return loadView(
      this.contacts,
      contactStream(tenantId, contactId),
      'Contact',
      (state, revision, events) => {
        if (state.merge.into) throw new ContactMergedError(contactId, state.merge.into);
        return toContactView(state, revision, events);
      },
      asOf,
    );
  }

  async contactHistory(tenantId: string, contactId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.contacts.load(contactStream(tenantId, contactId));
    if (state.lifecycle === 'absent' || state.lifecycle === 'deleted') throw new DomainError('not_found', 'Contact not found');
    return toHistory(events, CONTACT_FIELDS_BY_EVENT, 'contactId');
  }

  async createCompany(context: CommandContext, input: CompanyInput): Promise<WriteResult<CompanyView>> {
    await this.customFields.check(context.tenantId, 'company', input.customFields, 'create');
    const companyId = this.newId();
    return this.runCompany(context, companyId, { type: 'CreateCompany', companyId, input });
  }

  async updateCompany(context: CommandContext, companyId: string, input: CompanyInput): Promise<WriteResult<CompanyView>> {
    await this.customFields.check(context.tenantId, 'company', input.customFields, 'update');
    return this.runCompany(context, companyId, { type: 'UpdateCompany', input });
  }

  archiveCompany(context: CommandContext, companyId: string) {
    return this.runCompany(context, companyId, { type: 'ArchiveCompany' });
  }

  restoreCompany(context: CommandContext, companyId: string) {
    return this.runCompany(context, companyId, { type: 'RestoreCompany' });
  }

  async deleteCompany(context: CommandContext, companyId: string): Promise<{ position: number }> {
    const result = await this.companies.handle(companyStream(context.tenantId, companyId), { type: 'DeleteCompany' }, context);
    return { position: result.position };
  }

  getCompany(tenantId: string, companyId: string, asOf?: string): Promise<CompanyView> {
    return loadView(this.companies, companyStream(tenantId, companyId), 'Company', toCompanyView, asOf);
  }

  async companyHistory(tenantId: string, companyId: string): Promise<HistoryEntry[]> {
    const { state, events } = await this.companies.load(companyStream(tenantId, companyId));
    if (state.lifecycle === 'absent' || state.lifecycle === 'deleted') throw new DomainError('not_found', 'Company not found');
    return toHistory(events, COMPANY_FIELDS_BY_EVENT, 'companyId');
  }

  private async assertCompanyExists(tenantId: string, companyId: string | null | undefined): Promise<void> {
    if (!companyId) return;
    const { state } = await this.companies.load(companyStream(tenantId, companyId));
    if (state.lifecycle === 'absent' || state.lifecycle === 'deleted') {
      throw new DomainError('invalid', 'Invalid companyId: no such company', [{ field: 'companyId', reason: 'no company with this id' }]);
    }
  }

  private async runContact(context: CommandContext, contactId: string, command: ContactCommand): Promise<WriteResult<ContactView>> {
    const result = await this.contacts.handle(contactStream(context.tenantId, contactId), command, context);
    const view = toContactView(result.state, result.revision, result.history, timestampsAfter(result));
    return { view, revision: result.revision, position: result.position };
  }

  private async runCompany(context: CommandContext, companyId: string, command: CompanyCommand): Promise<WriteResult<CompanyView>> {
    const result = await this.companies.handle(companyStream(context.tenantId, companyId), command, context);
    const view = toCompanyView(result.state, result.revision, result.history, timestampsAfter(result));
    return { view, revision: result.revision, position: result.position };
  }
}

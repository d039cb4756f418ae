import { type CommandContext, DomainError, EventSourcedCommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import { type CompanyCommand, companyDecider, type CompanyEvent, type CompanyInput, type CompanyState } from '../domain/company';
import { type ContactCommand, contactDecider, type ContactEvent, type ContactInput, type ContactState } from '../domain/contact';
import { companyStream, contactStream } from '../domain/streams';

/** The sales service's request, as this service needs it (from `crm.sales.v1.LeadConversionRequested`). */
export interface LeadConversionRequest {
  /** The integration event's id: the cause of every event written for it, and the seed of their ids. */
  eventId: string;
  tenantId: string;
  correlationId: string;
  requestedBy: string;
  leadId: string;
  contactId: string;
  companyId: string | null;
  contact: {
    firstName: string;
    lastName: string;
    email: string | null;
    phone: string | null;
    title: string | null;
    region: string | null;
    industry: string | null;
    country: string | null;
    ownerId: string | null;
  };
  company: { name: string; industry: string | null; region: string | null; country: string | null } | null;
  /** Written as the contact's `source`: `lead:<lead id>`. */
  contactSource: string;
}

export interface LeadConversionOutcome {
  contactCreated: boolean;
  companyCreated: boolean;
}

/**
 * Creates the company and the contact a converted lead becomes, with the ids the sales service chose.
 * Each exists at most once: a record already there (a redelivery, a retried conversion) is left as it
 * is, and the events written carry ids derived from the request, so a write repeated after a crash is
 * recognised by the store. Goes through the contacts deciders, like any other creation.
 */
export class LeadConversionService {
  private readonly contacts: EventSourcedCommandHandler<ContactCommand, ContactState, ContactEvent>;
  private readonly companies: EventSourcedCommandHandler<CompanyCommand, CompanyState, CompanyEvent>;

  constructor(store: EventStore) {
    this.contacts = new EventSourcedCommandHandler(store, contactDecider);
    this.companies = new EventSourcedCommandHandler(store, companyDecider);
  }

  async convert(request: LeadConversionRequest): Promise<LeadConversionOutcome> {
    const context: CommandContext = {
      tenantId: request.tenantId,
      actorId: request.requestedBy || 'sales',
      correlationId: request.correlationId,
      causationId: request.eventId,
    };
    let companyCreated = false;
    let linkCompany = false;
    if (request.companyId && request.company) {
      const address = request.company.country ? { country: request.company.country } : null;
      const input: CompanyInput = { name: request.company.name, industry: request.company.industry, region: request.company.region, address };
      companyCreated = await this.createOnce(this.companies, companyStream(request.tenantId, request.companyId), { type: 'CreateCompany', companyId: request.companyId, input }, {
        ...context,
        idempotencyKey: `${request.eventId}:company`,
      });
      // A company deleted since an earlier delivery cannot be linked; the contact is still created.
      linkCompany = (await this.companies.load(companyStream(request.tenantId, request.companyId))).state.lifecycle !== 'deleted';
    }
    const { contact } = request;
    const input: ContactInput = {
      firstName: contact.firstName,
      lastName: contact.lastName,
      emails: contact.email ? [{ address: contact.email, primary: true }] : [],
      phones: contact.phone ? [{ number: contact.phone, primary: true }] : [],
      title: contact.title,
      companyId: linkCompany ? request.companyId : null,
      address: contact.country ? { country: contact.country } : null,
      industry: contact.industry,
      region: contact.region,
      status: 'prospect',
      ownerId: contact.ownerId,
      source: request.contactSource,
    };
    const contactCommand = (contactInput: ContactInput): ContactCommand => ({ type: 'CreateContact', contactId: request.contactId, input: contactInput });
    const stream = contactStream(request.tenantId, request.contactId);
    const contactContext = { ...context, idempotencyKey: `${request.eventId}:contact` };
    let contactCreated: boolean;
    try {
      contactCreated = await this.createOnce(this.contacts, stream, contactCommand(input), contactContext);
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error;
      // The lead was checked like a contact, so this should not happen; if it does, a contact with the
      // name and origin is better than a conversion stuck forever on a detail.
      contactCreated = await this.createOnce(this.contacts, stream, contactCommand({ ...input, emails: [], phones: [], address: null }), contactContext);
    }
    return { contactCreated, companyCreated };
  }

  /** True when this call created the record; false when it already existed. */
  private async createOnce<Command, State extends { lifecycle: string }, Event extends { type: string; data: unknown }>(
    handler: EventSourcedCommandHandler<Command, State, Event>,
    stream: string,
    command: Command,
    context: CommandContext,
  ): Promise<boolean> {
    if ((await handler.load(stream)).state.lifecycle !== 'absent') return false;
    try {
      await handler.handle(stream, command, context);
      return true;
    } catch (error) {
      // Created meanwhile by a concurrent delivery: the decider refuses a second creation.
      if (error instanceof DomainError && error.kind === 'conflict') return false;
      throw error;
    }
  }
}

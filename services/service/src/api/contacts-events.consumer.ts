import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type IntegrationEvent, PropagateHandlerErrorsFilter } from '@crm/bus';
import { type CompanyChangedJson, type ContactChangedJson, type ContactMergedJson, CONTACTS_TOPICS, contactMergeEventType } from '@crm/contracts';
import { ContactDirectory } from '../application/contact-directory';

/** Keeps the local copy of contacts and companies from the contacts service's integration events. */
@Controller()
@UseFilters(PropagateHandlerErrorsFilter)
export class ContactsEventsConsumer {
  constructor(@Inject(ContactDirectory) private readonly directory: ContactDirectory) {}

  @EventPattern<string>(CONTACTS_TOPICS.contact)
  async onContactEvent(@Payload() event: IntegrationEvent) {
    if (event.type === contactMergeEventType('merged') || event.type === contactMergeEventType('unmerged')) {
      const data = event.data as ContactMergedJson;
      await this.directory.contactMerged({
        tenantId: event.tenantid,
        sourceContactId: data.sourceContactId ?? '',
        survivorContactId: data.contactId ?? event.subject,
        merged: event.type === contactMergeEventType('merged'),
        eventId: event.id,
        correlationId: event.correlationid,
      });
      return;
    }
    const data = event.data as ContactChangedJson;
    const contact = data.contact;
    await this.directory.replicas.apply({
      kind: 'contact',
      tenantId: event.tenantid,
      recordId: data.contactId ?? event.subject,
      revision: Number(contact?.revision ?? Number.MAX_SAFE_INTEGER),
      archived: contact?.archived ?? false,
      deleted: data.change === 'deleted',
      data: contact ? { firstName: contact.firstName, lastName: contact.lastName, emails: contact.emails ?? [], companyId: contact.companyId ?? '', region: contact.region ?? '', industry: contact.industry ?? '', tags: contact.tags ?? [] } : {},
      occurredAt: data.occurredAt ?? event.time,
    });
  }

  @EventPattern<string>(CONTACTS_TOPICS.company)
  async onCompanyEvent(@Payload() event: IntegrationEvent) {
    const data = event.data as CompanyChangedJson;
    const company = data.company;
    await this.directory.replicas.apply({
      kind: 'company',
      tenantId: event.tenantid,
      recordId: data.companyId ?? event.subject,
      revision: Number(company?.revision ?? Number.MAX_SAFE_INTEGER),
      archived: company?.archived ?? false,
      deleted: data.change === 'deleted',
      data: company ? { name: company.name, domain: company.domain ?? '', region: company.region ?? '', industry: company.industry ?? '', tags: company.tags ?? [] } : {},
      occurredAt: data.occurredAt ?? event.time,
    });
  }
}

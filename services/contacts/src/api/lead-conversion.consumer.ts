import { type BeforeApplicationShutdown, Controller, Inject, Injectable, type OnApplicationShutdown, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type IntegrationEvent, type ProcessedEventLog, PropagateHandlerErrorsFilter } from '@crm/bus';
import { type LeadConversionRequestedJson, leadEventType, SALES_LEAD_TOPIC } from '@crm/contracts';
import { IntegrationEventConsumers, PROCESSED_EVENT_LOG } from '@crm/runtime';
import { LeadConversionService } from '../application/lead-conversion.service';

const orNull = (value: string | undefined): string | null => (value ? value : null);

/**
 * The contacts side of the sales service's lead conversion: a `conversion-requested` message creates the
 * company and the contact with the ids it names, once (see LeadConversionService); the usual contact and
 * company messages then tell sales they exist. Other lead messages are not this service's business.
 */
@Controller()
@UseFilters(PropagateHandlerErrorsFilter)
export class LeadConversionConsumer {
  constructor(@Inject(LeadConversionService) private readonly conversions: LeadConversionService) {}

  @EventPattern<string>(SALES_LEAD_TOPIC)
  async onLeadEvent(@Payload() event: IntegrationEvent) {
    if (event.type !== leadEventType('conversion-requested')) return;
    const data = event.data as LeadConversionRequestedJson;
    if (!data.contactId || !data.leadId) throw new Error(`Malformed ${event.type} ${event.id}: no contactId or leadId`);
    const contact = data.contact ?? {};
    await this.conversions.convert({
      eventId: event.id,
      tenantId: event.tenantid,
      correlationId: event.correlationid,
      requestedBy: data.requestedBy ?? '',
      leadId: data.leadId,
      contactId: data.contactId,
      companyId: orNull(data.companyId),
      contact: {
        firstName: contact.firstName ?? '',
        lastName: contact.lastName ?? '',
        email: orNull(contact.email),
        phone: orNull(contact.phone),
        title: orNull(contact.title),
        region: orNull(contact.region),
        industry: orNull(contact.industry),
        country: orNull(contact.country),
        ownerId: orNull(contact.ownerId),
      },
      company: data.company?.name
        ? { name: data.company.name, industry: orNull(data.company.industry), region: orNull(data.company.region), country: orNull(data.company.country) }
        : null,
      contactSource: data.contactSource || `lead:${data.leadId}`,
    });
  }
}

/**
 * Contacts wires its own runtime (it predates `ServiceInfrastructureModule`): this stops the consumers
 * before the bus closes, and closes the log of consumed event ids with the stores.
 */
@Injectable()
export class LeadConversionConsumerLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(IntegrationEventConsumers) private readonly consumers: IntegrationEventConsumers,
    @Inject(PROCESSED_EVENT_LOG) private readonly processedEvents: ProcessedEventLog & { close?(): void },
  ) {}

  async beforeApplicationShutdown() {
    await this.consumers.close();
  }

  onApplicationShutdown() {
    this.processedEvents.close?.();
  }
}

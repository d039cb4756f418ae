import { Controller, Inject, Logger, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type IntegrationEvent, PropagateHandlerErrorsFilter } from '@crm/bus';
import { type ContactChangedJson, CONTACTS_TOPICS, contactEventType, leadIdFromContactSource } from '@crm/contracts';
import { setTimeout as delay } from 'node:timers/promises';
import { LeadConversionSaga } from '../application/lead-conversion.saga';

/** How long the handler waits for the contact directory (updated by another handler of the same message). */
const DIRECTORY_WAIT_MS = 2_000;
const DIRECTORY_POLL_MS = 50;

/**
 * Moves a lead's conversion on as soon as the contacts service announces the contact it created for it
 * (its `source` is `lead:<id>`), instead of waiting for the saga's timer. The contact directory is
 * updated by ContactsEventsConsumer from the same message, concurrently, so the saga's next step is
 * tried for a short while; whatever is not done by then, the timer does.
 */
@Controller()
@UseFilters(PropagateHandlerErrorsFilter)
export class LeadContactsConsumer {
  private readonly logger = new Logger('LeadConversion');

  constructor(@Inject(LeadConversionSaga) private readonly saga: LeadConversionSaga) {}

  @EventPattern<string>(CONTACTS_TOPICS.contact)
  async onContactEvent(@Payload() event: IntegrationEvent) {
    if (event.type !== contactEventType('created')) return;
    const leadId = leadIdFromContactSource((event.data as ContactChangedJson).contact?.source);
    if (!leadId) return;
    const deadline = Date.now() + DIRECTORY_WAIT_MS;
    try {
      for (;;) {
        const conversion = await this.saga.advance(event.tenantid, leadId);
        if (conversion?.status !== 'pending' || Date.now() >= deadline) return;
        await delay(DIRECTORY_POLL_MS);
      }
    } catch (error) {
      // Only a shortcut: the conversion's timer retries the step, so this contact message is not redelivered for it.
      this.logger.warn(`Lead ${leadId}: the conversion step after contact ${event.subject} failed (the timer retries it): ${String(error)}`);
    }
  }
}

import { integrationEventFrom, type OutgoingIntegrationEvent } from '@crm/bus';
import {
  LEAD_EVENT_SCHEMAS,
  type LeadCapturedJson,
  type LeadChange,
  leadContactSource,
  type LeadConversionRequestedJson,
  type LeadConvertedJson,
  type LeadDisqualifiedJson,
  leadEventType,
  type LeadQualifiedJson,
  SALES_LEAD_TOPIC,
  SALES_SOURCE,
} from '@crm/contracts';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import { type LeadCapturedData, type LeadConversionRequestedData, leadDecider, type LeadEvent, type LeadState } from '../domain/lead';
import { parseStreamName } from '../domain/streams';

const CACHE_LIMIT = 10_000;
const orEmpty = (value: string | null | undefined): string => value ?? '';

interface Tracked {
  revision: number;
  state: LeadState;
}

/**
 * Maps lead events to the public `crm.sales.lead.v1` messages: captured, qualified, disqualified,
 * conversion requested (the step the contacts service acts on) and converted. Edits and owner changes
 * stay private. The relay delivers in log order, so each lead's state is kept by folding its events here
 * (read from the store only after a gap, e.g. after a restart).
 */
export class LeadIntegrationEventMapper {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly store: EventStore) {}

  readonly map = async (event: RecordedEvent): Promise<OutgoingIntegrationEvent[]> => {
    const stream = parseStreamName(event.streamName);
    if (!stream || stream.kind !== 'lead') return [];
    const state = await this.stateAfter(event);
    const leadId = stream.id;
    const occurredAt = event.metadata.occurredAt;
    switch (event.type) {
      case 'LeadCaptured': {
        const data = event.data as LeadCapturedData;
        const message: LeadCapturedJson = {
          leadId,
          occurredAt,
          lead: {
            id: leadId,
            tenantId: stream.tenantId,
            firstName: data.firstName,
            lastName: data.lastName,
            email: orEmpty(data.email),
            phone: orEmpty(data.phone),
            companyName: orEmpty(data.companyName),
            title: orEmpty(data.title),
            region: orEmpty(data.region),
            industry: orEmpty(data.industry),
            country: orEmpty(data.country),
            attribution: {
              source: orEmpty(data.source),
              utmSource: orEmpty(data.utmSource),
              utmMedium: orEmpty(data.utmMedium),
              utmCampaign: orEmpty(data.utmCampaign),
              utmTerm: orEmpty(data.utmTerm),
              utmContent: orEmpty(data.utmContent),
              campaignId: orEmpty(data.campaignId),
            },
            status: 'new',
            ownerId: orEmpty(data.ownerId),
            territoryId: orEmpty(data.territoryId),
            webFormId: orEmpty(data.webFormId),
            revision: String(event.revision),
            createdAt: occurredAt,
          },
        };
        return [this.message(event, 'captured', leadId, message)];
      }
      case 'LeadQualified': {
        const message: LeadQualifiedJson = { leadId, reason: orEmpty(state.statusReason), ownerId: orEmpty(state.ownerId), occurredAt };
        return [this.message(event, 'qualified', leadId, message)];
      }
      case 'LeadDisqualified': {
        const message: LeadDisqualifiedJson = { leadId, reason: orEmpty(state.statusReason), ownerId: orEmpty(state.ownerId), occurredAt };
        return [this.message(event, 'disqualified', leadId, message)];
      }
      case 'LeadConversionRequested': {
        const data = event.data as LeadConversionRequestedData;
        const { contact, company } = data;
        const message: LeadConversionRequestedJson = {
          leadId,
          contactId: data.contactId,
          companyId: orEmpty(data.companyId),
          dealId: orEmpty(data.dealId),
          contact: {
            firstName: contact.firstName,
            lastName: contact.lastName,
            email: orEmpty(contact.email),
            phone: orEmpty(contact.phone),
            title: orEmpty(contact.title),
            region: orEmpty(contact.region),
            industry: orEmpty(contact.industry),
            country: orEmpty(contact.country),
            ownerId: orEmpty(contact.ownerId),
          },
          company: company ? { name: company.name, industry: orEmpty(company.industry), region: orEmpty(company.region), country: orEmpty(company.country) } : undefined,
          contactSource: leadContactSource(leadId),
          requestedBy: event.metadata.actorId,
          occurredAt,
        };
        return [this.message(event, 'conversion-requested', leadId, message)];
      }
      case 'LeadConverted': {
        const data = event.data as { contactId: string; companyId: string | null; dealId: string | null };
        const message: LeadConvertedJson = { leadId, contactId: data.contactId, companyId: orEmpty(data.companyId), dealId: orEmpty(data.dealId), occurredAt };
        return [this.message(event, 'converted', leadId, message)];
      }
      default:
        return [];
    }
  };

  private message<Data>(event: RecordedEvent, change: LeadChange, leadId: string, data: Data): OutgoingIntegrationEvent {
    return {
      topic: SALES_LEAD_TOPIC,
      event: integrationEventFrom(event, { source: SALES_SOURCE, type: leadEventType(change), dataschema: LEAD_EVENT_SCHEMAS[change], subject: leadId, data }),
    };
  }

  private async stateAfter(event: RecordedEvent): Promise<LeadState> {
    const previous = this.tracked.get(event.streamName);
    let tracked: Tracked;
    if (previous && previous.revision === event.revision - 1) {
      tracked = { revision: event.revision, state: leadDecider.evolve(previous.state, event as unknown as LeadEvent) };
    } else {
      const history = event.revision === 0 ? [event] : await this.store.readStream(event.streamName, { maxCount: event.revision + 1 });
      tracked = { revision: event.revision, state: history.reduce((state, recorded) => leadDecider.evolve(state, recorded as unknown as LeadEvent), leadDecider.initialState()) };
    }
    this.tracked.delete(event.streamName);
    this.tracked.set(event.streamName, tracked);
    if (this.tracked.size > CACHE_LIMIT) this.tracked.delete(this.tracked.keys().next().value as string);
    return tracked.state;
  }
}

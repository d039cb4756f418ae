import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import {
  LeadCapturedSchema,
  LeadConversionRequestedSchema,
  LeadConvertedSchema,
  LeadDisqualifiedSchema,
  LeadQualifiedSchema,
  SALES_LEAD_TOPIC,
} from '@crm/contracts';
import type { CommandContext } from '@crm/decider';
import { InMemoryEventStore } from '@crm/eventstore';
import { leadsCommandHandler, LeadsService } from '../application/leads.service';
import { NO_OWNER_ASSIGNMENT } from '../application/owner-assignment';
import { LeadIntegrationEventMapper } from './lead-integration-events';

const context: CommandContext = { tenantId: 'acme', actorId: 'olga', correlationId: 'corr-1', causationId: 'req-1' };

describe('lead integration events', () => {
  it('publishes captured, qualified, disqualified, conversion requested and converted as their proto messages; edits stay private', async () => {
    const store = new InMemoryEventStore();
    const handler = leadsCommandHandler(store);
    const leads = new LeadsService(handler, NO_OWNER_ASSIGNMENT);
    const { id } = (await leads.capture(context, { name: 'Ada Lovelace', email: 'ada@example.com', companyName: 'Engines', utmSource: 'newsletter', ownerId: 'olga' })).view;
    await leads.update(context, id, { title: 'CTO' });
    await leads.disqualify(context, id, 'No budget');
    await leads.qualify(context, id, 'Budget found');
    await leads.run(context, id, { type: 'RequestLeadConversion', tenantId: 'acme', options: { createCompany: true } });
    const requested = (await leads.get('acme', id)).conversion!;
    await leads.run(context, id, { type: 'CompleteLeadConversion', contactId: requested.contactId, companyId: requested.companyId, dealId: null });

    // A fresh mapper (as after a restart) reads the state it lacks from the store.
    const mapper = new LeadIntegrationEventMapper(store);
    const messages = [];
    for (const event of await store.readAll()) messages.push(...(await mapper.map(event)));

    expect(messages.map((message) => [message.topic, message.event.type, message.event.subject])).toEqual([
      [SALES_LEAD_TOPIC, 'crm.sales.lead.captured.v1', id],
      [SALES_LEAD_TOPIC, 'crm.sales.lead.disqualified.v1', id],
      [SALES_LEAD_TOPIC, 'crm.sales.lead.qualified.v1', id],
      [SALES_LEAD_TOPIC, 'crm.sales.lead.conversion-requested.v1', id],
      [SALES_LEAD_TOPIC, 'crm.sales.lead.converted.v1', id],
    ]);
    const schemas = [LeadCapturedSchema, LeadDisqualifiedSchema, LeadQualifiedSchema, LeadConversionRequestedSchema, LeadConvertedSchema];
    messages.forEach((message, index) => {
      // Each payload is the proto3 JSON of the message its dataschema names (fromJson refuses unknown fields).
      expect(message.event.dataschema).toContain(`#crm.sales.v1.${schemas[index].name}`);
      expect(() => fromJson(schemas[index], message.event.data as JsonValue)).not.toThrow();
    });
    expect(messages[0].event.data).toMatchObject({ lead: { id, tenantId: 'acme', firstName: 'Ada', attribution: { utmSource: 'newsletter' }, status: 'new', revision: '0' } });
    expect(messages[1].event.data).toMatchObject({ reason: 'No budget', ownerId: 'olga' });
    expect(messages[3].event.data).toMatchObject({
      contactId: requested.contactId,
      companyId: requested.companyId,
      dealId: '',
      contact: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', ownerId: 'olga', title: 'CTO' },
      company: { name: 'Engines' },
      contactSource: `lead:${id}`,
      requestedBy: 'olga',
    });
    expect(messages[4].event).toMatchObject({ tenantid: 'acme', correlationid: 'corr-1', data: { contactId: requested.contactId } });
  });
});

import { InMemoryEventStore } from '@crm/eventstore';
import { companyStream, contactStream } from '../domain/streams';
import { type LeadConversionRequest, LeadConversionService } from './lead-conversion.service';

const request: LeadConversionRequest = {
  eventId: 'evt-1',
  tenantId: 'acme',
  correlationId: 'corr-1',
  requestedBy: 'olga',
  leadId: 'lead-1',
  contactId: 'contact-1',
  companyId: 'company-1',
  contact: {
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    phone: '+37060012345',
    title: 'CTO',
    region: 'EMEA',
    industry: 'Software',
    country: 'LT',
    ownerId: 'olga',
  },
  company: { name: 'Analytical Engines', industry: 'Software', region: 'EMEA', country: 'LT' },
  contactSource: 'lead:lead-1',
};

describe('LeadConversionService (contacts side of the lead conversion saga)', () => {
  let store: InMemoryEventStore;
  let service: LeadConversionService;

  beforeEach(() => {
    store = new InMemoryEventStore();
    service = new LeadConversionService(store);
  });

  it('creates the company and the contact with the ids sales chose, caused by the integration event', async () => {
    expect(await service.convert(request)).toEqual({ contactCreated: true, companyCreated: true });

    const [company] = await store.readStream(companyStream('acme', 'company-1'));
    expect(company).toMatchObject({ type: 'CompanyCreated', data: { companyId: 'company-1', name: 'Analytical Engines', address: { country: 'LT' } } });
    const [contact] = await store.readStream(contactStream('acme', 'contact-1'));
    expect(contact).toMatchObject({
      type: 'ContactCreated',
      data: {
        contactId: 'contact-1',
        firstName: 'Ada',
        lastName: 'Lovelace',
        emails: [{ address: 'ada@example.com', primary: true }],
        phones: [{ number: '+37060012345', primary: true }],
        companyId: 'company-1',
        status: 'prospect',
        ownerId: 'olga',
        source: 'lead:lead-1',
      },
      metadata: { tenantId: 'acme', actorId: 'olga', correlationId: 'corr-1', causationId: 'evt-1' },
    });
  });

  it('creates nothing twice when the request is delivered again, or twice at once', async () => {
    await Promise.all([service.convert(request), service.convert(request)]);
    expect(await service.convert(request)).toEqual({ contactCreated: false, companyCreated: false });
    expect(await store.readStream(contactStream('acme', 'contact-1'))).toHaveLength(1);
    expect(await store.readStream(companyStream('acme', 'company-1'))).toHaveLength(1);
  });

  it('creates only the contact when no company is asked for', async () => {
    expect(await service.convert({ ...request, companyId: null, company: null })).toEqual({ contactCreated: true, companyCreated: false });
    const [contact] = await store.readStream(contactStream('acme', 'contact-1'));
    expect(contact.data).toMatchObject({ companyId: null });
  });

  it('leaves an existing contact as it is (a retried conversion after someone edited it)', async () => {
    await service.convert(request);
    const before = await store.readStream(contactStream('acme', 'contact-1'));
    await service.convert({ ...request, eventId: 'evt-2', contact: { ...request.contact, title: 'CEO' } });
    expect(await store.readStream(contactStream('acme', 'contact-1'))).toEqual(before);
  });

  it('still creates the contact when a detail the lead accepted is refused here', async () => {
    await service.convert({ ...request, companyId: null, company: null, contact: { ...request.contact, phone: 'not a phone' } });
    const [contact] = await store.readStream(contactStream('acme', 'contact-1'));
    expect(contact.data).toMatchObject({ firstName: 'Ada', phones: [], emails: [], source: 'lead:lead-1' });
  });
});

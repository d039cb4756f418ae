import { deterministicId, DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { leadDecider, type LeadEvent } from './lead';

const captured: LeadEvent = {
  type: 'LeadCaptured',
  data: {
    leadId: 'l1',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    phone: '+37060012345',
    companyName: 'Analytical Engines',
    title: 'CTO',
    region: 'EMEA',
    industry: 'Software',
    country: 'LT',
    source: 'api',
    utmSource: null,
    utmMedium: null,
    utmCampaign: null,
    utmTerm: null,
    utmContent: null,
    campaignId: null,
    ownerId: 'olga',
    capturedVia: 'api',
    webFormId: null,
    territoryId: null,
  },
};

const qualified: LeadEvent = { type: 'LeadQualified', data: { reason: null } };
const disqualified: LeadEvent = { type: 'LeadDisqualified', data: { reason: 'no budget' } };

const deal = { title: 'Engines', pipelineId: 'p1', stageId: 's1', amount: '1200.5', currency: 'eur', expectedCloseDate: '2026-12-31' };
const ids = {
  contactId: deterministicId('acme:lead:l1:contact'),
  companyId: deterministicId('acme:lead:l1:company'),
  dealId: deterministicId('acme:lead:l1:deal'),
};
const conversionRequested: LeadEvent = {
  type: 'LeadConversionRequested',
  data: {
    leadId: 'l1',
    ...ids,
    createCompany: true,
    deal: { ...deal, amount: '1200.50', currency: 'EUR' },
    contact: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+37060012345', title: 'CTO', region: 'EMEA', industry: 'Software', country: 'LT', ownerId: 'olga' },
    company: { name: 'Analytical Engines', industry: 'Software', region: 'EMEA', country: 'LT' },
  },
};
const converted: LeadEvent = { type: 'LeadConverted', data: { leadId: 'l1', ...ids } };
const convert = { type: 'RequestLeadConversion' as const, tenantId: 'acme', options: { createCompany: true, deal } };

describe('lead decider', () => {
  describe('capture', () => {
    it('captures a lead with normalised contact details and attribution', () => {
      given(leadDecider)
        .when({
          type: 'CaptureLead',
          leadId: 'l1',
          capturedVia: 'api',
          input: { name: 'Ada  King Lovelace', email: ' ADA@Example.com ', phone: '060012345', country: 'lt', utmSource: 'newsletter', campaignId: 'spring-26' },
        })
        .then(([event]) =>
          expect(event.data).toMatchObject({
            firstName: 'Ada',
            lastName: 'King Lovelace',
            email: 'ada@example.com',
            phone: '+37060012345',
            country: 'LT',
            utmSource: 'newsletter',
            campaignId: 'spring-26',
          }),
        );
    });

    it('needs a name or an email', () => {
      given(leadDecider).when({ type: 'CaptureLead', leadId: 'l1', capturedVia: 'api', input: { companyName: 'Acme' } }).thenThrows(DomainError, /name or an email/);
    });

    it('refuses malformed emails, phones, countries and owner ids', () => {
      const capture = (input: Record<string, string>) => given(leadDecider).when({ type: 'CaptureLead', leadId: 'l1', capturedVia: 'api', input: { firstName: 'A', ...input } });
      capture({ email: 'not-an-email' }).thenThrows(DomainError, /email/);
      capture({ phone: '12' }).thenThrows(DomainError, /phone/);
      capture({ country: 'Lithuania' }).thenThrows(DomainError, /country/);
      capture({ ownerId: 'has space' }).thenThrows(DomainError, /ownerId/);
    });

    it('records the territory only when it gave the owner', () => {
      given(leadDecider)
        .when({ type: 'CaptureLead', leadId: 'l1', capturedVia: 'web-form', webFormId: 'f1', territoryId: 't1', input: { email: 'a@b.co', ownerId: 'olga' } })
        .then(([event]) => expect(event.data).toMatchObject({ ownerId: 'olga', territoryId: 't1', capturedVia: 'web-form', webFormId: 'f1' }));
      given(leadDecider)
        .when({ type: 'CaptureLead', leadId: 'l1', capturedVia: 'api', territoryId: 't1', input: { email: 'a@b.co' } })
        .then(([event]) => expect(event.data).toMatchObject({ ownerId: null, territoryId: null }));
    });

    it('cannot capture the same lead twice', () => {
      given(leadDecider, [captured]).when({ type: 'CaptureLead', leadId: 'l1', capturedVia: 'api', input: { firstName: 'B' } }).thenThrows(DomainError, /already exists/);
    });
  });

  describe('update', () => {
    it('records only the fields that changed, and an owner change on its own', () => {
      given(leadDecider, [captured])
        .when({ type: 'UpdateLead', input: { title: 'CEO', email: 'ada@example.com', ownerId: 'piotr' } })
        .then([
          { type: 'LeadDetailsChanged', data: { title: 'CEO' } },
          { type: 'LeadOwnerChanged', data: { ownerId: 'piotr', territoryId: null } },
        ]);
    });

    it('changes nothing when nothing differs', () => {
      given(leadDecider, [captured]).when({ type: 'UpdateLead', input: { firstName: 'Ada' } }).thenNothingHappens();
    });

    it('keeps a name or an email', () => {
      given(leadDecider, [captured]).when({ type: 'UpdateLead', input: { firstName: null, lastName: null, email: null } }).thenThrows(DomainError, /name or an email/);
    });

    it('refuses changes to a converted lead or one being converted', () => {
      given(leadDecider, [captured, conversionRequested, converted]).when({ type: 'UpdateLead', input: { title: 'X' } }).thenThrows(DomainError, /converted lead/);
      given(leadDecider, [captured, conversionRequested]).when({ type: 'UpdateLead', input: { title: 'X' } }).thenThrows(DomainError, /being converted/);
    });

    it('reassigns an owner, and a territory-picked owner says which territory', () => {
      given(leadDecider, [captured])
        .when({ type: 'AssignLeadOwner', ownerId: 'piotr', territoryId: 't9' })
        .then([{ type: 'LeadOwnerChanged', data: { ownerId: 'piotr', territoryId: 't9' } }]);
      given(leadDecider, [captured]).when({ type: 'AssignLeadOwner', ownerId: 'olga' }).thenNothingHappens();
    });
  });

  describe('qualification', () => {
    it('qualifies a new lead, with or without a reason', () => {
      given(leadDecider, [captured]).when({ type: 'QualifyLead', reason: ' budget confirmed ' }).then([{ type: 'LeadQualified', data: { reason: 'budget confirmed' } }]);
      given(leadDecider, [captured]).when({ type: 'QualifyLead' }).then([{ type: 'LeadQualified', data: { reason: null } }]);
    });

    it('treats qualifying a qualified lead again as a retry', () => {
      given(leadDecider, [captured, qualified]).when({ type: 'QualifyLead', reason: 'again' }).thenNothingHappens();
    });

    it('disqualifies only with a reason', () => {
      given(leadDecider, [captured]).when({ type: 'DisqualifyLead', reason: '  ' }).thenThrows(DomainError, /reason/);
      given(leadDecider, [captured]).when({ type: 'DisqualifyLead' }).thenThrows(DomainError, /reason/);
      given(leadDecider, [captured, qualified]).when({ type: 'DisqualifyLead', reason: 'no budget' }).then([disqualified]);
    });

    it('can qualify a disqualified lead again', () => {
      const state = given(leadDecider, [captured, disqualified]).when({ type: 'QualifyLead', reason: 'budget found' }).then([{ type: 'LeadQualified', data: { reason: 'budget found' } }]);
      expect(state).toMatchObject({ status: 'qualified', statusReason: 'budget found' });
    });

    it('cannot (dis)qualify a converted lead or one being converted', () => {
      given(leadDecider, [captured, conversionRequested, converted]).when({ type: 'DisqualifyLead', reason: 'x' }).thenThrows(DomainError, /converted lead/);
      given(leadDecider, [captured, conversionRequested]).when({ type: 'QualifyLead' }).thenThrows(DomainError, /being converted/);
    });

    it('does not know leads that were never captured', () => {
      given(leadDecider).when({ type: 'QualifyLead' }).thenThrows(DomainError, /not found/);
    });
  });

  describe('conversion', () => {
    it('asks for the contact, company and deal with ids derived from the tenant and the lead', () => {
      given(leadDecider, [captured, qualified]).when(convert).then([conversionRequested]);
    });

    it('converts a new lead straight away too, and without a company or a deal', () => {
      given(leadDecider, [captured])
        .when({ type: 'RequestLeadConversion', tenantId: 'acme', options: {} })
        .then(([event]) => expect(event.data).toMatchObject({ contactId: ids.contactId, companyId: null, dealId: null, company: null, deal: null }));
    });

    it('treats the same request while it is under way, or after it is done, as a retry', () => {
      given(leadDecider, [captured, conversionRequested]).when(convert).thenNothingHappens();
      given(leadDecider, [captured, conversionRequested, converted]).when(convert).thenNothingHappens();
      given(leadDecider, [captured, conversionRequested, converted]).when({ type: 'RequestLeadConversion', tenantId: 'acme', options: {} }).thenNothingHappens();
    });

    it('refuses other options while a conversion is under way', () => {
      given(leadDecider, [captured, conversionRequested]).when({ type: 'RequestLeadConversion', tenantId: 'acme', options: { createCompany: false } }).thenThrows(DomainError, /other options/);
    });

    it('refuses to convert a disqualified lead (409)', () => {
      const error = given(leadDecider, [captured, disqualified]).when(convert).thenThrows(DomainError, /disqualified/) as DomainError;
      expect(error.kind).toBe('conflict');
    });

    it('needs a name for the contact and a company name for the company', () => {
      const nameless: LeadEvent = { ...captured, data: { ...(captured.data as object), firstName: '', lastName: '' } } as LeadEvent;
      given(leadDecider, [nameless]).when({ type: 'RequestLeadConversion', tenantId: 'acme', options: {} }).thenThrows(DomainError, /needs a name/);
      const companyless: LeadEvent = { ...captured, data: { ...(captured.data as object), companyName: null } } as LeadEvent;
      given(leadDecider, [companyless]).when(convert).thenThrows(DomainError, /no company name/);
    });

    it('checks the deal the way a deal would: title, ids, exact amount, ISO currency, date', () => {
      const withDeal = (changes: object) => given(leadDecider, [captured]).when({ type: 'RequestLeadConversion', tenantId: 'acme', options: { deal: { ...deal, ...changes } } });
      withDeal({ title: '' }).thenThrows(DomainError, /deal.title/);
      withDeal({ pipelineId: 'not an id' }).thenThrows(DomainError, /deal.pipelineId/);
      withDeal({ amount: '12.345' }).thenThrows(DomainError, /deal.amount/);
      withDeal({ amount: 12 }).thenThrows(DomainError, /deal.amount/);
      withDeal({ currency: 'EURO' }).thenThrows(DomainError, /deal.currency/);
      withDeal({ expectedCloseDate: '2026-02-30' }).thenThrows(DomainError, /deal.expectedCloseDate/);
    });

    it('completes the conversion under way once, with its own records only', () => {
      const state = given(leadDecider, [captured, conversionRequested]).when({ type: 'CompleteLeadConversion', ...ids }).then([converted]);
      expect(state).toMatchObject({ status: 'converted', conversion: { status: 'converted', ...ids } });
      given(leadDecider, [captured, conversionRequested, converted]).when({ type: 'CompleteLeadConversion', ...ids }).thenNothingHappens();
      given(leadDecider, [captured, conversionRequested]).when({ type: 'CompleteLeadConversion', ...ids, dealId: 'other' }).thenThrows(DomainError, /do not belong/);
      given(leadDecider, [captured]).when({ type: 'CompleteLeadConversion', ...ids }).thenThrows(DomainError, /no conversion under way/);
    });

    it('records a failed conversion once, and lets a new request try again', () => {
      const failed: LeadEvent = { type: 'LeadConversionFailed', data: { leadId: 'l1', reason: 'pipeline p1 not found' } };
      given(leadDecider, [captured, conversionRequested]).when({ type: 'FailLeadConversion', reason: 'pipeline p1 not found' }).then([failed]);
      given(leadDecider, [captured, conversionRequested, failed]).when({ type: 'FailLeadConversion', reason: 'again' }).thenNothingHappens();
      given(leadDecider, [captured, conversionRequested, failed]).when(convert).then([conversionRequested]);
      // A failed conversion leaves the lead editable, to fix what made it fail.
      given(leadDecider, [captured, conversionRequested, failed]).when({ type: 'UpdateLead', input: { title: 'CEO' } }).then([{ type: 'LeadDetailsChanged', data: { title: 'CEO' } }]);
    });
  });
});

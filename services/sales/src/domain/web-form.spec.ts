import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { mapSubmission, originAllowed, webFormDecider, type WebFormFields } from './web-form';

const form: WebFormFields = {
  name: 'Contact us',
  fields: { 'your-name': 'name', 'your-email': 'email', company: 'companyName' },
  defaultSource: 'website',
  defaultCampaignId: 'spring-26',
  allowedOrigins: ['https://www.example.com'],
  honeypotField: '_hp',
};

describe('web form decider', () => {
  it('creates a form with a field mapping, defaults and normalised origins', () => {
    given(webFormDecider)
      .when({
        type: 'CreateWebForm',
        formId: 'f1',
        input: { name: 'Contact us', fields: form.fields, defaultSource: 'website', defaultCampaignId: 'spring-26', allowedOrigins: ['HTTPS://www.example.com/'] },
      })
      .then([{ type: 'WebFormCreated', data: { formId: 'f1', ...form } }]);
  });

  it('defaults the source to web-form and the honeypot to _hp', () => {
    given(webFormDecider)
      .when({ type: 'CreateWebForm', formId: 'f1', input: { name: 'F', fields: { email: 'email' } } })
      .then(([event]) => expect(event.data).toMatchObject({ defaultSource: 'web-form', honeypotField: '_hp', defaultCampaignId: null, allowedOrigins: [] }));
  });

  it('refuses mappings to unknown lead fields, two fields for one lead field, and forms that cannot identify anyone', () => {
    const create = (input: object) => given(webFormDecider).when({ type: 'CreateWebForm', formId: 'f1', input: { name: 'F', ...input } });
    create({ fields: { email: 'mail' } }).thenThrows(DomainError, /fields.email/);
    create({ fields: { a: 'email', b: 'email' } }).thenThrows(DomainError, /already maps/);
    create({ fields: { c: 'companyName' } }).thenThrows(DomainError, /name or an email/);
    create({ fields: {} }).thenThrows(DomainError, /at least one/);
    create({ fields: { 'bad name!': 'email' } }).thenThrows(DomainError, /field names/);
  });

  it('refuses bad origins and a honeypot that is a real field', () => {
    const create = (input: object) => given(webFormDecider).when({ type: 'CreateWebForm', formId: 'f1', input: { name: 'F', fields: { email: 'email' }, ...input } });
    create({ allowedOrigins: ['example.com'] }).thenThrows(DomainError, /origin/);
    create({ honeypotField: 'email' }).thenThrows(DomainError, /honeypot/);
  });

  it('cannot create the same form twice', () => {
    const createdEvent = { type: 'WebFormCreated' as const, data: { formId: 'f1', ...form } };
    given(webFormDecider, [createdEvent]).when({ type: 'CreateWebForm', formId: 'f1', input: { name: 'F', fields: { email: 'email' } } }).thenThrows(DomainError, /already exists/);
  });
});

describe('web form submissions', () => {
  it('maps submitted fields into a lead, with the standard utm parameters and the form defaults', () => {
    const mapped = mapSubmission(form, { 'your-name': 'Ada Lovelace', 'your-email': 'ada@example.com', company: 'Engines', utm_source: 'newsletter', submit: 'Send' });
    expect(mapped).toEqual({
      kind: 'lead',
      input: { name: 'Ada Lovelace', email: 'ada@example.com', companyName: 'Engines', utmSource: 'newsletter', source: 'website', campaignId: 'spring-26' },
      sourceFields: { name: 'your-name', email: 'your-email', companyName: 'company', utmSource: 'utm_source' },
    });
  });

  it('takes fields named like lead fields, and a campaign given by the page over the default', () => {
    const mapped = mapSubmission(form, { email: 'ada@example.com', phone: 37060012345, campaign_id: 'summer' });
    expect(mapped).toMatchObject({ kind: 'lead', input: { email: 'ada@example.com', phone: '37060012345', campaignId: 'summer' } });
  });

  it('drops a submission that filled the honeypot', () => {
    expect(mapSubmission(form, { 'your-email': 'bot@spam.example', _hp: 'http://spam.example' })).toEqual({ kind: 'spam' });
    expect(mapSubmission(form, { 'your-email': 'ada@example.com', _hp: '' })).toMatchObject({ kind: 'lead' });
  });

  it('refuses submissions that are not a set of fields, or whose values are not text', () => {
    expect(() => mapSubmission(form, ['a'])).toThrow(DomainError);
    expect(() => mapSubmission(form, 'email=a')).toThrow(DomainError);
    expect(() => mapSubmission(form, { 'your-email': ['a@b.co', 'c@d.co'] })).toThrow(/single text value/);
    expect(() => mapSubmission(form, { 'your-email': 'x'.repeat(3000) })).toThrow(/at most/);
  });

  it('needs a name or an email, and says which form fields would do', () => {
    const error = (() => {
      try {
        mapSubmission(form, { company: 'Engines' });
      } catch (caught) {
        return caught as DomainError;
      }
    })();
    expect(error?.details.map((detail) => detail.field)).toEqual(['your-name', 'your-email']);
  });

  it('lets pages of the allowed origins submit, and servers without an Origin', () => {
    expect(originAllowed(form, 'https://www.example.com')).toBe(true);
    expect(originAllowed(form, 'https://evil.example')).toBe(false);
    expect(originAllowed(form, undefined)).toBe(true);
    expect(originAllowed({ allowedOrigins: [] }, 'https://anyone.example')).toBe(true);
  });
});

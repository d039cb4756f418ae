import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { companyDecider, type CompanyEvent } from './company';

const created: CompanyEvent = {
  type: 'CompanyCreated',
  data: { companyId: 'k1', name: 'Acme', domain: 'acme.com', industry: null, region: null, size: null, address: null, tags: [], customFields: {} },
};

describe('company decider', () => {
  it('creates a company with a normalised domain', () => {
    given(companyDecider)
      .when({ type: 'CreateCompany', companyId: 'k1', input: { name: 'Acme', domain: 'https://www.ACME.com/about' } })
      .then(([event]) => expect(event.data).toMatchObject({ name: 'Acme', domain: 'acme.com' }));
  });

  it('needs a name and a valid domain', () => {
    given(companyDecider).when({ type: 'CreateCompany', companyId: 'k1', input: { name: '' } }).thenThrows(DomainError, /name/);
    given(companyDecider).when({ type: 'CreateCompany', companyId: 'k1', input: { name: 'A', domain: 'not a domain' } }).thenThrows(DomainError, /domain/);
  });

  it('records each changed field as its own event', () => {
    given(companyDecider, [created])
      .when({ type: 'UpdateCompany', input: { name: 'Acme Corp', size: '11-50', tags: ['Partner'] } })
      .then([
        { type: 'CompanyRenamed', data: { name: 'Acme Corp' } },
        { type: 'CompanySizeChanged', data: { size: '11-50' } },
        { type: 'CompanyTagged', data: { tag: 'partner' } },
      ]);
  });

  it('treats a deleted company as not found', () => {
    given(companyDecider, [created, { type: 'CompanyDeleted', data: {} }]).when({ type: 'UpdateCompany', input: { name: 'B' } }).thenThrows(DomainError, /not found/);
  });
});

import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { contactDecider, type ContactEvent } from './contact';

const created: ContactEvent = {
  type: 'ContactCreated',
  data: {
    contactId: 'c1',
    firstName: 'Ada',
    lastName: 'Lovelace',
    emails: [{ address: 'ada@example.com', primary: true }],
    phones: [],
    title: null,
    companyId: null,
    address: null,
    industry: null,
    region: null,
    status: 'lead',
    tags: ['vip'],
    birthday: null,
    ownerId: null,
    source: null,
    customFields: {},
  },
};

describe('contact decider', () => {
  it('creates a contact with normalised emails, tags and an E.164 phone', () => {
    given(contactDecider)
      .when({
        type: 'CreateContact',
        contactId: 'c1',
        input: {
          firstName: ' Ada ',
          lastName: 'Lovelace',
          emails: [{ address: 'Ada@Example.com' }],
          phones: [{ number: '+370 600 12345' }],
          tags: ['VIP', 'vip '],
        },
      })
      .then(([event]) => {
        expect(event.type).toBe('ContactCreated');
        expect(event.data).toMatchObject({
          firstName: 'Ada',
          emails: [{ address: 'ada@example.com', primary: true }],
          phones: [{ number: '+37060012345', primary: true }],
          tags: ['vip'],
          status: 'lead',
        });
      });
  });

  it('refuses a contact without any name', () => {
    const error = given(contactDecider).when({ type: 'CreateContact', contactId: 'c1', input: { firstName: ' ' } }).thenThrows(DomainError);
    expect((error as DomainError).details[0].field).toBe('firstName');
  });

  it('refuses two primary emails and invalid phones, naming the field', () => {
    given(contactDecider)
      .when({ type: 'CreateContact', contactId: 'c1', input: { firstName: 'A', emails: [{ address: 'a@x.io', primary: true }, { address: 'b@x.io', primary: true }] } })
      .thenThrows(DomainError, /emails/);
    given(contactDecider).when({ type: 'CreateContact', contactId: 'c1', input: { firstName: 'A', phones: [{ number: '12' }] } }).thenThrows(DomainError, /phones\.0\.number/);
  });

  it('refuses to create the same contact twice', () => {
    given(contactDecider, [created]).when({ type: 'CreateContact', contactId: 'c1', input: { firstName: 'B' } }).thenThrows(DomainError, /already exists/);
  });

  it('turns a patch into fine-grained events', () => {
    given(contactDecider, [created])
      .when({
        type: 'UpdateContact',
        input: {
          firstName: 'Augusta Ada',
          emails: [{ address: 'ada@example.com' }, { address: 'countess@example.com', primary: true }],
          status: 'customer',
          tags: ['vip', 'math'],
          customFields: { favouriteEngine: 'analytical' },
        },
      })
      .then([
        { type: 'ContactRenamed', data: { firstName: 'Augusta Ada', lastName: 'Lovelace' } },
        { type: 'ContactEmailAdded', data: { address: 'countess@example.com', primary: false } },
        { type: 'ContactPrimaryEmailChanged', data: { address: 'countess@example.com' } },
        { type: 'ContactStatusChanged', data: { from: 'lead', to: 'customer' } },
        { type: 'ContactTagged', data: { tag: 'math' } },
        { type: 'ContactCustomFieldsChanged', data: { set: { favouriteEngine: 'analytical' }, removed: [] } },
      ]);
  });

  it('writes nothing when a patch changes nothing', () => {
    given(contactDecider, [created]).when({ type: 'UpdateContact', input: { firstName: 'Ada', tags: ['VIP'] } }).thenNothingHappens();
  });

  it('keeps one primary email when the primary one is removed', () => {
    const state = given(contactDecider, [created, { type: 'ContactEmailAdded', data: { address: 'b@example.com', primary: false } }])
      .when({ type: 'UpdateContact', input: { emails: [{ address: 'b@example.com' }] } })
      .then([
        { type: 'ContactEmailRemoved', data: { address: 'ada@example.com' } },
        { type: 'ContactPrimaryEmailChanged', data: { address: 'b@example.com' } },
      ]);
    expect(state.emails).toEqual([{ address: 'b@example.com', primary: true }]);
  });

  it('moves a contact between companies with an unlink and a link', () => {
    given(contactDecider, [created, { type: 'ContactLinkedToCompany', data: { companyId: 'old' } }])
      .when({ type: 'UpdateContact', input: { companyId: 'new' } })
      .then([
        { type: 'ContactUnlinkedFromCompany', data: { companyId: 'old' } },
        { type: 'ContactLinkedToCompany', data: { companyId: 'new' } },
      ]);
  });

  it('removes custom fields with null (merge patch)', () => {
    given(contactDecider, [created, { type: 'ContactCustomFieldsChanged', data: { set: { a: 1, b: 2 }, removed: [] } }])
      .when({ type: 'UpdateContact', input: { customFields: { a: null, b: 2 } } })
      .then([{ type: 'ContactCustomFieldsChanged', data: { set: {}, removed: ['a'] } }]);
  });

  it('archives and restores idempotently', () => {
    given(contactDecider, [created]).when({ type: 'ArchiveContact' }).then([{ type: 'ContactArchived', data: {} }]);
    given(contactDecider, [created, { type: 'ContactArchived', data: {} }]).when({ type: 'ArchiveContact' }).thenNothingHappens();
    given(contactDecider, [created, { type: 'ContactArchived', data: {} }]).when({ type: 'RestoreContact' }).then([{ type: 'ContactRestored', data: {} }]);
  });

  it('erases personal data on delete and then treats the contact as not found', () => {
    const state = given(contactDecider, [created]).when({ type: 'DeleteContact' }).then([{ type: 'ContactDeleted', data: {} }]);
    expect(state).toMatchObject({ lifecycle: 'deleted', firstName: '', emails: [] });
    given(contactDecider, [created, { type: 'ContactDeleted', data: {} }]).when({ type: 'UpdateContact', input: { firstName: 'X' } }).thenThrows(DomainError, /not found/);
  });

  it('rejects commands on a contact that does not exist', () => {
    given(contactDecider).when({ type: 'ArchiveContact' }).thenThrows(DomainError, /not found/);
  });

  it('validates birthdays', () => {
    given(contactDecider, [created]).when({ type: 'UpdateContact', input: { birthday: '2023-02-30' } }).thenThrows(DomainError, /birthday/);
    given(contactDecider, [created]).when({ type: 'UpdateContact', input: { birthday: '1815-12-10' } }).then([{ type: 'ContactBirthdayChanged', data: { birthday: '1815-12-10' } }]);
  });
});

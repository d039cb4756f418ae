import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { contactDecider, type ContactEvent, type ContactFields, type ContactState } from './contact';

const fields = (overrides: Partial<ContactFields>): ContactFields => ({
  firstName: 'Ada',
  lastName: 'Lovelace',
  emails: [],
  phones: [],
  title: null,
  companyId: null,
  address: null,
  industry: null,
  region: null,
  status: 'lead',
  tags: [],
  birthday: null,
  ownerId: null,
  source: null,
  customFields: {},
  ...overrides,
});

const createdA: ContactEvent = {
  type: 'ContactCreated',
  data: {
    contactId: 'a',
    ...fields({ emails: [{ address: 'ada@example.com', primary: true }], title: 'Countess', tags: ['vip'], customFields: { tier: 'gold' } }),
  },
};
const createdB: ContactEvent = {
  type: 'ContactCreated',
  data: {
    contactId: 'b',
    ...fields({
      firstName: 'Augusta',
      emails: [{ address: 'augusta@example.com', primary: true }],
      phones: [{ number: '+37060012345', primary: true }],
      title: 'Analyst',
      industry: 'Computing',
      tags: ['vip', 'math'],
      customFields: { tier: 'silver', seats: 3 },
    }),
  },
};

const fold = (events: ContactEvent[]): ContactState => events.reduce(contactDecider.evolve, contactDecider.initialState());
const source = fold([createdB]);

/** The API-visible part of a state: what an unmerge must give back. */
const visible = ({ merge: _merge, ...rest }: ContactState) => rest;

describe('contact merge decider', () => {
  it('records the merge effect, then unions emails, phones and tags and takes chosen or missing scalars', () => {
    const merged = given(contactDecider, [createdA])
      .when({ type: 'MergeContact', sourceId: 'b', source, fieldChoices: { name: 'source' } })
      .then((events) => {
        expect(events[0]).toEqual({
          type: 'ContactMerged',
          data: {
            sourceId: 'b',
            fields: {
              name: { before: { firstName: 'Ada', lastName: 'Lovelace' }, after: { firstName: 'Augusta', lastName: 'Lovelace' } },
              industry: { before: null, after: 'Computing' },
            },
            addedEmails: ['augusta@example.com'],
            addedPhones: ['+37060012345'],
            addedTags: ['math'],
            primaryEmail: null,
            primaryPhone: null,
            customFields: { seats: { before: null, after: 3 } },
          },
        });
        expect(events.slice(1).map((event) => event.type)).toEqual([
          'ContactRenamed',
          'ContactEmailAdded',
          'ContactPhoneAdded',
          // The survivor had no phone: the added one becomes its primary.
          'ContactPrimaryPhoneChanged',
          'ContactIndustryChanged',
          'ContactTagged',
          'ContactCustomFieldsChanged',
        ]);
      });
    expect(merged.firstName).toBe('Augusta');
    expect(merged.title).toBe('Countess');
    expect(merged.emails).toEqual([
      { address: 'ada@example.com', primary: true },
      { address: 'augusta@example.com', primary: false },
    ]);
    expect(merged.tags).toEqual(['vip', 'math']);
    expect(merged.customFields).toEqual({ tier: 'gold', seats: 3 });
    expect(Object.keys(merged.merge.from)).toEqual(['b']);
  });

  it('takes the source primary email and conflicting custom fields when chosen', () => {
    const merged = given(contactDecider, [createdA])
      .when({ type: 'MergeContact', sourceId: 'b', source, fieldChoices: { primaryEmail: 'source', customFields: 'source', title: 'source' } })
      .then(() => undefined);
    expect(merged.emails.find((email) => email.primary)?.address).toBe('augusta@example.com');
    expect(merged.customFields).toEqual({ tier: 'silver', seats: 3 });
    expect(merged.title).toBe('Analyst');
  });

  it('unmerge restores exactly what the merge changed and keeps later edits', () => {
    const mergeEvents = contactDecider.decide({ type: 'MergeContact', sourceId: 'b', source, fieldChoices: { title: 'source', primaryEmail: 'source' } }, fold([createdA]));
    const later: ContactEvent[] = [{ type: 'ContactRegionChanged', data: { region: 'EMEA' } }];
    const unmerged = given(contactDecider, [createdA, ...mergeEvents, ...later])
      .when({ type: 'UnmergeContact', sourceId: 'b' })
      .then((events) => expect(events[0]).toMatchObject({ type: 'ContactUnmerged', data: { sourceId: 'b', keptFields: [] } }));
    expect(visible(unmerged)).toEqual({ ...visible(fold([createdA])), region: 'EMEA' });
    expect(unmerged.merge.from).toEqual({});
  });

  it('unmerge keeps a later edit of a field the merge had changed', () => {
    const mergeEvents = contactDecider.decide({ type: 'MergeContact', sourceId: 'b', source, fieldChoices: { title: 'source' } }, fold([createdA]));
    const retitled: ContactEvent = { type: 'ContactTitleChanged', data: { title: 'Author' } };
    const unmerged = given(contactDecider, [createdA, ...mergeEvents, retitled])
      .when({ type: 'UnmergeContact', sourceId: 'b' })
      .then((events) => expect(events[0]).toMatchObject({ data: { keptFields: ['title'] } }));
    expect(unmerged.title).toBe('Author');
    expect(unmerged.industry).toBeNull();
  });

  it('a merged source is frozen until it is released, then is as it was', () => {
    const marked = given(contactDecider, [createdB]).when({ type: 'MarkMergedInto', targetId: 'a' }).then([{ type: 'ContactMergedInto', data: { targetId: 'a' } }]);
    expect(marked.merge.into).toBe('a');
    given(contactDecider, [createdB, { type: 'ContactMergedInto', data: { targetId: 'a' } }])
      .when({ type: 'UpdateContact', input: { title: 'x' } })
      .thenThrows(DomainError, /merged into a/);
    given(contactDecider, [createdB, { type: 'ContactMergedInto', data: { targetId: 'a' } }]).when({ type: 'MarkMergedInto', targetId: 'a' }).thenNothingHappens();
    const released = given(contactDecider, [createdB, { type: 'ContactMergedInto', data: { targetId: 'a' } }])
      .when({ type: 'ClearMergedInto', targetId: 'a' })
      .then([{ type: 'ContactUnmergedFrom', data: { targetId: 'a' } }]);
    expect(released).toEqual(source);
  });

  it('refuses merging into itself, an already merged source, and unmerging what was not merged', () => {
    given(contactDecider, [createdA]).when({ type: 'MergeContact', sourceId: 'a', source: fold([createdA]), fieldChoices: {} }).thenThrows(DomainError, /itself/);
    const mergedSource = fold([createdB, { type: 'ContactMergedInto', data: { targetId: 'c' } }]);
    given(contactDecider, [createdA]).when({ type: 'MergeContact', sourceId: 'b', source: mergedSource, fieldChoices: {} }).thenThrows(DomainError, /already merged/);
    given(contactDecider, [createdA]).when({ type: 'MergeContact', sourceId: 'x', source: contactDecider.initialState(), fieldChoices: {} }).thenThrows(DomainError, /not found/);
    given(contactDecider, [createdA]).when({ type: 'UnmergeContact', sourceId: 'b' }).thenThrows(DomainError, /not merged/);
  });

  it('a merge already recorded on the survivor decides nothing more (a retry completes the source half only)', () => {
    const mergeEvents = contactDecider.decide({ type: 'MergeContact', sourceId: 'b', source, fieldChoices: {} }, fold([createdA]));
    given(contactDecider, [createdA, ...mergeEvents]).when({ type: 'MergeContact', sourceId: 'b', source, fieldChoices: {} }).thenNothingHappens();
  });
});

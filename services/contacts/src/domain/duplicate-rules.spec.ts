import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { DEFAULT_DUPLICATE_RULES, duplicateRulesDecider, matchKeys, matchValues, normaliseName, ruleMatches } from './duplicate-rules';

describe('duplicate rules decider', () => {
  it('starts with the defaults on: primary email, phone, name and company', () => {
    const state = duplicateRulesDecider.initialState();
    expect(state.revision).toBe(-1);
    expect(state.rules.map((rule) => [rule.name, rule.fields, rule.enabled])).toEqual([
      ['same-primary-email', ['primaryEmail'], true],
      ['same-phone', ['phone'], true],
      ['same-name-and-company', ['name', 'companyId'], true],
    ]);
  });

  it('replaces the whole rule set, normalising the region', () => {
    given(duplicateRulesDecider)
      .when({ type: 'ReplaceDuplicateRules', rules: { defaultRegion: 'lt', rules: [{ name: 'vat', fields: ['customFields.vatId'], enabled: true }] } })
      .then([{ type: 'DuplicateRulesReplaced', data: { defaultRegion: 'LT', rules: [{ name: 'vat', fields: ['customFields.vatId'], enabled: true }] } }]);
  });

  it('records nothing when a saved set is saved again unchanged', () => {
    given(duplicateRulesDecider, [{ type: 'DuplicateRulesReplaced', data: DEFAULT_DUPLICATE_RULES }])
      .when({ type: 'ReplaceDuplicateRules', rules: DEFAULT_DUPLICATE_RULES })
      .thenNothingHappens();
  });

  it.each([
    [{ defaultRegion: 'XX', rules: [] }, /defaultRegion/],
    [{ defaultRegion: null, rules: [{ name: 'Bad Name', fields: ['name'], enabled: true }] }, /rules.0.name/],
    [{ defaultRegion: null, rules: [{ name: 'a', fields: ['shoeSize'], enabled: true }] }, /rules.0.fields.0/],
    [{ defaultRegion: null, rules: [{ name: 'a', fields: [], enabled: true }] }, /rules.0.fields/],
    [
      {
        defaultRegion: null,
        rules: [
          { name: 'a', fields: ['name'], enabled: true },
          { name: 'a', fields: ['phone'], enabled: true },
        ],
      },
      /used twice/,
    ],
  ])('refuses an invalid set %#', (rules, message) => {
    given(duplicateRulesDecider).when({ type: 'ReplaceDuplicateRules', rules: rules as never }).thenThrows(DomainError, message);
  });
});

describe('match keys', () => {
  it('normalises names without case, diacritics or extra spaces', () => {
    expect(normaliseName('  José   DA Silva ')).toBe('jose da silva');
    expect(normaliseName('Zoë\tRenée')).toBe('zoe renee');
  });

  it('matches a rule only when every field matches', () => {
    const ada = matchValues({ firstName: 'Ada', lastName: 'Lovelace', companyId: 'c1', emails: [{ address: 'ADA@x.com', primary: true }], phones: [{ number: '+37060012345' }] });
    const other = matchValues({ firstName: 'ádá ', lastName: 'LOVELACE', companyId: 'c1' });
    const elsewhere = matchValues({ firstName: 'Ada', lastName: 'Lovelace', companyId: 'c2' });
    const rule = DEFAULT_DUPLICATE_RULES.rules[2];
    expect(ruleMatches(rule, ada, other)).toBe(true);
    expect(ruleMatches(rule, ada, elsewhere)).toBe(false);
    expect(matchKeys(ada)).toEqual(expect.arrayContaining(['primaryEmail:ada@x.com', 'email:ada@x.com', 'phone:+37060012345', 'name:ada lovelace', 'companyId:c1']));
  });
});

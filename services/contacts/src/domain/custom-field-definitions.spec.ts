import { DomainError, StaleRevisionError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { checkCustomFields, customFieldDecider, type CustomFieldEvent, type CustomFieldSchemaState } from './custom-field-definitions';

const tierDefined: CustomFieldEvent = { type: 'CustomFieldDefined', data: { name: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'], required: false } };
const seatsDefined: CustomFieldEvent = { type: 'CustomFieldDefined', data: { name: 'seats', label: 'seats', type: 'number', options: [], required: true } };

const schemaOf = (events: CustomFieldEvent[]): CustomFieldSchemaState => given(customFieldDecider, events).state;

function problemsOf(run: () => void): { field?: string; reason: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).details;
  }
  throw new Error('expected the write to be refused');
}

describe('custom field definitions decider', () => {
  it('defines a field, with the name as label by default and no options unless it is a select', () => {
    given(customFieldDecider)
      .when({ type: 'DefineCustomField', definition: { name: 'seats', type: 'number', required: true } })
      .then([{ type: 'CustomFieldDefined', data: { name: 'seats', label: 'seats', type: 'number', options: [], required: true } }]);
    given(customFieldDecider)
      .when({ type: 'DefineCustomField', definition: { name: 'tier', label: ' Tier ', type: 'select', options: ['gold', ' silver '] } })
      .then([tierDefined]);
  });

  it('refuses bad names, select fields without options, options on other types and duplicate options', () => {
    given(customFieldDecider).when({ type: 'DefineCustomField', definition: { name: '1st', type: 'text' } }).thenThrows(DomainError, /name/);
    given(customFieldDecider).when({ type: 'DefineCustomField', definition: { name: 'tier', type: 'select' } }).thenThrows(DomainError, /options/);
    given(customFieldDecider).when({ type: 'DefineCustomField', definition: { name: 'seats', type: 'number', options: ['1'] } }).thenThrows(DomainError, /options/);
    given(customFieldDecider).when({ type: 'DefineCustomField', definition: { name: 'tier', type: 'select', options: ['a', 'a '] } }).thenThrows(DomainError, /options\.1/);
  });

  it('refuses a second field whose name differs only in letter case', () => {
    const error = given(customFieldDecider, [tierDefined]).when({ type: 'DefineCustomField', definition: { name: 'Tier', type: 'text' } }).thenThrows(DomainError);
    expect((error as DomainError).kind).toBe('conflict');
  });

  it('gives each definition its own revision, which If-Match pins without involving the others', () => {
    const state = schemaOf([tierDefined, seatsDefined]);
    expect(state.fields.tier.revision).toBe(0);
    expect(state.fields.seats.revision).toBe(1);
    given(customFieldDecider, [tierDefined, seatsDefined])
      .when({ type: 'ChangeCustomField', name: 'tier', changes: { label: 'Customer tier' }, expectedRevision: 0 })
      .then([{ type: 'CustomFieldChanged', data: { name: 'tier', label: 'Customer tier', type: 'select', options: ['gold', 'silver'], required: false, changed: ['label'] } }]);
    given(customFieldDecider, [tierDefined, seatsDefined]).when({ type: 'ChangeCustomField', name: 'tier', changes: { label: 'X' }, expectedRevision: 1 }).thenThrows(StaleRevisionError);
  });

  it('drops the options of a field that stops being a select, and writes nothing for a change that changes nothing', () => {
    const state = given(customFieldDecider, [tierDefined])
      .when({ type: 'ChangeCustomField', name: 'tier', changes: { type: 'text' } })
      .then([{ type: 'CustomFieldChanged', data: { name: 'tier', label: 'Tier', type: 'text', options: [], required: false, changed: ['type', 'options'] } }]);
    expect(state.fields.tier).toMatchObject({ type: 'text', options: [], revision: 1 });
    given(customFieldDecider, [tierDefined]).when({ type: 'ChangeCustomField', name: 'tier', changes: { label: 'Tier', required: false } }).thenNothingHappens();
    given(customFieldDecider, [seatsDefined]).when({ type: 'ChangeCustomField', name: 'seats', changes: { type: 'select' } }).thenThrows(DomainError, /options/);
  });

  it('removes a definition, after which the name is free again', () => {
    const removed: CustomFieldEvent = { type: 'CustomFieldRemoved', data: { name: 'tier' } };
    given(customFieldDecider, [tierDefined]).when({ type: 'RemoveCustomField', name: 'tier' }).then([removed]);
    given(customFieldDecider, [tierDefined, removed]).when({ type: 'RemoveCustomField', name: 'tier' }).thenThrows(DomainError, /not defined/);
    given(customFieldDecider, [tierDefined, removed])
      .when({ type: 'DefineCustomField', definition: { name: 'tier', type: 'text' } })
      .then([{ type: 'CustomFieldDefined', data: { name: 'tier', label: 'tier', type: 'text', options: [], required: false } }]);
  });
});

describe('checking custom field values against the definitions', () => {
  const schema = schemaOf([
    tierDefined,
    seatsDefined,
    { type: 'CustomFieldDefined', data: { name: 'renewal', label: 'renewal', type: 'date', options: [], required: false } },
    { type: 'CustomFieldDefined', data: { name: 'partner', label: 'partner', type: 'boolean', options: [], required: false } },
    { type: 'CustomFieldDefined', data: { name: 'motto', label: 'motto', type: 'text', options: [], required: false } },
  ]);

  it('keeps custom fields free-form for a tenant without definitions', () => {
    expect(() => checkCustomFields(schemaOf([]), 'contact', { anything: { nested: [1] } }, 'create')).not.toThrow();
  });

  it('accepts values of the defined types', () => {
    expect(() => checkCustomFields(schema, 'contact', { tier: 'gold', seats: 12, renewal: '2027-01-31', partner: false, motto: 'Onwards' }, 'create')).not.toThrow();
  });

  it('names every value of the wrong type', () => {
    const problems = problemsOf(() => checkCustomFields(schema, 'contact', { tier: 'bronze', seats: '12', renewal: '2027-02-30', partner: 'yes', motto: 7 }, 'create'));
    expect(problems.map((problem) => problem.field)).toEqual(['customFields.tier', 'customFields.seats', 'customFields.renewal', 'customFields.partner', 'customFields.motto']);
    expect(problems[0].reason).toMatch(/gold, silver/);
  });

  it('refuses undefined keys once definitions exist, with a hint for a letter-case slip, but lets null remove them', () => {
    const problems = problemsOf(() => checkCustomFields(schema, 'contact', { seats: 1, Tier: 'gold', colour: 'red' }, 'create'));
    expect(problems).toEqual([
      { field: 'customFields.Tier', reason: 'not defined; did you mean tier?' },
      { field: 'customFields.colour', reason: 'not defined for contacts' },
    ]);
    expect(() => checkCustomFields(schema, 'contact', { legacy: null }, 'update')).not.toThrow();
  });

  it('needs required fields on create and refuses their removal, but a patch may leave them out', () => {
    expect(problemsOf(() => checkCustomFields(schema, 'contact', { tier: 'gold' }, 'create'))).toEqual([{ field: 'customFields.seats', reason: 'is required' }]);
    expect(problemsOf(() => checkCustomFields(schema, 'contact', undefined, 'create'))).toEqual([{ field: 'customFields.seats', reason: 'is required' }]);
    expect(problemsOf(() => checkCustomFields(schema, 'contact', { seats: null }, 'update'))).toEqual([{ field: 'customFields.seats', reason: 'is required' }]);
    expect(() => checkCustomFields(schema, 'contact', { tier: 'silver' }, 'update')).not.toThrow();
    expect(() => checkCustomFields(schema, 'contact', { tier: null }, 'update')).not.toThrow();
  });
});

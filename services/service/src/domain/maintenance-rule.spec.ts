import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { maintenanceRuleDecider, type MaintenanceRuleEvent, productTypeKey } from './maintenance-rule';

const created: MaintenanceRuleEvent = {
  type: 'MaintenanceRuleCreated',
  data: { ruleId: 'r1', productType: 'Boiler', every: { years: 3 }, anchor: 'purchaseDate', vipEvery: { years: 1 }, beforeWarrantyEndDays: null },
};

describe('maintenance rule decider', () => {
  it('creates a rule with the purchase date as default anchor', () => {
    given(maintenanceRuleDecider)
      .when({ type: 'CreateMaintenanceRule', ruleId: 'r1', input: { productType: ' Boiler ', every: { years: 3 }, vipEvery: { years: 1 } } })
      .then([created]);
  });

  it('needs a product type, a cadence or a warranty offset, and sane numbers', () => {
    const create = (input: object) => given(maintenanceRuleDecider).when({ type: 'CreateMaintenanceRule', ruleId: 'r1', input: { productType: 'boiler', ...input } });
    create({ productType: '' }).thenThrows(DomainError, /productType/);
    create({}).thenThrows(DomainError, /every, vipEvery or beforeWarrantyEndDays/);
    create({ every: { years: 0 } }).thenThrows(DomainError, /every/);
    create({ every: { years: 1.5 } }).thenThrows(DomainError, /every.years/);
    create({ every: { years: 100 } }).thenThrows(DomainError, /50 years/);
    create({ beforeWarrantyEndDays: -1 }).thenThrows(DomainError, /beforeWarrantyEndDays/);
    create({ every: { years: 3 }, anchor: 'deliveryDate' }).thenThrows(DomainError, /anchor/);
  });

  it('accepts a warranty-only rule', () => {
    given(maintenanceRuleDecider)
      .when({ type: 'CreateMaintenanceRule', ruleId: 'r1', input: { productType: 'boiler', beforeWarrantyEndDays: 30 } })
      .then(([event]) => expect(event.data).toMatchObject({ every: null, beforeWarrantyEndDays: 30 }));
  });

  it('replaces the whole rule, and does nothing when nothing changes', () => {
    given(maintenanceRuleDecider, [created])
      .when({ type: 'ReplaceMaintenanceRule', input: { productType: 'Boiler', every: { years: 5 } } })
      .then([{ type: 'MaintenanceRuleReplaced', data: { ruleId: 'r1', productType: 'Boiler', every: { years: 5 }, anchor: 'purchaseDate', vipEvery: null, beforeWarrantyEndDays: null } }]);
    given(maintenanceRuleDecider, [created])
      .when({ type: 'ReplaceMaintenanceRule', input: { productType: 'Boiler', every: { years: 3 }, vipEvery: { years: 1 } } })
      .thenNothingHappens();
  });

  it('deletes a rule, after which it is not found', () => {
    given(maintenanceRuleDecider, [created]).when({ type: 'DeleteMaintenanceRule' }).then([{ type: 'MaintenanceRuleDeleted', data: { ruleId: 'r1' } }]);
    given(maintenanceRuleDecider, [created, { type: 'MaintenanceRuleDeleted', data: { ruleId: 'r1' } }])
      .when({ type: 'ReplaceMaintenanceRule', input: { productType: 'boiler', every: { years: 1 } } })
      .thenThrows(DomainError, /not found/);
  });

  it('matches product types without case or surrounding spaces', () => {
    expect(productTypeKey(' Boiler ')).toBe('boiler');
  });
});

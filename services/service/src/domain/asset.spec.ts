import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { assetDecider, type AssetEvent, serialNumberKey } from './asset';

const registered: AssetEvent = {
  type: 'AssetRegistered',
  data: {
    assetId: 'a1',
    productType: 'boiler',
    productName: 'Heatmaster 300',
    serialNumber: 'HM-300-001',
    purchaseDate: '2023-05-10',
    installDate: null,
    warrantyEnd: '2028-05-10',
    location: '1 Main St, Vilnius',
    ownerContactId: 'p1',
    companyId: null,
    vip: false,
  },
};

const input = {
  productType: ' boiler ',
  productName: 'Heatmaster 300',
  serialNumber: ' HM-300-001 ',
  purchaseDate: '2023-05-10',
  warrantyEnd: '2028-05-10',
  location: '1 Main St, Vilnius',
  ownerContactId: 'p1',
};

describe('asset decider', () => {
  it('registers an asset with trimmed text and defaults', () => {
    given(assetDecider).when({ type: 'RegisterAsset', assetId: 'a1', input }).then([registered]);
  });

  it('needs the required fields and dates that make sense together', () => {
    const register = (overrides: object) => given(assetDecider).when({ type: 'RegisterAsset', assetId: 'a1', input: { ...input, ...overrides } });
    register({ serialNumber: '' }).thenThrows(DomainError, /serialNumber/);
    register({ productType: '  ' }).thenThrows(DomainError, /productType/);
    register({ purchaseDate: '2023-13-01' }).thenThrows(DomainError, /purchaseDate/);
    register({ warrantyEnd: undefined }).thenThrows(DomainError, /warrantyEnd/);
    register({ installDate: '2023-05-01' }).thenThrows(DomainError, /installDate.*before the purchase date/);
    register({ warrantyEnd: '2022-01-01' }).thenThrows(DomainError, /warrantyEnd.*before the purchase date/);
  });

  it('records only the fields a change touches, checked against the rest of the record', () => {
    given(assetDecider, [registered])
      .when({ type: 'UpdateAsset', input: { location: 'Plant 2', serialNumber: 'HM-300-001', vip: true } })
      .then([{ type: 'AssetUpdated', data: { assetId: 'a1', location: 'Plant 2', vip: true } }]);
    given(assetDecider, [registered]).when({ type: 'UpdateAsset', input: { warrantyEnd: '2020-01-01' } }).thenThrows(DomainError, /warrantyEnd/);
    given(assetDecider, [registered]).when({ type: 'UpdateAsset', input: { location: '1 Main St, Vilnius' } }).thenNothingHappens();
  });

  it('answers not found for an unknown asset', () => {
    given(assetDecider).when({ type: 'UpdateAsset', input: { location: 'x' } }).thenThrows(DomainError, /not found/);
  });

  it('records a maintenance visit once per due date', () => {
    const visit = { dueOn: '2026-05-10', reasons: ['anniversary' as const], ruleId: 'r1', ticketId: 't1', vip: false };
    const state = given(assetDecider, [registered]).when({ type: 'RecordMaintenanceDue', visit }).then([{ type: 'AssetMaintenanceDue', data: { assetId: 'a1', ...visit } }]);
    expect(state.maintenance).toEqual([visit]);
    given(assetDecider, [registered, { type: 'AssetMaintenanceDue', data: { assetId: 'a1', ...visit } }])
      .when({ type: 'RecordMaintenanceDue', visit: { ...visit, ticketId: 't2' } })
      .thenNothingHappens();
  });

  it('follows a contact merge to the survivor and back', () => {
    const merged = given(assetDecider, [registered])
      .when({ type: 'RelinkAssetOwner', fromContactId: 'p1', toContactId: 'p9', reason: 'merged' })
      .then([{ type: 'AssetOwnerRelinked', data: { assetId: 'a1', fromContactId: 'p1', toContactId: 'p9', reason: 'merged' } }]);
    expect(merged).toMatchObject({ ownerContactId: 'p9', relinkedFrom: 'p1' });
  });

  it('compares serial numbers without case or surrounding spaces', () => {
    expect(serialNumberKey(' hm-300-001 ')).toBe(serialNumberKey('HM-300-001'));
  });
});

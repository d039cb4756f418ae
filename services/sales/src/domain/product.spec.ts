import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { isSellable, productDecider, type ProductEvent, skuKey, skuReservationDecider } from './product';

const created: ProductEvent = {
  type: 'ProductCreated',
  data: { productId: 'p1', sku: 'W-1', name: 'Widget', description: null, unit: 'each', active: true, taxCategory: 'standard', defaultTaxPercent: '21' },
};

describe('product decider', () => {
  it('creates a product with defaults for what is left out', () => {
    given(productDecider)
      .when({ type: 'CreateProduct', productId: 'p1', input: { sku: ' W-1 ', name: ' Widget ', taxCategory: 'standard', defaultTaxPercent: '21.00' } })
      .then([created]);
  });

  it('needs a SKU, a name, and a tax percentage between 0 and 100', () => {
    given(productDecider).when({ type: 'CreateProduct', productId: 'p1', input: { name: 'Widget' } }).thenThrows(DomainError, /sku/);
    given(productDecider).when({ type: 'CreateProduct', productId: 'p1', input: { sku: 'has space', name: 'Widget' } }).thenThrows(DomainError, /sku/);
    given(productDecider).when({ type: 'CreateProduct', productId: 'p1', input: { sku: 'W-1', name: '  ' } }).thenThrows(DomainError, /name/);
    given(productDecider).when({ type: 'CreateProduct', productId: 'p1', input: { sku: 'W-1', name: 'W', defaultTaxPercent: '101' } }).thenThrows(DomainError, /defaultTaxPercent/);
    given(productDecider).when({ type: 'CreateProduct', productId: 'p1', input: { sku: 'W-1', name: 'W', defaultTaxPercent: '-1' } }).thenThrows(DomainError, /defaultTaxPercent/);
  });

  it('records only the fields that changed', () => {
    given(productDecider, [created])
      .when({ type: 'UpdateProduct', input: { name: 'Widget', unit: 'hour', active: false, defaultTaxPercent: '21.0' } })
      .then([{ type: 'ProductChanged', data: { productId: 'p1', unit: 'hour', active: false } }]);
    given(productDecider, [created]).when({ type: 'UpdateProduct', input: { name: 'Widget' } }).thenNothingHappens();
  });

  it('archives and restores, idempotently, and sells only active, unarchived products', () => {
    const archived = given(productDecider, [created]).when({ type: 'ArchiveProduct' }).then([{ type: 'ProductArchived', data: { productId: 'p1' } }]);
    expect(isSellable(archived)).toBe(false);
    given(productDecider, [created, { type: 'ProductArchived', data: { productId: 'p1' } }]).when({ type: 'ArchiveProduct' }).thenNothingHappens();
    given(productDecider, [created, { type: 'ProductArchived', data: { productId: 'p1' } }]).when({ type: 'RestoreProduct' }).then([{ type: 'ProductRestored', data: { productId: 'p1' } }]);
    expect(isSellable(given(productDecider, [created, { type: 'ProductChanged', data: { productId: 'p1', active: false } }]).state)).toBe(false);
  });

  it('does not know products that were never created', () => {
    given(productDecider).when({ type: 'UpdateProduct', input: { name: 'x' } }).thenThrows(DomainError, /not found/);
  });
});

describe('SKU reservation decider', () => {
  it('compares SKUs regardless of letter case', () => {
    expect(skuKey(' ab-1 ')).toBe(skuKey('AB-1'));
  });

  it('gives a SKU to one product; another one gets a conflict', () => {
    given(skuReservationDecider).when({ type: 'ReserveSku', sku: 'W-1', productId: 'p1', abandonedBy: null }).then([{ type: 'SkuReserved', data: { sku: 'W-1', productId: 'p1' } }]);
    const error = given(skuReservationDecider, [{ type: 'SkuReserved', data: { sku: 'W-1', productId: 'p1' } }])
      .when({ type: 'ReserveSku', sku: 'w-1', productId: 'p2', abandonedBy: null })
      .thenThrows(DomainError, /already used by product p1/);
    expect((error as DomainError).kind).toBe('conflict');
  });

  it('is idempotent for the holder, and lets a SKU be taken over from a holder that does not use it', () => {
    const reserved = [{ type: 'SkuReserved' as const, data: { sku: 'W-1', productId: 'p1' } }];
    given(skuReservationDecider, reserved).when({ type: 'ReserveSku', sku: 'W-1', productId: 'p1', abandonedBy: null }).thenNothingHappens();
    given(skuReservationDecider, reserved).when({ type: 'ReserveSku', sku: 'W-1', productId: 'p2', abandonedBy: 'p1' }).then([{ type: 'SkuReserved', data: { sku: 'W-1', productId: 'p2' } }]);
    given(skuReservationDecider, reserved).when({ type: 'ReserveSku', sku: 'W-1', productId: 'p2', abandonedBy: 'p0' }).thenThrows(DomainError, /already used/);
  });

  it('releases a SKU only for its holder', () => {
    const reserved = [{ type: 'SkuReserved' as const, data: { sku: 'W-1', productId: 'p1' } }];
    given(skuReservationDecider, reserved).when({ type: 'ReleaseSku', productId: 'p2' }).thenNothingHappens();
    given(skuReservationDecider, reserved).when({ type: 'ReleaseSku', productId: 'p1' }).then([{ type: 'SkuReleased', data: { productId: 'p1' } }]);
  });
});

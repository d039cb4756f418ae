import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import type { ForecastFigures } from './forecast';
import { attainmentOf, quotaDecider, type QuotaEvent } from './quota';

const created: QuotaEvent = { type: 'QuotaCreated', data: { quotaId: 'q1', ownerId: 'ana', period: '2026-Q4', amount: '50000.00', currency: 'EUR' } };
const input = { ownerId: 'ana', period: '2026-Q4', amount: '50000', currency: 'EUR' };

describe('quota decider', () => {
  it('creates a quota with a canonical period and amount', () => {
    given(quotaDecider)
      .when({ type: 'CreateQuota', quotaId: 'q1', input: { ...input, period: '2026-q4', currency: 'eur' } })
      .then([created]);
  });

  it('refuses a second quota for the same owner and period', () => {
    given(quotaDecider, [created]).when({ type: 'CreateQuota', quotaId: 'q1', input }).thenThrows(DomainError, /already has a quota for 2026-Q4/);
  });

  it('refuses bad periods, owners, amounts and currencies', () => {
    const refuses = (change: Partial<typeof input>, message: RegExp) =>
      given(quotaDecider).when({ type: 'CreateQuota', quotaId: 'q1', input: { ...input, ...change } }).thenThrows(DomainError, message);
    refuses({ period: '2026-Q5' }, /period/);
    refuses({ period: '2026' }, /period/);
    refuses({ ownerId: '' }, /ownerId/);
    refuses({ ownerId: 'ana smith' }, /ownerId/);
    refuses({ amount: '0' }, /greater than zero/);
    refuses({ amount: '-5' }, /negative/);
    refuses({ amount: '10.005' }, /decimal places/);
    refuses({ amount: '1e6' }, /not a decimal/);
    refuses({ currency: 'EURO' }, /currency/);
    refuses({ currency: 'JPY', amount: '100.5' }, /decimal places/);
    refuses({ amount: undefined }, /needs an amount/);
  });

  it('sets a quota by owner and period: creates it, then changes it, keeping the previous value in the event', () => {
    const state = given(quotaDecider).when({ type: 'SetQuota', quotaId: 'q1', input }).then([created]);
    expect(state).toMatchObject({ lifecycle: 'active', amount: '50000.00' });
    given(quotaDecider, [created])
      .when({ type: 'SetQuota', quotaId: 'q1', input: { ...input, amount: '60000.5' } })
      .then([{ type: 'QuotaChanged', data: { quotaId: 'q1', amount: '60000.50', currency: 'EUR', previousAmount: '50000.00', previousCurrency: 'EUR' } }]);
  });

  it('records nothing when the quota does not change', () => {
    given(quotaDecider, [created]).when({ type: 'SetQuota', quotaId: 'q1', input: { ...input, amount: '50000.0' } }).thenNothingHappens();
    given(quotaDecider, [created]).when({ type: 'ChangeQuota', input: { amount: '50000' } }).thenNothingHappens();
  });

  it('changes the currency, checking the amount against the new currency', () => {
    given(quotaDecider, [created])
      .when({ type: 'ChangeQuota', input: { currency: 'USD' } })
      .then([{ type: 'QuotaChanged', data: { quotaId: 'q1', amount: '50000.00', currency: 'USD', previousAmount: '50000.00', previousCurrency: 'EUR' } }]);
    given(quotaDecider, [created])
      .when({ type: 'ChangeQuota', input: { currency: 'JPY' } })
      .then(([event]) => expect(event.data).toMatchObject({ amount: '50000', currency: 'JPY' }));
    const withCents: QuotaEvent = { type: 'QuotaCreated', data: { quotaId: 'q1', ownerId: 'ana', period: '2026-Q4', amount: '50000.50', currency: 'EUR' } };
    given(quotaDecider, [withCents]).when({ type: 'ChangeQuota', input: { currency: 'JPY' } }).thenThrows(DomainError, /decimal places/);
  });

  it('keeps owner and period: a set for another target on this stream is a conflict', () => {
    given(quotaDecider, [created]).when({ type: 'SetQuota', quotaId: 'q1', input: { ...input, ownerId: 'bo' } }).thenThrows(DomainError, /belongs to owner ana/);
    given(quotaDecider, [created]).when({ type: 'SetQuota', quotaId: 'q1', input: { ...input, period: '2026-11' } }).thenThrows(DomainError, /is for period 2026-Q4/);
  });

  it('deletes a quota; changing or deleting a deleted or unknown quota is not found; setting it again creates it', () => {
    const deleted: QuotaEvent = { type: 'QuotaDeleted', data: { quotaId: 'q1' } };
    given(quotaDecider, [created]).when({ type: 'DeleteQuota' }).then([deleted]);
    given(quotaDecider, [created, deleted]).when({ type: 'DeleteQuota' }).thenThrows(DomainError, /not found/);
    given(quotaDecider, [created, deleted]).when({ type: 'ChangeQuota', input: { amount: '1' } }).thenThrows(DomainError, /not found/);
    given(quotaDecider).when({ type: 'ChangeQuota', input: { amount: '1' } }).thenThrows(DomainError, /not found/);
    given(quotaDecider, [created, deleted]).when({ type: 'SetQuota', quotaId: 'q1', input: { ...input, amount: '1' } }).then(([event]) =>
      expect(event).toMatchObject({ type: 'QuotaCreated', data: { amount: '1.00' } }),
    );
    given(quotaDecider, [created, deleted]).when({ type: 'CreateQuota', quotaId: 'q1', input }).then([created]);
  });
});

describe('attainment', () => {
  const figures = (currency: string, closedWon: string, wonDeals: number): ForecastFigures => ({
    currency,
    weightedPipeline: '0.00',
    openPipeline: '0.00',
    commit: '0.00',
    bestCase: '0.00',
    closedWon,
    closedLost: '0.00',
    openDeals: 0,
    commitDeals: 0,
    bestCaseDeals: 0,
    wonDeals,
    lostDeals: 0,
  });
  const quota = { quotaId: 'q1', ownerId: 'ana', period: '2026-Q4', amount: '30000.00', currency: 'EUR' };

  it('is closed won over quota, in percent, rounded half-up to 2 places; other currencies are listed, not added', () => {
    // 25000 / 30000 = 0.83333… → 83.33 %
    expect(attainmentOf(quota, [figures('EUR', '25000.00', 2), figures('USD', '999.00', 1)])).toEqual({
      quotaId: 'q1',
      ownerId: 'ana',
      period: '2026-Q4',
      quota: { amount: '30000.00', currency: 'EUR' },
      closedWon: '25000.00',
      wonDeals: 2,
      attainmentPercent: '83.33',
      closedWonInOtherCurrencies: [{ currency: 'USD', amount: '999.00', wonDeals: 1 }],
    });
    // 1 / 8 = 12.5 % exactly; 1 / 3 = 33.333… %; 2 / 3 = 66.666… → 66.67; over-achievement is not capped.
    expect(attainmentOf({ ...quota, amount: '8.00' }, [figures('EUR', '1.00', 1)]).attainmentPercent).toBe('12.50');
    expect(attainmentOf({ ...quota, amount: '3.00' }, [figures('EUR', '2.00', 1)]).attainmentPercent).toBe('66.67');
    expect(attainmentOf({ ...quota, amount: '100.00' }, [figures('EUR', '250.00', 1)]).attainmentPercent).toBe('250.00');
  });

  it('is zero without won deals in the quota currency', () => {
    expect(attainmentOf(quota, [])).toMatchObject({ closedWon: '0.00', wonDeals: 0, attainmentPercent: '0.00', closedWonInOtherCurrencies: [] });
  });
});

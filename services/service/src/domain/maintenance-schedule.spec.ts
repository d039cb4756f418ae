import { anniversary, type MaintenancePlan, type MaintenanceSubject, nextMaintenance, scheduleFrom, upcomingMaintenance } from './maintenance-schedule';

const plan = (overrides: Partial<MaintenancePlan> = {}): MaintenancePlan => ({
  every: { years: 3 },
  anchor: 'purchaseDate',
  vipEvery: null,
  beforeWarrantyEndDays: null,
  ...overrides,
});

const asset = (overrides: Partial<MaintenanceSubject> = {}): MaintenanceSubject => ({
  purchaseDate: '2020-05-10',
  installDate: null,
  warrantyEnd: null,
  vip: false,
  ...overrides,
});

const dueDates = (occurrences: { dueOn: string }[]) => occurrences.map((occurrence) => occurrence.dueOn);

describe('maintenance schedule', () => {
  describe('anniversaries by product type', () => {
    it('given a 3-year product type, when the schedule starts before the 3rd anniversary, then the visit is on that anniversary', () => {
      expect(nextMaintenance(plan(), asset(), '2021-01-01')).toEqual({ dueOn: '2023-05-10', reasons: ['anniversary'] });
    });

    it('given a 3-year product type, when the last visit fell due, then the next one is 3 years later', () => {
      expect(nextMaintenance(plan(), asset(), scheduleFrom('2021-01-01', '2023-05-10'))).toEqual({ dueOn: '2026-05-10', reasons: ['anniversary'] });
    });

    it('given a 5-year product type, then visits fall every 5 years from the purchase date', () => {
      expect(dueDates(upcomingMaintenance(plan({ every: { years: 5 } }), asset({ purchaseDate: '2019-01-15' }), '2019-01-15', 3))).toEqual([
        '2024-01-15',
        '2029-01-15',
        '2034-01-15',
      ]);
    });

    it('given an anniversary that is the very day the schedule starts, then it is due that day (a product bought exactly 3 years ago)', () => {
      expect(nextMaintenance(plan(), asset({ purchaseDate: '2023-11-23' }), '2026-11-23')?.dueOn).toBe('2026-11-23');
    });

    it('never counts the purchase day itself as a visit', () => {
      expect(nextMaintenance(plan(), asset(), '2020-05-10')?.dueOn).toBe('2023-05-10');
    });

    it('given a months cadence, then visits fall every N months', () => {
      expect(dueDates(upcomingMaintenance(plan({ every: { months: 6 } }), asset(), '2020-05-10', 3))).toEqual(['2020-11-10', '2021-05-10', '2021-11-10']);
    });

    it('given an asset registered long after purchase, when the schedule starts, then missed anniversaries are not replayed', () => {
      expect(nextMaintenance(plan(), asset({ purchaseDate: '2000-05-10' }), '2026-06-01')?.dueOn).toBe('2027-05-10');
    });
  });

  describe('VIP customers', () => {
    it('given a VIP owner and vipEvery yearly, then visits are yearly while others stay 3-yearly', () => {
      const rule = plan({ vipEvery: { years: 1 } });
      expect(dueDates(upcomingMaintenance(rule, asset({ vip: true }), '2020-05-10', 3))).toEqual(['2021-05-10', '2022-05-10', '2023-05-10']);
      expect(dueDates(upcomingMaintenance(rule, asset({ vip: false }), '2020-05-10', 2))).toEqual(['2023-05-10', '2026-05-10']);
    });

    it('given a VIP owner and no vipEvery, then the VIP follows the ordinary cadence', () => {
      expect(nextMaintenance(plan(), asset({ vip: true }), '2020-05-10')?.dueOn).toBe('2023-05-10');
    });

    it('given a rule with only vipEvery, then only VIP customers get anniversary visits', () => {
      const rule = plan({ every: null, vipEvery: { years: 1 } });
      expect(nextMaintenance(rule, asset({ vip: true }), '2020-05-10')?.dueOn).toBe('2021-05-10');
      expect(nextMaintenance(rule, asset({ vip: false }), '2020-05-10')).toBeNull();
    });
  });

  describe('anchor', () => {
    it('given anchor installDate, then anniversaries count from the install date', () => {
      expect(nextMaintenance(plan({ anchor: 'installDate' }), asset({ installDate: '2020-07-01' }), '2020-07-01')?.dueOn).toBe('2023-07-01');
    });

    it('given anchor installDate and no install date, then the purchase date is used', () => {
      expect(nextMaintenance(plan({ anchor: 'installDate' }), asset(), '2020-05-10')?.dueOn).toBe('2023-05-10');
    });
  });

  describe('before the warranty ends', () => {
    it('given beforeWarrantyEndDays 30, then a visit falls 30 days before the warranty end', () => {
      const rule = plan({ every: null, beforeWarrantyEndDays: 30 });
      expect(nextMaintenance(rule, asset({ warrantyEnd: '2027-03-01' }), '2026-01-01')).toEqual({ dueOn: '2027-01-30', reasons: ['warranty_end'] });
    });

    it('given a warranty visit before the next anniversary, then the warranty visit comes first and the anniversary after it', () => {
      const rule = plan({ beforeWarrantyEndDays: 60 });
      expect(upcomingMaintenance(rule, asset({ warrantyEnd: '2022-05-10' }), '2020-05-10', 2)).toEqual([
        { dueOn: '2022-03-11', reasons: ['warranty_end'] },
        { dueOn: '2023-05-10', reasons: ['anniversary'] },
      ]);
    });

    it('given a warranty visit on an anniversary, then it is one visit for both reasons', () => {
      const rule = plan({ beforeWarrantyEndDays: 10 });
      expect(nextMaintenance(rule, asset({ warrantyEnd: '2023-05-20' }), '2020-05-10')).toEqual({ dueOn: '2023-05-10', reasons: ['anniversary', 'warranty_end'] });
    });

    it('given a warranty day already past when the schedule starts, then it is skipped', () => {
      const rule = plan({ every: null, beforeWarrantyEndDays: 30 });
      expect(nextMaintenance(rule, asset({ warrantyEnd: '2026-01-15' }), '2026-01-01')).toBeNull();
    });

    it('given the warranty day reaching today, then it is due today', () => {
      const rule = plan({ every: null, beforeWarrantyEndDays: 30 });
      expect(nextMaintenance(rule, asset({ warrantyEnd: '2026-12-23' }), '2026-11-23')?.dueOn).toBe('2026-11-23');
    });
  });

  describe('leap years and month ends', () => {
    it('given a purchase on 29 February, then the yearly visit is on 28 February in common years and 29 February in leap years', () => {
      const rule = plan({ every: { years: 1 } });
      expect(dueDates(upcomingMaintenance(rule, asset({ purchaseDate: '2024-02-29' }), '2024-02-29', 4))).toEqual([
        '2025-02-28',
        '2026-02-28',
        '2027-02-28',
        '2028-02-29',
      ]);
    });

    it('given a purchase on 29 February and a 3-year cadence, then the visit falls on 28 February 2027', () => {
      expect(nextMaintenance(plan(), asset({ purchaseDate: '2024-02-29' }), '2024-03-01')?.dueOn).toBe('2027-02-28');
    });

    it('counts every anniversary from the anchor, so a short month never shifts the later ones', () => {
      expect(dueDates(upcomingMaintenance(plan({ every: { months: 1 } }), asset({ purchaseDate: '2025-01-31' }), '2025-02-01', 3))).toEqual([
        '2025-02-28',
        '2025-03-31',
        '2025-04-30',
      ]);
      expect(anniversary('2024-02-29', 12, 4)).toBe('2028-02-29');
    });
  });

  describe('where the schedule resumes', () => {
    it('resumes the day after the last visit, never before tracking started', () => {
      expect(scheduleFrom('2026-01-01', null)).toBe('2026-01-01');
      expect(scheduleFrom('2026-01-01', '2026-03-05')).toBe('2026-03-06');
      expect(scheduleFrom('2026-01-01', '2020-03-05')).toBe('2026-01-01');
    });

    it('has nothing to schedule without a cadence or a warranty visit', () => {
      expect(nextMaintenance(plan({ every: null }), asset(), '2020-01-01')).toBeNull();
    });
  });
});

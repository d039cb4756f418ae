import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { contractStatusOn, renewalRemindersToSchedule, serviceContractDecider, type ServiceContractEvent } from './service-contract';

const created: ServiceContractEvent = {
  type: 'ServiceContractCreated',
  data: {
    contractId: 'c1',
    customer: { contactId: 'p1', companyId: null },
    tier: 'premium',
    startDate: '2026-01-01',
    endDate: '2026-12-31',
    coveredAssetIds: ['a1'],
    entitlements: { hours: '10.00', tickets: 2 },
    renewalReminderOffsetsDays: [90, 30],
  },
};

const ticket = (ticketId: string, coverage: 'covered' | 'contract_expired' | 'entitlement_exhausted' = 'covered'): ServiceContractEvent => ({
  type: 'ContractTicketRecorded',
  data: { contractId: 'c1', ticketId, openedOn: '2026-03-01', coverage, reason: null, term: 1 },
});

describe('service contract decider', () => {
  describe('creation and dates', () => {
    it('creates a contract with the default tier and reminder offsets', () => {
      given(serviceContractDecider)
        .when({ type: 'CreateServiceContract', contractId: 'c1', input: { customer: { companyId: 'k1' }, startDate: '2026-01-01', endDate: '2026-12-31' } })
        .then([
          {
            type: 'ServiceContractCreated',
            data: {
              contractId: 'c1',
              customer: { contactId: null, companyId: 'k1' },
              tier: 'standard',
              startDate: '2026-01-01',
              endDate: '2026-12-31',
              coveredAssetIds: [],
              entitlements: { hours: null, tickets: null },
              renewalReminderOffsetsDays: [90, 30],
            },
          },
        ]);
    });

    it('normalises the tier, hours and the reminder offsets (largest first, no repeats)', () => {
      given(serviceContractDecider)
        .when({
          type: 'CreateServiceContract',
          contractId: 'c1',
          input: { customer: { contactId: 'p1' }, tier: ' VIP ', startDate: '2026-01-01', endDate: '2026-12-31', entitlements: { hours: '7.5' }, renewalReminderOffsetsDays: [30, 90, 30] },
        })
        .then(([event]) => expect(event.data).toMatchObject({ tier: 'vip', entitlements: { hours: '7.50', tickets: null }, renewalReminderOffsetsDays: [90, 30] }));
    });

    it('needs a customer, valid dates in order and sane entitlements', () => {
      const create = (input: object) => given(serviceContractDecider).when({ type: 'CreateServiceContract', contractId: 'c1', input: { customer: { contactId: 'p1' }, startDate: '2026-01-01', endDate: '2026-12-31', ...input } });
      create({ customer: {} }).thenThrows(DomainError, /customer/);
      create({ startDate: '2026-02-30' }).thenThrows(DomainError, /startDate/);
      create({ endDate: '2025-12-31' }).thenThrows(DomainError, /endDate/);
      create({ entitlements: { hours: '-1' } }).thenThrows(DomainError, /hours/);
      create({ entitlements: { hours: '1.234' } }).thenThrows(DomainError, /hours/);
      create({ entitlements: { tickets: 1.5 } }).thenThrows(DomainError, /tickets/);
      create({ tier: 'Gold Plus!' }).thenThrows(DomainError, /tier/);
      create({ renewalReminderOffsetsDays: [-5] }).thenThrows(DomainError, /renewalReminderOffsetsDays/);
    });

    it('tells active, scheduled, expired and cancelled apart by date, end date included', () => {
      const contract = { startDate: '2026-01-01', endDate: '2026-12-31', cancelledOn: null };
      expect(contractStatusOn(contract, '2025-12-31')).toBe('scheduled');
      expect(contractStatusOn(contract, '2026-12-31')).toBe('active');
      expect(contractStatusOn(contract, '2027-01-01')).toBe('expired');
      expect(contractStatusOn({ ...contract, cancelledOn: '2026-06-01' }, '2026-06-01')).toBe('cancelled');
      expect(contractStatusOn({ ...contract, cancelledOn: '2026-06-01' }, '2026-05-31')).toBe('active');
    });
  });

  describe('changes', () => {
    it('records each changed field as its own event and nothing for unchanged ones', () => {
      given(serviceContractDecider, [created])
        .when({ type: 'UpdateServiceContract', input: { tier: 'vip', coveredAssetIds: ['a1'], entitlements: { hours: '10', tickets: 5 } } })
        .then([
          { type: 'ServiceContractTierChanged', data: { contractId: 'c1', tier: 'vip' } },
          { type: 'ServiceContractEntitlementsChanged', data: { contractId: 'c1', entitlements: { hours: '10.00', tickets: 5 } } },
        ]);
    });

    it('keeps the customer and the end date out of PATCH (renew moves the end date)', () => {
      given(serviceContractDecider, [created]).when({ type: 'UpdateServiceContract', input: { endDate: '2027-12-31' } }).thenThrows(DomainError, /renew/);
      given(serviceContractDecider, [created]).when({ type: 'UpdateServiceContract', input: { customer: { contactId: 'p2' } } }).thenThrows(DomainError, /customer/);
    });

    it('answers not found for a contract that does not exist', () => {
      given(serviceContractDecider).when({ type: 'UpdateServiceContract', input: { tier: 'vip' } }).thenThrows(DomainError, /not found/);
    });
  });

  describe('renew', () => {
    it('moves the end date on, starts a new term and resets the usage', () => {
      const state = given(serviceContractDecider, [created, ticket('t1')])
        .when({ type: 'RenewServiceContract', endDate: '2027-12-31' })
        .then([
          {
            type: 'ServiceContractRenewed',
            data: { contractId: 'c1', previousEndDate: '2026-12-31', endDate: '2027-12-31', term: 2, termStartDate: '2027-01-01', entitlements: { hours: '10.00', tickets: 2 }, tier: 'premium' },
          },
        ]);
      expect(state.usage).toEqual({ tickets: 0, hours: '0.00' });
    });

    it('needs a later end date and a contract that is not cancelled', () => {
      given(serviceContractDecider, [created]).when({ type: 'RenewServiceContract', endDate: '2026-12-31' }).thenThrows(DomainError, /after the current end date/);
      given(serviceContractDecider, [created, { type: 'ServiceContractCancelled', data: { contractId: 'c1', cancelledOn: '2026-05-01', reason: null } }])
        .when({ type: 'RenewServiceContract', endDate: '2027-12-31' })
        .thenThrows(DomainError, /cancelled/);
    });
  });

  describe('cancel', () => {
    it('cancels on the day, once', () => {
      const state = given(serviceContractDecider, [created])
        .when({ type: 'CancelServiceContract', reason: ' moved away ', today: '2026-05-01' })
        .then([{ type: 'ServiceContractCancelled', data: { contractId: 'c1', cancelledOn: '2026-05-01', reason: 'moved away' } }]);
      expect(state.lifecycle).toBe('cancelled');
      given(serviceContractDecider, [created, { type: 'ServiceContractCancelled', data: { contractId: 'c1', cancelledOn: '2026-05-01', reason: null } }])
        .when({ type: 'CancelServiceContract', reason: null, today: '2026-05-02' })
        .thenNothingHappens();
    });

    it('refuses changes to a cancelled contract', () => {
      given(serviceContractDecider, [created, { type: 'ServiceContractCancelled', data: { contractId: 'c1', cancelledOn: '2026-05-01', reason: null } }])
        .when({ type: 'UpdateServiceContract', input: { tier: 'vip' } })
        .thenThrows(DomainError, /cancelled/);
    });
  });

  describe('tickets against the contract (entitlement consumption)', () => {
    it('given a contract in force with tickets left, when a ticket is recorded, then it is covered and uses one ticket', () => {
      const state = given(serviceContractDecider, [created])
        .when({ type: 'RecordContractTicket', ticketId: 't1', openedOn: '2026-03-01' })
        .then([{ type: 'ContractTicketRecorded', data: { contractId: 'c1', ticketId: 't1', openedOn: '2026-03-01', coverage: 'covered', reason: null, term: 1 } }]);
      expect(state.usage.tickets).toBe(1);
    });

    it('given a ticket already recorded, when it is recorded again, then nothing happens (counted once)', () => {
      given(serviceContractDecider, [created, ticket('t1')]).when({ type: 'RecordContractTicket', ticketId: 't1', openedOn: '2026-03-01' }).thenNothingHappens();
    });

    it('given every ticket of the term used, when another ticket comes, then it is recorded as entitlement_exhausted and not counted', () => {
      const state = given(serviceContractDecider, [created, ticket('t1'), ticket('t2')])
        .when({ type: 'RecordContractTicket', ticketId: 't3', openedOn: '2026-03-02' })
        .then(([event]) => expect(event.data).toMatchObject({ coverage: 'entitlement_exhausted', reason: expect.stringMatching(/all 2 tickets/) }));
      expect(state.usage.tickets).toBe(2);
    });

    it('given every hour used, when a ticket comes, then it is entitlement_exhausted', () => {
      const hours: ServiceContractEvent = { type: 'ContractHoursConsumed', data: { contractId: 'c1', consumptionId: 'h1', ticketId: 't0', hours: '10.00', on: '2026-02-01', term: 1 } };
      given(serviceContractDecider, [created, hours])
        .when({ type: 'RecordContractTicket', ticketId: 't1', openedOn: '2026-03-01' })
        .then(([event]) => expect(event.data).toMatchObject({ coverage: 'entitlement_exhausted', reason: expect.stringMatching(/hours/) }));
    });

    it('given a contract that ended, when a ticket comes after the end date, then it is contract_expired', () => {
      given(serviceContractDecider, [created])
        .when({ type: 'RecordContractTicket', ticketId: 't1', openedOn: '2027-01-01' })
        .then(([event]) => expect(event.data).toMatchObject({ coverage: 'contract_expired', reason: 'the service contract ended on 2026-12-31' }));
    });

    it('given a cancelled contract, when a ticket comes after the cancellation, then it is contract_expired', () => {
      given(serviceContractDecider, [created, { type: 'ServiceContractCancelled', data: { contractId: 'c1', cancelledOn: '2026-05-01', reason: null } }])
        .when({ type: 'RecordContractTicket', ticketId: 't1', openedOn: '2026-05-02' })
        .then(([event]) => expect(event.data).toMatchObject({ coverage: 'contract_expired', reason: expect.stringMatching(/cancelled on 2026-05-01/) }));
    });

    it('given a renewal, then the new term has its tickets again', () => {
      const renewed: ServiceContractEvent = {
        type: 'ServiceContractRenewed',
        data: { contractId: 'c1', previousEndDate: '2026-12-31', endDate: '2027-12-31', term: 2, termStartDate: '2027-01-01', entitlements: { hours: '10.00', tickets: 2 }, tier: 'premium' },
      };
      given(serviceContractDecider, [created, ticket('t1'), ticket('t2'), renewed])
        .when({ type: 'RecordContractTicket', ticketId: 't3', openedOn: '2027-01-05' })
        .then(([event]) => expect(event.data).toMatchObject({ coverage: 'covered', term: 2 }));
    });
  });

  describe('hours', () => {
    it('adds hours exactly', () => {
      const first: ServiceContractEvent = { type: 'ContractHoursConsumed', data: { contractId: 'c1', consumptionId: 'h1', ticketId: 't1', hours: '0.10', on: '2026-02-01', term: 1 } };
      const state = given(serviceContractDecider, [created, first])
        .when({ type: 'RecordContractHours', consumptionId: 'h2', ticketId: 't1', hours: '0.2', on: '2026-02-02' })
        .then([{ type: 'ContractHoursConsumed', data: { contractId: 'c1', consumptionId: 'h2', ticketId: 't1', hours: '0.20', on: '2026-02-02', term: 1 } }]);
      expect(state.usage.hours).toBe('0.30');
    });

    it('refuses zero hours, and hours outside the contract period', () => {
      given(serviceContractDecider, [created]).when({ type: 'RecordContractHours', consumptionId: 'h1', ticketId: 't1', hours: '0', on: '2026-02-02' }).thenThrows(DomainError, /more than 0/);
      given(serviceContractDecider, [created]).when({ type: 'RecordContractHours', consumptionId: 'h1', ticketId: 't1', hours: '1', on: '2027-02-02' }).thenThrows(DomainError, /ended/);
    });
  });

  describe('renewal reminders', () => {
    it('records a reminder once for the current end date', () => {
      given(serviceContractDecider, [created])
        .when({ type: 'RecordRenewalDue', endDate: '2026-12-31', offsetDays: 30 })
        .then([{ type: 'ContractRenewalDue', data: { contractId: 'c1', endDate: '2026-12-31', offsetDays: 30, dueOn: '2026-12-01' } }]);
      given(serviceContractDecider, [created, { type: 'ContractRenewalDue', data: { contractId: 'c1', endDate: '2026-12-31', offsetDays: 30, dueOn: '2026-12-01' } }])
        .when({ type: 'RecordRenewalDue', endDate: '2026-12-31', offsetDays: 30 })
        .thenNothingHappens();
    });

    it('ignores a reminder for an end date a renewal replaced, and any after a cancellation', () => {
      given(serviceContractDecider, [created]).when({ type: 'RecordRenewalDue', endDate: '2025-12-31', offsetDays: 30 }).thenNothingHappens();
      given(serviceContractDecider, [created, { type: 'ServiceContractCancelled', data: { contractId: 'c1', cancelledOn: '2026-05-01', reason: null } }])
        .when({ type: 'RecordRenewalDue', endDate: '2026-12-31', offsetDays: 30 })
        .thenNothingHappens();
    });

    it('schedules the reminders ahead, plus only the closest one already past, and none for an ended contract', () => {
      expect(renewalRemindersToSchedule('2026-12-31', [90, 30], '2026-01-01')).toEqual([
        { offsetDays: 90, dueOn: '2026-10-02' },
        { offsetDays: 30, dueOn: '2026-12-01' },
      ]);
      expect(renewalRemindersToSchedule('2026-12-31', [90, 60, 30], '2026-11-15')).toEqual([
        { offsetDays: 60, dueOn: '2026-11-01' },
        { offsetDays: 30, dueOn: '2026-12-01' },
      ]);
      expect(renewalRemindersToSchedule('2026-12-31', [90, 30], '2027-01-01')).toEqual([]);
    });
  });

  describe('contact merges', () => {
    it('relinks the customer contact to the survivor and back on unmerge', () => {
      const state = given(serviceContractDecider, [created])
        .when({ type: 'RelinkContractCustomer', fromContactId: 'p1', toContactId: 'p9', reason: 'merged' })
        .then([{ type: 'ServiceContractCustomerRelinked', data: { contractId: 'c1', fromContactId: 'p1', toContactId: 'p9', reason: 'merged' } }]);
      expect(state).toMatchObject({ customer: { contactId: 'p9' }, relinkedFrom: 'p1' });
      given(serviceContractDecider, [created]).when({ type: 'RelinkContractCustomer', fromContactId: 'p5', toContactId: 'p9', reason: 'merged' }).thenNothingHappens();
    });
  });
});

import { DomainError } from '@crm/decider';
import { externalEntryAdded } from './timeline';

describe('external timeline entries', () => {
  const entry = { source: 'deals', sourceId: 'evt-1', type: 'deal.won', occurredAt: '2026-11-23T12:00:00+01:00', summary: ' Won ', data: { amount: 5 } };

  it('turns an entry from another service into the event that stores it', () => {
    expect(externalEntryAdded('c1', entry)).toEqual({
      type: 'ExternalTimelineEntryAdded',
      data: { contactId: 'c1', source: 'deals', sourceId: 'evt-1', entryType: 'deal.won', occurredAt: '2026-11-23T11:00:00.000Z', summary: 'Won', data: { amount: 5 } },
    });
  });

  it("keeps this service's own sources to itself and checks the rest", () => {
    expect(() => externalEntryAdded('c1', { ...entry, source: 'interaction' })).toThrow(DomainError);
    expect(() => externalEntryAdded('c1', { ...entry, source: 'Deals!' })).toThrow(/source/);
    expect(() => externalEntryAdded('c1', { ...entry, occurredAt: 'yesterday' })).toThrow(/occurredAt/);
    expect(() => externalEntryAdded('c1', { ...entry, data: { blob: 'x'.repeat(20_000) } })).toThrow(/data/);
  });
});

import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { compareTerritories, firstMatchingTerritory, territoryDecider, type TerritoryEvent, territoryMatches, territoryTurnDecider, type TerritoryTurnEvent } from './territory';

const created: TerritoryEvent = {
  type: 'TerritoryCreated',
  data: {
    territoryId: 't1',
    name: 'Nordics software',
    rank: 10,
    regions: [],
    industries: ['Software'],
    countries: ['LT', 'LV'],
    appliesTo: ['lead', 'deal'],
    assignment: 'round_robin',
    ownerIds: ['olga', 'piotr'],
  },
};

describe('territory decider', () => {
  it('creates a territory with normalised criteria and a rotation of owners', () => {
    given(territoryDecider)
      .when({
        type: 'CreateTerritory',
        territoryId: 't1',
        input: { name: ' Nordics software ', rank: 10, industries: ['Software', 'software '], countries: ['lt', 'LV'], ownerIds: ['olga', 'piotr', 'olga'] },
      })
      .then([created]);
  });

  it('gives a single owner with ownerId, applying to leads and deals by default', () => {
    given(territoryDecider)
      .when({ type: 'CreateTerritory', territoryId: 't2', input: { name: 'Rest of world', ownerId: 'olga' } })
      .then(([event]) => expect(event.data).toMatchObject({ rank: 100, assignment: 'single', ownerIds: ['olga'], appliesTo: ['lead', 'deal'], regions: [] }));
  });

  it('needs a name and exactly one way of naming owners', () => {
    const create = (input: object) => given(territoryDecider).when({ type: 'CreateTerritory', territoryId: 't', input: { name: 'T', ...input } });
    given(territoryDecider).when({ type: 'CreateTerritory', territoryId: 't', input: { ownerId: 'a' } }).thenThrows(DomainError, /name/);
    create({}).thenThrows(DomainError, /needs an owner/);
    create({ ownerIds: [] }).thenThrows(DomainError, /needs an owner/);
    create({ ownerId: 'a', ownerIds: ['b'] }).thenThrows(DomainError, /not both/);
    create({ ownerId: 'bad owner' }).thenThrows(DomainError, /ownerId/);
  });

  it('refuses unknown subjects, bad country codes and ranks', () => {
    const create = (input: object) => given(territoryDecider).when({ type: 'CreateTerritory', territoryId: 't', input: { name: 'T', ownerId: 'a', ...input } });
    create({ appliesTo: ['ticket'] }).thenThrows(DomainError, /appliesTo/);
    create({ appliesTo: [] }).thenThrows(DomainError, /appliesTo/);
    create({ countries: ['Lithuania'] }).thenThrows(DomainError, /countries/);
    create({ rank: -1 }).thenThrows(DomainError, /rank/);
    create({ rank: 1.5 }).thenThrows(DomainError, /rank/);
    create({ regions: [''] }).thenThrows(DomainError, /regions/);
  });

  it('records only what a change changes', () => {
    given(territoryDecider, [created])
      .when({ type: 'UpdateTerritory', input: { name: 'Nordics software', rank: 5, ownerId: 'olga' } })
      .then([{ type: 'TerritoryChanged', data: { rank: 5, assignment: 'single', ownerIds: ['olga'] } }]);
    given(territoryDecider, [created]).when({ type: 'UpdateTerritory', input: { countries: ['LV', 'lt'].reverse() } }).thenNothingHappens();
  });

  it('deletes a territory, which is then gone', () => {
    const deleted: TerritoryEvent = { type: 'TerritoryDeleted', data: {} };
    given(territoryDecider, [created]).when({ type: 'DeleteTerritory' }).then([deleted]);
    given(territoryDecider, [created, deleted]).when({ type: 'UpdateTerritory', input: { rank: 1 } }).thenThrows(DomainError, /deleted/);
    given(territoryDecider).when({ type: 'DeleteTerritory' }).thenThrows(DomainError, /not found/);
  });
});

describe('territory matching', () => {
  const nordics = { regions: [], industries: ['Software'], countries: ['LT', 'LV'], appliesTo: ['lead', 'deal'] as ('lead' | 'deal')[] };

  it('matches when every criterion given matches, without regard to case', () => {
    expect(territoryMatches(nordics, { kind: 'lead', industry: ' software', country: 'lt' })).toBe(true);
    expect(territoryMatches(nordics, { kind: 'lead', industry: 'Retail', country: 'LT' })).toBe(false);
    expect(territoryMatches(nordics, { kind: 'lead', industry: 'Software' })).toBe(false);
  });

  it('matches only the subjects it applies to', () => {
    expect(territoryMatches({ ...nordics, appliesTo: ['deal'] }, { kind: 'lead', industry: 'Software', country: 'LT' })).toBe(false);
  });

  it('lets a territory without criteria catch everything', () => {
    expect(territoryMatches({ regions: [], industries: [], countries: [], appliesTo: ['lead'] }, { kind: 'lead' })).toBe(true);
  });

  it('tries rules by rank, then by creation, and takes the first that matches', () => {
    const territories = [
      { id: 'catch-all', rank: 100, createdAt: '2026-01-01T00:00:00Z', regions: [], industries: [], countries: [], appliesTo: ['lead'] as 'lead'[] },
      { id: 'emea-late', rank: 10, createdAt: '2026-01-03T00:00:00Z', regions: ['EMEA'], industries: [], countries: [], appliesTo: ['lead'] as 'lead'[] },
      { id: 'emea-early', rank: 10, createdAt: '2026-01-02T00:00:00Z', regions: ['emea'], industries: [], countries: [], appliesTo: ['lead'] as 'lead'[] },
    ].sort(compareTerritories);
    expect(firstMatchingTerritory(territories, { kind: 'lead', region: 'EMEA' })?.id).toBe('emea-early');
    expect(firstMatchingTerritory(territories, { kind: 'lead', region: 'APAC' })?.id).toBe('catch-all');
    expect(firstMatchingTerritory(territories, { kind: 'deal', region: 'APAC' })).toBeNull();
  });
});

describe('round-robin rotation', () => {
  const turn = (n: number, ownerId: string): TerritoryTurnEvent => ({ type: 'TerritoryTurnTaken', data: { turn: n, ownerId, subjectKind: 'lead', subjectId: `l${n}` } });

  it('hands the owners out in order, starting again after the last', () => {
    const take = (subjectId: string) => ({ type: 'TakeTerritoryTurn' as const, ownerIds: ['olga', 'piotr', 'rita'], subjectKind: 'lead' as const, subjectId });
    given(territoryTurnDecider).when(take('l0')).then([turn(0, 'olga')]);
    given(territoryTurnDecider, [turn(0, 'olga')]).when(take('l1')).then([turn(1, 'piotr')]);
    given(territoryTurnDecider, [turn(0, 'olga'), turn(1, 'piotr'), turn(2, 'rita')]).when(take('l3')).then([turn(3, 'olga')]);
  });

  it('keeps counting turns when the list of owners changes', () => {
    given(territoryTurnDecider, [turn(0, 'olga'), turn(1, 'piotr')])
      .when({ type: 'TakeTerritoryTurn', ownerIds: ['olga', 'piotr', 'rita'], subjectKind: 'deal', subjectId: null })
      .then([{ type: 'TerritoryTurnTaken', data: { turn: 2, ownerId: 'rita', subjectKind: 'deal', subjectId: null } }]);
  });

  it('needs someone to hand out', () => {
    given(territoryTurnDecider).when({ type: 'TakeTerritoryTurn', ownerIds: [], subjectKind: 'lead', subjectId: null }).thenThrows(DomainError, /at least one owner/);
  });
});

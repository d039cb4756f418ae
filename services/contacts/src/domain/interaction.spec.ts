import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import {
  type InteractionCommand,
  interactionDecider,
  type InteractionEvent,
  type InteractionInput,
  normaliseParticipants,
  participantHandles,
  unmatchedParticipants,
} from './interaction';

const NOW = '2026-11-23T10:00:00.000Z';

const record = (input: InteractionInput, matches: Record<string, string[]> = {}, phoneCountry: string | null = null): InteractionCommand => ({
  type: 'RecordInteraction',
  interactionId: 'i1',
  contactId: 'c1',
  input,
  matches,
  phoneCountry,
  now: NOW,
});

describe('interaction decider', () => {
  it('records a call with its direction, duration and the time it happened', () => {
    given(interactionDecider)
      .when(record({ kind: 'call', direction: 'outbound', channel: ' Phone ', subject: 'Renewal', occurredAt: '2026-11-22T09:30:00+02:00', durationSeconds: 300 }))
      .then([
        {
          type: 'InteractionRecorded',
          data: {
            interactionId: 'i1',
            contactId: 'c1',
            kind: 'call',
            direction: 'outbound',
            channel: 'phone',
            subject: 'Renewal',
            body: null,
            occurredAt: '2026-11-22T07:30:00.000Z',
            durationSeconds: 300,
            participants: [],
            linkedContactIds: [],
          },
        },
      ]);
  });

  it('takes the time of recording when occurredAt is absent', () => {
    given(interactionDecider)
      .when(record({ kind: 'note', body: 'Prefers email' }))
      .then(([event]) => expect(event.data.occurredAt).toBe(NOW));
  });

  it('refuses what does not apply to the kind, naming the field', () => {
    given(interactionDecider).when(record({ kind: 'note', body: 'x', direction: 'inbound' })).thenThrows(DomainError, /direction/);
    given(interactionDecider).when(record({ kind: 'email', durationSeconds: 10 })).thenThrows(DomainError, /durationSeconds/);
    given(interactionDecider).when(record({ kind: 'note', body: '  ' })).thenThrows(DomainError, /body/);
    given(interactionDecider).when(record({ kind: 'call', durationSeconds: 1.5 })).thenThrows(DomainError, /durationSeconds/);
  });

  it('refuses interactions in the future, except meetings up to a year ahead', () => {
    given(interactionDecider).when(record({ kind: 'call', occurredAt: '2026-11-24T10:00:00Z' })).thenThrows(DomainError, /occurredAt/);
    given(interactionDecider)
      .when(record({ kind: 'meeting', occurredAt: '2026-12-01T10:00:00Z' }))
      .then(([event]) => expect(event.data.occurredAt).toBe('2026-12-01T10:00:00.000Z'));
  });

  it('links matched participants, keeps unmatched ones, and reports the unmatched back', () => {
    const participants = [
      { email: 'Grace@Navy.example', name: 'Grace' },
      { email: 'nobody@example.com' },
      { phone: '+370 600 12345' },
      { contactId: 'c1' },
      { email: 'twin@example.com' },
    ];
    const matches = { 'email:grace@navy.example': ['c2'], 'contact:c1': ['c1'], 'email:twin@example.com': ['c3', 'c4'] };
    const state = given(interactionDecider)
      .when(record({ kind: 'meeting', participants }, matches))
      .then(([event]) => {
        expect(event.data.participants.map((participant) => participant.matchedContactIds)).toEqual([['c2'], [], [], ['c1'], ['c3', 'c4']]);
        expect(event.data.participants[2].phone).toBe('+37060012345');
        expect(event.data.linkedContactIds).toEqual(['c2', 'c3', 'c4']);
      });
    expect(unmatchedParticipants(state!)).toEqual([{ email: 'nobody@example.com' }, { phone: '+37060012345' }]);
  });

  it('refuses a participant contact id that names no contact, and participants naming two ways at once', () => {
    given(interactionDecider).when(record({ kind: 'email', participants: [{ contactId: 'ghost' }] })).thenThrows(DomainError, /participants\.0\.contactId/);
    given(interactionDecider).when(record({ kind: 'email', participants: [{ email: 'a@x.io', phone: '+37060012345' }] })).thenThrows(DomainError, /participants\.0/);
    given(interactionDecider).when(record({ kind: 'call', participants: [{ phone: '12' }] })).thenThrows(DomainError, /participants\.0\.phone/);
  });

  it('reads national phone numbers in the country of the contact', () => {
    const participants = normaliseParticipants([{ phone: '8 600 12345' }], 'LT');
    expect(participantHandles(participants)).toEqual(['phone:+37060012345']);
  });

  it('records an interaction once', () => {
    const history: InteractionEvent[] = [
      {
        type: 'InteractionRecorded',
        data: { interactionId: 'i1', contactId: 'c1', kind: 'note', direction: null, channel: null, subject: null, body: 'x', occurredAt: NOW, durationSeconds: null, participants: [], linkedContactIds: [] },
      },
    ];
    given(interactionDecider, history).when(record({ kind: 'note', body: 'y' })).thenThrows(DomainError, /already exists/);
  });
});

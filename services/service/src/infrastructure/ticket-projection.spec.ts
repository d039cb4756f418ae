import type { RecordedEvent } from '@crm/eventstore';
import { createInMemoryReadStore, type ReadStore } from '@crm/readstore';
import { TICKET_MESSAGES_COLLECTION, type TicketDocument, TICKETS_COLLECTION } from '../application/ticket-read-models';
import { outgoingMessageId } from '../domain/email-threading';
import { slaStateOf, ticketsProjection } from './tickets.projection';

let position = 0;
function recorded(streamName: string, type: string, data: Record<string, unknown>, revision = 0): RecordedEvent {
  position += 1;
  return {
    eventId: `e${position}`,
    streamName,
    type,
    data,
    revision,
    position,
    recordedAt: '2026-11-01T10:00:00.000Z',
    metadata: { tenantId: 'acme', actorId: 'a', correlationId: 'c', causationId: 'c', occurredAt: `2026-11-01T10:00:${String(position % 60).padStart(2, '0')}.000Z`, schemaVersion: 1 },
  };
}

const opened = (ticketId: string) =>
  recorded(`acme.ticket-${ticketId}`, 'TicketOpened', {
    ticketId,
    channel: 'email',
    subject: 'Printer on fire',
    description: 'Smoke, everywhere!',
    requesterContactId: 'c1',
    requesterEmail: 'ada@example.com',
    companyId: null,
    priority: 'normal',
    category: 'hardware',
    tags: [],
    queueId: 'q1',
    externalMessageId: 'first@mail.example.com',
  });
const sla = (ticketId: string, type: string, metric: string) => recorded(`acme.ticketsla-${ticketId}`, type, { ticketId, metric });

async function documentOf(store: ReadStore, ticketId: string): Promise<TicketDocument> {
  return (await store.collection<TicketDocument>(TICKETS_COLLECTION).findOne({ _id: `acme:${ticketId}` }))!;
}

describe('tickets projection', () => {
  it('given a ticket, then the list document holds its fields, short id and search tokens', async () => {
    const store = createInMemoryReadStore();
    await ticketsProjection.applyBatch!([opened('T1')], store);
    const document = await documentOf(store, 'T1');
    expect(document).toMatchObject({ id: 'T1', shortId: 'T-T1', status: 'new', slaState: 'ok', queueId: 'q1', replyCount: 0 });
    expect(document.searchTokens).toEqual(['printer', 'on', 'fire', 'smoke', 'everywhere']);
  });

  it.each([
    [['SlaWarningIssued:first_response'], 'warning'],
    [['SlaWarningIssued:first_response', 'SlaTargetMet:first_response'], 'ok'],
    [['SlaWarningIssued:first_response', 'SlaBreached:first_response'], 'breached'],
    [['SlaBreached:resolution', 'SlaTargetMet:resolution'], 'breached'],
    [['SlaWarningIssued:first_response', 'SlaTargetMet:first_response', 'SlaWarningIssued:resolution'], 'warning'],
    [['SlaBreached:first_response', 'SlaWarningIssued:resolution', 'SlaTargetMet:resolution'], 'breached'],
  ])('given SLA events %j, then the SLA state is %s (the most severe open one)', async (events, expected) => {
    const store = createInMemoryReadStore();
    await ticketsProjection.applyBatch!(
      [opened('T2'), ...events.map((entry) => sla('T2', entry.split(':')[0], entry.split(':')[1]))],
      store,
    );
    expect((await documentOf(store, 'T2')).slaState).toBe(expected);
  });

  it('is idempotent: events applied again, one by one, change nothing', async () => {
    const store = createInMemoryReadStore();
    const events = [
      opened('T3'),
      recorded('acme.ticket-T3', 'TicketReplied', { ticketId: 'T3', messageId: 'M1', authorType: 'agent', authorId: 'a1', body: 'Hi', attachments: [] }, 1),
      recorded('acme.ticket-T3', 'TicketStatusChanged', { ticketId: 'T3', from: 'new', to: 'open', reason: null }, 2),
      sla('T3', 'SlaBreached', 'first_response'),
    ];
    await ticketsProjection.applyBatch!(events, store);
    const first = await documentOf(store, 'T3');
    for (const event of events) await ticketsProjection.apply(event, store);
    expect(await documentOf(store, 'T3')).toEqual(first);
    expect(first).toMatchObject({ status: 'open', replyCount: 1, slaState: 'breached', revision: 2 });
  });

  it('indexes the Message-IDs that thread email: the opening email and our outgoing replies', async () => {
    const store = createInMemoryReadStore();
    await ticketsProjection.applyBatch!(
      [opened('T4'), recorded('acme.ticket-T4', 'TicketReplied', { ticketId: 'T4', messageId: 'M9', authorType: 'agent', authorId: 'a1', body: 'Hi', attachments: [] }, 1)],
      store,
    );
    const ids = (await store.collection(TICKET_MESSAGES_COLLECTION).find({ tenantId: 'acme' })).map((document) => document._id).sort();
    expect(ids).toEqual([`acme:${outgoingMessageId('T4', 'M9').slice(1, -1)}`, 'acme:first@mail.example.com'].sort());
  });

  it('ignores SLA events of tickets it does not know and events of other kinds', async () => {
    const store = createInMemoryReadStore();
    await ticketsProjection.applyBatch!([sla('NOPE', 'SlaBreached', 'resolution'), recorded('acme.queue-q1', 'QueueCreated', { queueId: 'q1' })], store);
    expect(await store.collection(TICKETS_COLLECTION).countDocuments({})).toBe(0);
  });

  it('reads the most severe state from metric states', () => {
    expect(slaStateOf({})).toBe('ok');
    expect(slaStateOf({ first_response: 'met', resolution: 'warning' })).toBe('warning');
  });
});

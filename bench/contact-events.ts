import { newEventId } from '@crm/decider';
import type { EventStore, NewEvent } from '@crm/eventstore';

/** Writes `contacts` realistic contact streams (created, renamed, tagged, status changed) for rebuild benchmarks. */
export async function seedContactEvents(store: EventStore, contacts: number): Promise<number> {
  const metadata = () => ({ tenantId: 'bench', actorId: 'bench', correlationId: 'bench', causationId: 'bench', occurredAt: new Date().toISOString(), schemaVersion: 1 });
  const event = (type: string, data: unknown): NewEvent => ({ eventId: newEventId(), type, data, metadata: metadata() });
  let written = 0;
  const concurrency = 64;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < contacts) {
        const index = next++;
        const id = `C${String(index).padStart(10, '0')}`;
        const events = [
          event('ContactCreated', {
            contactId: id,
            firstName: `First${index}`,
            lastName: `Last${index}`,
            emails: [{ address: `person${index}@example.com`, primary: true }],
            phones: [],
            title: null,
            companyId: null,
            address: null,
            industry: 'Software',
            region: 'EMEA',
            status: 'lead',
            tags: [],
            birthday: null,
            ownerId: null,
            source: 'bench',
            customFields: {},
          }),
          event('ContactRenamed', { firstName: `Renamed${index}`, lastName: `Last${index}` }),
          event('ContactTagged', { tag: 'vip' }),
          event('ContactStatusChanged', { from: 'lead', to: 'customer' }),
        ];
        await store.append(`bench.contact-${id}`, events, 'no_stream');
        written += events.length;
      }
    }),
  );
  return written;
}

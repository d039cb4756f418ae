import { EmbeddedMessageBus, type IntegrationEvent } from '@crm/bus';
import { CONTACTS_TOPICS, ContactChangedSchema } from '@crm/contracts';
import { fromJson } from '@bufbuild/protobuf';
import { eventually } from '@crm/testing';
import { join } from 'node:path';
import { RunningCrm } from '../../tools/running-crm';

type Contact = { id: string; firstName: string; revision: number };


describe('kill -9 and start again', () => {
  let crm: RunningCrm;

  afterAll(async () => {
    await crm?.stop();
  });

  it('loses nothing that was acknowledged: records, list read model and integration events', async () => {
    crm = await RunningCrm.start();
    const tenant = 'restart';
    const acknowledged = new Map<string, string>();
    let stop = false;

    // Writers keep creating contacts while the whole process tree is killed underneath them.
    const writers = Array.from({ length: 8 }, async (_, writer) => {
      for (let index = 0; !stop; index++) {
        try {
          const response = await crm.call<Contact>('POST', '/api/v1/contacts', { tenant, body: { firstName: `W${writer}`, lastName: `N${index}` } });
          if (response.status === 201) acknowledged.set(response.body.id, `W${writer} N${index}`);
        } catch {
          // Requests cut off by the crash were never acknowledged: nothing is promised for them.
          if (stop) return;
        }
      }
    });
    await eventually(() => acknowledged.size >= 300, { timeoutMs: 30_000, description: '300 acknowledged creations' });
    await crm.killHard();
    stop = true;
    await Promise.all(writers);
    expect(acknowledged.size).toBeGreaterThanOrEqual(300);

    await crm.launch();

    // Every acknowledged record reads back from its stream…
    for (const [id, name] of acknowledged) {
      const read = await crm.call<Contact & { lastName: string }>('GET', `/api/v1/contacts/${id}`, { tenant });
      expect(read.status).toBe(200);
      expect(`${read.body.firstName} ${read.body.lastName}`).toBe(name);
    }

    // …the list read model catches up to include all of them…
    await eventually(
      async () => {
        let count = 0;
        let cursor: string | null = null;
        do {
          const page: { items: Contact[]; nextCursor: string | null } = (
            await crm.call<{ items: Contact[]; nextCursor: string | null }>('GET', `/api/v1/contacts?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { tenant })
          ).body;
          count += page.items.filter((contact) => acknowledged.has(contact.id)).length;
          cursor = page.nextCursor;
        } while (cursor);
        return count === acknowledged.size;
      },
      { timeoutMs: 20_000, description: 'the list to contain every acknowledged contact' },
    );

    // …and every creation was published once as a valid crm.contacts.contact.v1 event.
    const bus = new EmbeddedMessageBus({ path: join(crm.dataDir, 'bus.db') });
    const published = new Map<string, IntegrationEvent>();
    const consumer = await bus.consume({
      group: 'restart-test',
      topics: [CONTACTS_TOPICS.contact],
      handler: async (event) => {
        if (event.type === 'crm.contacts.contact.created.v1' && event.tenantid === tenant) published.set(event.subject, event);
      },
    });
    try {
      await eventually(() => [...acknowledged.keys()].every((id) => published.has(id)), { timeoutMs: 20_000, description: 'a created event for every contact' });
      const sample = published.get(acknowledged.keys().next().value as string)!;
      const decoded = fromJson(ContactChangedSchema, sample.data as never);
      expect(decoded.change).toBe('created');
      expect(decoded.contact?.tenantId).toBe(tenant);
      expect(sample).toMatchObject({ specversion: '1.0', source: '/crm/contacts', datacontenttype: 'application/json' });
    } finally {
      await consumer.close();
      await bus.close();
    }
  });

  it('leaves no orphans when only the launcher is killed, so npm start works again at once', async () => {
    const created = await crm.call<Contact>('POST', '/api/v1/contacts', { tenant: 'orphans', body: { firstName: 'Survivor' } });
    expect(created.status).toBe(201);
    await crm.killLauncherOnly();
    await crm.launch();
    expect((await crm.call<Contact>('GET', `/api/v1/contacts/${created.body.id}`, { tenant: 'orphans' })).body.firstName).toBe('Survivor');
  });
});

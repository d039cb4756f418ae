import { EmbeddedMessageBus } from '@crm/bus';
import { CONTACTS_TOPICS } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callUrl, RunningCrm } from '../../tools/running-crm';

type Contact = { id: string; firstName: string; lastName: string };

describe('graceful shutdown on SIGTERM', () => {
  let crm: RunningCrm;

  afterAll(async () => {
    await crm?.stop();
  });

  it('drains within 10 s under load and loses or repeats nothing', async () => {
    crm = await RunningCrm.start();
    const tenant = 'sigterm';
    const contactsUrl = `http://127.0.0.1:${crm.ports.contacts}`;
    const acknowledged = new Map<string, string>();
    let stop = false;

    // Writers go straight to the service, so every refusal they see comes from the draining service itself.
    const writers = Array.from({ length: 6 }, async (_, writer) => {
      for (let index = 0; !stop; index++) {
        try {
          const response = await callUrl<Contact>(`${contactsUrl}/api/v1/contacts`, 'POST', { tenant, body: { firstName: `W${writer}`, lastName: `N${index}` } });
          if (response.status === 201) acknowledged.set(response.body.id, `W${writer} N${index}`);
        } catch {
          // Refused connections while the service is down promise nothing.
        }
      }
    });
    await eventually(() => acknowledged.size >= 200, { timeoutMs: 30_000, description: '200 acknowledged creations' });

    const pid = crm.servicePid('contacts');
    expect(pid).toBeDefined();
    const signalledAt = Date.now();
    process.kill(pid!, 'SIGTERM');
    await eventually(() => !existsSync(`/proc/${pid}`) || isZombie(pid!), { timeoutMs: 15_000, description: 'the contacts process to exit' });
    const drainMs = Date.now() - signalledAt;
    expect(drainMs).toBeLessThan(10_000);
    expect(crm.logs).not.toContain('did not finish within');

    // The launcher starts it again; the writers then stop.
    await eventually(async () => (await callUrl(`${contactsUrl}/health/ready`, 'GET').catch(() => ({ status: 0 }))).status === 200, {
      timeoutMs: 30_000,
      description: 'contacts to be back',
    });
    stop = true;
    await Promise.all(writers);

    for (const [id, name] of acknowledged) {
      const read = await crm.call<Contact>('GET', `/api/v1/contacts/${id}`, { tenant });
      expect(read.status).toBe(200);
      expect(`${read.body.firstName} ${read.body.lastName}`).toBe(name);
    }

    // A drained relay published and checkpointed everything, so a clean restart publishes nothing twice.
    const bus = new EmbeddedMessageBus({ path: join(crm.dataDir, 'bus.db') });
    const createdEvents = new Map<string, number>();
    const consumer = await bus.consume({
      group: 'shutdown-test',
      topics: [CONTACTS_TOPICS.contact],
      handler: async (event) => {
        if (event.type === 'crm.contacts.contact.created.v1' && event.tenantid === tenant) {
          createdEvents.set(event.subject, (createdEvents.get(event.subject) ?? 0) + 1);
        }
      },
    });
    try {
      await eventually(() => [...acknowledged.keys()].every((id) => createdEvents.has(id)), { timeoutMs: 20_000, description: 'a created event for every contact' });
      expect([...createdEvents.values()].filter((count) => count > 1)).toEqual([]);
    } finally {
      await consumer.close();
      await bus.close();
    }
  });
});

/** The launcher reaps its children, but between exit and reaping the pid is a zombie: it has exited. */
function isZombie(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return true;
  }
}

import { eventually } from '@crm/testing';
import { RunningCrm } from '../../tools/running-crm';

describe('gateway when a service fails', () => {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await RunningCrm.start();
  });

  afterAll(async () => {
    await crm?.stop();
  });

  it('answers 503 problem+json at once while a service is down, and serves again once it is restarted', async () => {
    const created = await crm.call<{ id: string }>('POST', '/api/v1/contacts', { body: { firstName: 'Before' } });
    expect(created.status).toBe(201);

    const contactsPid = crm.servicePid('contacts');
    expect(contactsPid).toBeDefined();
    process.kill(contactsPid!, 'SIGKILL');

    const down = await eventually(
      async () => {
        const started = Date.now();
        const response = await crm.call('GET', `/api/v1/contacts/${created.body.id}`);
        return response.status === 503 ? { response, elapsedMs: Date.now() - started } : undefined;
      },
      { description: 'a 503 while contacts is down' },
    );
    expect(down.response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.response.body).toMatchObject({ status: 503, service: 'contacts' });
    expect(down.elapsedMs).toBeLessThan(2000);

    // The launcher restarts the crashed service; nothing acknowledged before the crash is lost.
    const back = await eventually(
      async () => {
        const response = await crm.call<{ firstName: string }>('GET', `/api/v1/contacts/${created.body.id}`);
        return response.status === 200 ? response : undefined;
      },
      { timeoutMs: 30_000, description: 'contacts to be restarted' },
    );
    expect(back.body.firstName).toBe('Before');
    expect(crm.servicePid('contacts')).not.toBe(contactsPid);
  });

  it('reports readiness of every service', async () => {
    const ready = await eventually(async () => {
      const response = await crm.call<{ status: string; details: Record<string, { status: string }> }>('GET', '/health/ready');
      return response.status === 200 ? response : undefined;
    });
    expect(ready.body.details.contacts.status).toBe('up');
    expect((await crm.call('GET', '/health/live')).status).toBe(200);
  });
});

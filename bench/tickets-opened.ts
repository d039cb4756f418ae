import { eventually } from '@crm/testing';
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningCrm } from '../tools/running-crm';

export interface TicketsOpenedOptions {
  seconds: number;
  /** Concurrent connections. Default 64, as for the contacts benchmark. */
  connections?: number;
  /** Agents of the round-robin queue the tickets are routed to. Default 5. */
  agents?: number;
}

export interface TicketsOpenedResult {
  ticketsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Transport errors, timeouts and non-2xx answers. */
  errors: number;
}

const TENANT = 'bench';

/**
 * Tickets opened per second through the gateway, on the embedded setup (SQLite event store, embedded
 * read store and bus). Each `POST /tickets` is a web ticket whose category routes it to a round-robin
 * queue: one request reads the queue, appends TicketOpened, picks the next agent on the queue's rotation
 * stream and appends TicketAssigned; the tickets projection, the queues projection, the integration relay
 * and the SLA feature then process those events.
 */
export async function benchTicketsOpened(options: TicketsOpenedOptions): Promise<TicketsOpenedResult> {
  const connections = options.connections ?? 64;
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-tickets-'));
  const crm = await RunningCrm.start(join(dir, 'data'));
  try {
    const queue = await crm.call<{ id: string }>('POST', '/api/v1/queues', { tenant: TENANT, body: { name: 'Hardware', assignment: 'round_robin', categories: ['hardware'] } });
    if (queue.status !== 201) throw new Error(`Could not create the queue: ${queue.status} ${queue.text}`);
    const agentCount = options.agents ?? 5;
    for (let index = 0; index < agentCount; index++) {
      const agent = await crm.call('POST', '/api/v1/agents', {
        tenant: TENANT,
        body: { name: `Agent ${index}`, email: `agent${index}@bench.example`, skills: ['hardware'], queueIds: [queue.body.id] },
      });
      if (agent.status !== 201) throw new Error(`Could not create an agent: ${agent.status} ${agent.text}`);
    }
    await eventually(async () => (await crm.call<{ items: unknown[] }>('GET', `/api/v1/agents?queueId=${queue.body.id}`, { tenant: TENANT })).body.items.length === agentCount, {
      description: 'the agents in the list',
    });

    let sequence = 0;
    const headers = { 'content-type': 'application/json', 'x-tenant-id': TENANT, 'x-actor-id': 'bench' };
    const run = (duration: number) =>
      autocannon({
        url: crm.baseUrl,
        connections,
        duration,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => ({
              ...request,
              path: '/api/v1/tickets',
              headers,
              body: JSON.stringify({
                channel: 'web',
                subject: `Printer ${sequence++} jams on every page`,
                description: 'It started after the last firmware update; the paper tray is full.',
                priority: 'normal',
                category: 'hardware',
                tags: ['bench'],
                requesterEmail: 'customer@bench.example',
              }),
            }),
          },
        ],
      });
    await run(5); // warm-up: JIT, SQLite caches, connection pools, and the services settling after start
    const result = await run(options.seconds);
    return {
      ticketsPerSecond: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
    };
  } finally {
    await crm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

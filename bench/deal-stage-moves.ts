import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningCrm } from '../tools/running-crm';

export interface DealStageMovesOptions {
  seconds: number;
  /** Deals the moves spread over, so that concurrent moves rarely touch the same deal. Default 1,000. */
  deals?: number;
  /** Concurrent connections. Default 64, as for the contacts benchmark. */
  connections?: number;
  /** Progress and details (status codes, timeouts), for a human watching. */
  log?: (line: string) => void;
}

export interface DealStageMovesResult {
  movesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Transport errors plus non-2xx answers. */
  errors: number;
}

const TENANT = 'bench';
const OPEN_STAGES = ['Qualify', 'Propose', 'Negotiate'];

/**
 * Deal stage moves per second through the gateway, on the embedded setup (SQLite event store, embedded
 * read store and bus): a pipeline, `deals` deals, then `POST /deals/{id}/move` round-robin over the deals,
 * each move to the next open stage, with a comment, for `seconds`. Every move appends a DealStageChanged
 * that the deals projection, the board cells and the integration relay all process.
 */
export async function benchDealStageMoves(options: DealStageMovesOptions): Promise<DealStageMovesResult> {
  const dealCount = options.deals ?? 1000;
  const connections = options.connections ?? 64;
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-deals-'));
  const crm = await RunningCrm.start(join(dir, 'data'));
  try {
    const pipeline = await crm.call<{ id: string; stages: { stageId: string; name: string }[] }>('POST', '/api/v1/pipelines', {
      tenant: TENANT,
      body: { name: 'Bench', stages: [...OPEN_STAGES.map((name, index) => ({ name, probability: 20 * (index + 1) })), { name: 'Won', type: 'won' }, { name: 'Lost', type: 'lost' }] },
    });
    if (pipeline.status !== 201) throw new Error(`Could not create the pipeline: ${pipeline.status} ${pipeline.text}`);
    const stageIds = OPEN_STAGES.map((name) => pipeline.body.stages.find((stage) => stage.name === name)!.stageId);

    options.log?.(`creating ${dealCount} deals`);
    const dealIds: string[] = [];
    for (let index = 0; index < dealCount; index++) {
      const created = await crm.call<{ id: string }>('POST', '/api/v1/deals', {
        tenant: TENANT,
        body: { title: `Deal ${index}`, pipelineId: pipeline.body.id, amount: `${1000 + index}.50`, currency: 'EUR' },
      });
      if (created.status !== 201) throw new Error(`Could not create a deal: ${created.status} ${created.text}`);
      dealIds.push(created.body.id);
    }

    // Each deal moves to the next open stage in turn (the first move leaves Qualify), so every request writes.
    let next = 0;
    const stageOf = new Array<number>(dealIds.length).fill(0);
    const headers = { 'content-type': 'application/json', 'x-tenant-id': TENANT, 'x-actor-id': 'bench' };
    const run = (duration: number) =>
      autocannon({
        url: crm.baseUrl,
        connections,
        duration,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const deal = next++ % dealIds.length;
              stageOf[deal] = (stageOf[deal] + 1) % stageIds.length;
              return {
                ...request,
                path: `/api/v1/deals/${dealIds[deal]}/move`,
                headers,
                body: JSON.stringify({ stageId: stageIds[stageOf[deal]], comment: 'bench move' }),
              };
            },
          },
        ],
      });
    await run(2); // warm-up: JIT, SQLite caches, connection pools
    const result = await run(options.seconds);
    options.log?.(
      `moves: ${result.requests.total} in ${options.seconds} s; status codes ${JSON.stringify(result.statusCodeStats ?? {})}; ` +
        `transport errors ${result.errors}, timeouts ${result.timeouts}; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
    );
    return {
      movesPerSecond: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.non2xx, // autocannon counts timeouts among errors
    };
  } finally {
    await crm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

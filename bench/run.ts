/**
 * `npm run bench`: the performance figures of the embedded setup on this machine.
 * Sections can be picked: `npm run bench -- --only appends,rebuild,http`.
 */
import { SqliteEventStore } from '@crm/eventstore';
import { measureConcurrentAppends } from '@crm/eventstore/testing';
import { EmbeddedReadStore, ProjectionRunner } from '@crm/readstore';
import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { applyReadModelBatch, READ_MODEL_INDEXES, READ_MODEL_PROJECTION } from '../services/contacts/src/infrastructure/read-model.projection';
import { RunningCrm } from '../tools/running-crm';
import { seedContactEvents } from './contact-events';
import { benchContactImport } from './contact-import';
import { benchContactImportParts } from './contact-import-parts';
import { benchDealStageMoves } from './deal-stage-moves';
import { benchSlaTimers } from './sla-timers';
import { benchTicketsOpened } from './tickets-opened';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'appends,rebuild,http,deals,tickets,sla,import' },
    'sla-tickets': { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '10' },
    'rebuild-contacts': { type: 'string', default: '50000' },
    'import-rows': { type: 'string', default: '1000000' },
    'import-parts-rows': { type: 'string', default: '100000' },
  },
});
const sections = new Set(values.only!.split(','));
const seconds = Number(values.seconds);
const figures: [string, string, string][] = [];
const record = (figure: string, value: string, target: string) => {
  figures.push([figure, value, target]);
  console.log(`  ${figure}: ${value}   (target ${target})`);
};

const scratch = () => mkdtempSync(join(tmpdir(), 'crm-bench-'));
const rate = (count: number, ms: number) => Math.round((count * 1000) / ms).toLocaleString('en');

async function benchAppends() {
  console.log('\nEvent store: 64 concurrent single-event appenders, SQLite (WAL, synchronous=FULL, group commit)');
  const dir = scratch();
  const store = new SqliteEventStore(join(dir, 'events.db'));
  try {
    const perSecond = await measureConcurrentAppends(store, { appenders: 64, durationMs: seconds * 1000 });
    record('event appends/s, 64 concurrent appenders', Math.round(perSecond).toLocaleString('en'), '≥20,000');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchRebuild() {
  const contacts = Number(values['rebuild-contacts']);
  console.log(`\nContacts projection rebuild from position 0 (${contacts.toLocaleString('en')} contacts, 4 events each)`);
  const dir = scratch();
  const eventStore = new SqliteEventStore(join(dir, 'events.db'));
  const readStore = new EmbeddedReadStore(join(dir, 'read-models.db'));
  try {
    const events = await seedContactEvents(eventStore, contacts);
    const runner = new ProjectionRunner(eventStore, readStore, {
      name: READ_MODEL_PROJECTION,
      indexes: READ_MODEL_INDEXES,
      apply: (event, store) => applyReadModelBatch([event], store),
      applyBatch: applyReadModelBatch,
    });
    const result = await runner.rebuild();
    await runner.stop();
    record('contacts projection rebuild, events/s', rate(result.events, result.durationMs), '≥100,000');
    console.log(`  (${result.events.toLocaleString('en')} of ${events.toLocaleString('en')} events in ${(result.durationMs / 1000).toFixed(1)} s)`);
  } finally {
    await readStore.close();
    await eventStore.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

async function benchHttp() {
  console.log('\nThrough the gateway (gateway + contacts + launcher on this machine, LOG_LEVEL=warn)');
  const crm = await RunningCrm.start(scratch());
  const url = `${crm.baseUrl}/api/v1/contacts`;
  const headers = { 'content-type': 'application/json', 'x-tenant-id': 'bench' };
  const body = JSON.stringify({ firstName: 'Bench', lastName: 'Mark', emails: [{ address: 'bench@example.com' }], tags: ['bench'] });
  try {
    await autocannon({ url, method: 'POST', headers, body, connections: 16, duration: 2 });
    const throughput = await autocannon({ url, method: 'POST', headers, body, connections: 64, duration: seconds });
    record(
      'contact creations/s through the gateway, 64 connections',
      `${Math.round(throughput.requests.average).toLocaleString('en')} (non-2xx: ${throughput.non2xx}, errors: ${throughput.errors})`,
      '≥3,000',
    );
    const fixed = await autocannon({ url, method: 'POST', headers, body, connections: 64, duration: seconds, overallRate: 1000 });
    record('latency p50 / p99 at a fixed 1,000 creations/s', `${fixed.latency.p50} ms / ${fixed.latency.p99} ms`, 'p99 ≤15 ms');

    const lags: number[] = [];
    for (let sample = 0; sample < 200; sample++) {
      const email = `lag-${sample}-${Date.now()}@example.com`;
      const created = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ firstName: 'Lag', emails: [{ address: email }] }) });
      await created.arrayBuffer();
      const acknowledgedAt = performance.now();
      for (;;) {
        const list = await fetch(`${url}?email=${encodeURIComponent(email)}`, { headers });
        const page = (await list.json()) as { items: unknown[] };
        if (page.items.length > 0) break;
      }
      lags.push(performance.now() - acknowledgedAt);
    }
    lags.sort((a, b) => a - b);
    const percentile = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))].toFixed(1);
    record('write→list visibility lag p50 / p99 (polling the list without a token)', `${percentile(50)} ms / ${percentile(99)} ms`, 'p99 ≤10 ms');

    const processes = [
      ['launcher', crm.launcherPid],
      ['gateway', crm.servicePid('gateway')],
      ['contacts', crm.servicePid('contacts')],
    ] as const;
    for (const [name, pid] of processes) if (pid) record(`RSS of ${name}`, `${rssOf(pid).toFixed(0)} MiB`, '—');
  } finally {
    await crm.stop();
  }
}

async function benchImport() {
  const rows = Number(values['import-rows']);
  console.log(`\nContact import: a ${rows.toLocaleString('en')}-row CSV through the gateway (embedded defaults, create mode)`);
  const dir = scratch();
  const crm = await RunningCrm.start(join(dir, 'data'));
  try {
    const result = await benchContactImport(crm, dir, rows, (line) => console.log(line));
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    record(`import of ${rows.toLocaleString('en')} contacts: job completed`, `${seconds(result.jobMs)} (${rate(result.rows, result.jobMs)} rows/s; upload ${seconds(result.uploadMs)})`, '≤120 s for 1M');
    record(`import of ${rows.toLocaleString('en')} contacts: list read model caught up`, seconds(result.listCaughtUpMs), '—');
    for (const [name, pid] of [['contacts', crm.servicePid('contacts')]] as const) if (pid) record(`RSS of ${name} after the import`, `${rssOf(pid).toFixed(0)} MiB`, '—');
  } finally {
    await crm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchImportParts() {
  const rows = Number(values['import-parts-rows']);
  console.log(`\nContact import, the pieces one after another in one process (${rows.toLocaleString('en')} rows, SQLite stores)`);
  const dir = scratch();
  try {
    const result = await benchContactImportParts(dir, rows);
    const perRow = (ms: number) => `${((ms * 1000) / rows).toFixed(0)} µs/row`;
    record('import runner alone (parse, map, validate, decide, append)', `${rate(rows, result.runnerMs)} rows/s (${perRow(result.runnerMs)})`, '≥8,300 rows/s');
    record('list read model over the imported events', `${rate(rows, result.listMs)} contacts/s (${perRow(result.listMs)})`, '—');
    record('timeline and handles over the imported events', `${rate(rows, result.timelineMs)} contacts/s (${perRow(result.timelineMs)})`, '—');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchDeals() {
  console.log('\nSales: deal stage moves through the gateway (64 connections, 1,000 deals, embedded)');
  const result = await benchDealStageMoves({ seconds, log: (line) => console.log(`  ${line}`) });
  record('deal stage moves/s through the gateway', `${result.movesPerSecond.toLocaleString('en')} (p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.errors} errors)`, '—');
}

async function benchTickets() {
  console.log('\nService desk: tickets opened through the gateway (64 connections, round-robin queue, embedded)');
  const result = await benchTicketsOpened({ seconds });
  record('tickets opened/s through the gateway', `${result.ticketsPerSecond.toLocaleString('en')} (p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.errors} errors)`, '—');
}

async function benchSla() {
  const tickets = Number(values['sla-tickets']);
  console.log(`\nService desk: SLA warning timers, ${tickets.toLocaleString('en')} falling due within 1 s`);
  const result = await benchSlaTimers({ tickets, log: (line) => console.log(`  ${line}`) });
  record('SLA timer fire delay p50 / p99 / max', `${result.p50DelayMs} / ${result.p99DelayMs} / ${result.maxDelayMs} ms over ${result.timers.toLocaleString('en')} timers`, '—');
}

async function main() {
  console.log(`CRM benchmark on ${process.version}, ${(await import('node:os')).cpus().length} cores, ${seconds} s per load phase`);
  if (sections.has('appends')) await benchAppends();
  if (sections.has('rebuild')) await benchRebuild();
  if (sections.has('http')) await benchHttp();
  if (sections.has('deals')) await benchDeals();
  if (sections.has('tickets')) await benchTickets();
  if (sections.has('sla')) await benchSla();
  if (sections.has('import-parts')) await benchImportParts();
  if (sections.has('import')) await benchImport();
  console.log('\n| figure | measured | target |\n|---|---|---|');
  for (const [figure, value, target] of figures) console.log(`| ${figure} | ${value} | ${target} |`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * `crm import <file>`: uploads a CSV, XLSX or vCard file to the contact import route through the
 * gateway, streaming it from disk, then follows the job with a live progress bar until it ends.
 *
 *   node dist/tools/crm.js import people.csv --mode upsert --mapping '{"Vorname":"firstName"}' --tenant acme
 */
import { SingleBar } from 'cli-progress';
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { FormData, request } from 'undici';

interface ImportStatus {
  id: string;
  status: 'running' | 'completed' | 'failed';
  rows: { total: number | null; done: number; created: number; updated: number; skipped: number; failed: number };
  bytes: { total: number; read: number };
  rate: number | null;
  etaSeconds: number | null;
  errorCount: number;
  failureReason: string | null;
}

const USAGE = `Usage: crm import <file> [--mode create|upsert|skip-duplicates] [--mapping JSON] [--external-id-column NAME]
                  [--url http://127.0.0.1:3000] [--tenant default] [--actor cli] [--poll-ms 500]`;

async function json<T>(response: Awaited<ReturnType<typeof request>>): Promise<T> {
  const text = await response.body.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    return { detail: text } as T;
  }
}

async function importFile(file: string, options: Record<string, string | undefined>): Promise<number> {
  const url = (options.url ?? process.env.CRM_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const headers = { 'x-tenant-id': options.tenant ?? 'default', 'x-actor-id': options.actor ?? 'cli' };
  const { size } = await stat(file);
  const form = new FormData();
  form.append('mode', options.mode ?? 'create');
  if (options.mapping) form.append('mapping', options.mapping);
  if (options['external-id-column']) form.append('externalIdColumn', options['external-id-column']);
  // A file-backed Blob: undici streams it from disk rather than reading it into memory.
  form.append('file', await openAsBlob(file), basename(file));

  process.stderr.write(`Uploading ${basename(file)} (${(size / 1024 / 1024).toFixed(1)} MiB) to ${url}…\n`);
  const upload = await request(`${url}/api/v1/contacts/imports`, { method: 'POST', body: form, headers, headersTimeout: 0, bodyTimeout: 0 });
  const started = await json<ImportStatus & { detail?: string; errors?: { field: string; messages: string[] }[] }>(upload);
  if (upload.statusCode !== 202) {
    process.stderr.write(`Upload refused (${upload.statusCode}): ${started.detail ?? ''}\n`);
    for (const error of started.errors ?? []) process.stderr.write(`  ${error.field}: ${error.messages.join('; ')}\n`);
    return 1;
  }
  const location = upload.headers.location as string;
  process.stderr.write(`Import ${started.id} started\n`);

  const bar = new SingleBar({
    format: '{bar} {percentage}% | {rowsDone} rows ({failed} failed) | {rate} rows/s | ETA {etaText}',
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(size, 0, { rowsDone: 0, failed: 0, rate: '–', etaText: '–' });
  let status = started;
  const pollMs = Number(options['poll-ms'] ?? 500);
  while (status.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const response = await request(`${url}${location}`, { headers });
    if (response.statusCode !== 200) {
      await response.body.dump();
      continue; // The service may be restarting; the job resumes by itself.
    }
    status = await json<ImportStatus>(response);
    bar.update(status.status === 'completed' ? size : status.bytes.read, {
      rowsDone: status.rows.done.toLocaleString('en'),
      failed: status.rows.failed.toLocaleString('en'),
      rate: status.rate?.toLocaleString('en') ?? '–',
      etaText: status.etaSeconds === null ? '–' : `${status.etaSeconds}s`,
    });
  }
  bar.stop();

  const { rows } = status;
  process.stdout.write(
    `Import ${status.id} ${status.status}: ${rows.done} rows, ${rows.created} created, ${rows.updated} updated, ${rows.skipped} skipped, ${rows.failed} failed\n`,
  );
  if (status.failureReason) process.stdout.write(`Reason: ${status.failureReason}\n`);
  if (status.errorCount > 0) {
    const errors = await json<{ items: { row: number; field: string | null; reason: string }[]; nextCursor: string | null }>(
      await request(`${url}${location}/errors?limit=20`, { headers }),
    );
    process.stdout.write(`First row errors (all: GET ${location}/errors):\n`);
    for (const error of errors.items) process.stdout.write(`  row ${error.row}${error.field ? ` ${error.field}` : ''}: ${error.reason}\n`);
  }
  return status.status === 'completed' ? 0 : 1;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      mode: { type: 'string' },
      mapping: { type: 'string' },
      'external-id-column': { type: 'string' },
      url: { type: 'string' },
      tenant: { type: 'string' },
      actor: { type: 'string' },
      'poll-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, file] = positionals;
  if (values.help || command !== 'import' || !file) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  return importFile(file, values as Record<string, string | undefined>);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`crm: ${(error as Error).message}\n`);
    process.exit(1);
  },
);

import { createWriteStream, openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { RunningCrm } from '../tools/running-crm';

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Linus', 'Frances', 'John'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Torvalds', 'Allen', 'Backus'];
const COMPANIES = Array.from({ length: 200 }, (_, index) => `Company ${index}`);

/**
 * Writes a CSV of `rows` realistic contacts (names, a unique email, a phone, a title, a company out of
 * 200, two tags) with a cheap deterministic generator: faker would take longer than the import itself.
 */
export async function writeContactsCsv(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('First Name,Last Name,E-mail,Phone,Job Title,Company,Tags,Industry\n');
  let chunk = '';
  for (let index = 1; index <= rows; index++) {
    const first = FIRST_NAMES[index % FIRST_NAMES.length];
    const last = LAST_NAMES[(index * 7) % LAST_NAMES.length];
    const phone = `+3706${String(index % 10_000_000).padStart(7, '0')}`;
    chunk += `${first},${last},${first.toLowerCase()}.${last.toLowerCase()}.${index}@example.com,${phone},Engineer,${COMPANIES[index % COMPANIES.length]},imported;batch-${index % 10},Software\n`;
    if (index % 10_000 === 0) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  out.end();
  await once(out, 'finish');
  return (await stat(path)).size;
}

export interface ImportBenchResult {
  rows: number;
  fileBytes: number;
  uploadMs: number;
  /** From the upload's start until the job reports completed. */
  jobMs: number;
  /** From the upload's start until the list read model shows the file's last contact. */
  listCaughtUpMs: number;
  failed: number;
}

/** Imports a generated CSV through the gateway of a running CRM and times the job and the list read model. */
export async function benchContactImport(crm: RunningCrm, scratchDir: string, rows: number, log: (line: string) => void): Promise<ImportBenchResult> {
  const file = join(scratchDir, `contacts-${rows}.csv`);
  const fileBytes = await writeContactsCsv(file, rows);
  log(`  generated ${rows.toLocaleString('en')} rows, ${(fileBytes / 1024 / 1024).toFixed(0)} MiB`);
  const headers = { 'x-tenant-id': 'bench-import' };
  const form = new FormData();
  form.append('mode', 'create');
  form.append('file', await openAsBlob(file), 'contacts.csv');
  const started = performance.now();
  const response = await fetch(`${crm.baseUrl}/api/v1/contacts/imports`, { method: 'POST', body: form, headers });
  if (response.status !== 202) throw new Error(`upload refused: ${response.status} ${await response.text()}`);
  const uploadMs = performance.now() - started;
  const location = response.headers.get('location')!;
  await response.arrayBuffer();

  let status: { status: string; rows: { done: number; failed: number }; rate: number | null } | undefined;
  let lastLog = 0;
  for (;;) {
    status = (await (await fetch(`${crm.baseUrl}${location}`, { headers })).json()) as typeof status;
    if (status!.status !== 'running') break;
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  … ${status!.rows.done.toLocaleString('en')} rows after ${((performance.now() - started) / 1000).toFixed(0)} s (${status!.rate ?? '–'} rows/s)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const jobMs = performance.now() - started;
  if (status!.status !== 'completed') throw new Error(`import ended ${status!.status}`);

  // The projection applies the log in order: once the last row's contact is listed, every row is.
  const lastEmail = `${FIRST_NAMES[rows % FIRST_NAMES.length].toLowerCase()}.${LAST_NAMES[(rows * 7) % LAST_NAMES.length].toLowerCase()}.${rows}@example.com`;
  for (;;) {
    const page = (await (await fetch(`${crm.baseUrl}/api/v1/contacts?email=${encodeURIComponent(lastEmail)}`, { headers })).json()) as { items: unknown[] };
    if (page.items.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const listCaughtUpMs = performance.now() - started;
  return { rows, fileBytes, uploadMs, jobMs, listCaughtUpMs, failed: status!.rows.failed };
}

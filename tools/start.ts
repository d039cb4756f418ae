/**
 * `npm start`: runs the gateway and every service as one process tree on embedded storage under
 * ./data, restarts a service that crashes, and prints where the API and the docs are.
 * Children are tied to this process by an IPC channel, so even `kill -9` of the launcher takes them down.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { portOf, SERVICE_PROCESSES, type ServiceProcess } from './services';

const distRoot = resolve(__dirname, '..');
const dataDir = resolve(process.env.DATA_DIR ?? './data');
const host = process.env.HOST ?? '127.0.0.1';
const children = new Map<string, ChildProcess>();
let stopping = false;

function environmentFor(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, HOST: host, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' };
  for (const other of SERVICE_PROCESSES) {
    env[`${other.name.toUpperCase()}_PORT`] = String(portOf(other));
    env[`${other.name.toUpperCase()}_URL`] ??= `http://${host}:${portOf(other)}`;
  }
  return env;
}

function launch(service: ServiceProcess, restarts = 0): void {
  const child = fork(join(distRoot, service.script), [], {
    env: environmentFor(),
    execArgv: ['--enable-source-maps', '--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.set(service.name, child);
  const startedAt = Date.now();
  child.on('exit', (code, signal) => {
    children.delete(service.name);
    if (stopping) return;
    // A crash loop backs off; a service that ran for a while restarts at once.
    const nextRestarts = Date.now() - startedAt > 30_000 ? 0 : restarts + 1;
    const delay = Math.min(30_000, 250 * 2 ** Math.min(nextRestarts, 7));
    console.error(`[crm] ${service.name} exited (${signal ?? code}); restarting in ${delay} ms`);
    setTimeout(() => launch(service, nextRestarts), delay).unref();
  });
}

async function isReady(service: ServiceProcess): Promise<boolean> {
  try {
    const response = await request(`http://${host}:${portOf(service)}/health/ready`, { headersTimeout: 1000, bodyTimeout: 1000 });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}

async function waitUntilReady(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await Promise.all(SERVICE_PROCESSES.map(isReady));
    if (ready.every(Boolean)) return true;
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
  }
  return false;
}

function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  console.error(`[crm] ${signal}: stopping ${children.size} processes`);
  for (const child of children.values()) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(1);
  }, 10_000);
  force.unref();
  const waitForChildren = () => (children.size === 0 ? process.exit(0) : setTimeout(waitForChildren, 50));
  waitForChildren();
}

async function main() {
  mkdirSync(dataDir, { recursive: true });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  for (const service of SERVICE_PROCESSES) launch(service);
  const gateway = `http://${host === '0.0.0.0' ? 'localhost' : host}:${portOf(SERVICE_PROCESSES.find((service) => service.name === 'gateway')!)}`;
  // A slow start (a busy box, a long catch-up after a crash) is reported, and the wait goes on.
  while (!(await waitUntilReady(60_000))) {
    if (stopping) return;
    console.error('[crm] not every service is ready after 60 s; still waiting (see the logs above)');
  }
  console.log(
    [
      '',
      `[crm] ready, data in ${dataDir}`,
      `[crm]   API      ${gateway}/api/v1   (try: curl -X POST ${gateway}/api/v1/contacts -H 'content-type: application/json' -d '{"firstName":"Ada"}')`,
      `[crm]   Docs     ${gateway}/docs    (OpenAPI: ${gateway}/docs-json)`,
      `[crm]   Health   ${gateway}/health/ready`,
      '[crm] Ctrl+C stops everything.',
      '',
    ].join('\n'),
  );
}

void main();

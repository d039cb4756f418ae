import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { eventually } from '@crm/testing';
import { SERVICE_PROCESSES } from './services';

// Works from tools/ (tests, via swc) and from dist/tools/ (bench): both sit two levels below a folder holding dist/.
const ROOT = resolve(__dirname, __dirname.includes('/dist/') ? '../..' : '..');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  tenant?: string;
  actor?: string;
}

/** A running CRM (launcher + gateway + services) on free ports and a temporary data folder. */
export class RunningCrm {
  private launcher: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly dataDir: string,
    /** Port of every process by name (`gateway`, `contacts`, `sales`...), all free ones picked at start. */
    readonly ports: Record<string, number> & { gateway: number; contacts: number },
    /** Extra environment for every process, e.g. to run on Kafka and MongoDB instead of the embedded adapters. */
    private readonly env: Record<string, string>,
  ) {}

  static async start(dataDir = mkdtempSync(join(tmpdir(), 'crm-e2e-')), env: Record<string, string> = {}): Promise<RunningCrm> {
    const ports: Record<string, number> = {};
    for (const service of SERVICE_PROCESSES) ports[service.name] = await freePort();
    const crm = new RunningCrm(dataDir, ports as RunningCrm['ports'], env);
    await crm.launch();
    return crm;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.ports.gateway}`;
  }

  get launcherPid(): number | undefined {
    return this.launcher?.pid;
  }

  get logs(): string {
    return this.output;
  }

  /** Starts `dist/tools/start.js` (what `npm start` runs) in its own process group. */
  async launch(): Promise<void> {
    this.output = '';
    this.launcher = spawn(process.execPath, [join(ROOT, 'dist/tools/start.js')], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATA_DIR: this.dataDir,
        ...this.portEnvironment(),
        LOG_LEVEL: 'warn',
        ...this.env,
      },
    });
    this.launcher.stdout!.on('data', (chunk) => (this.output += chunk));
    this.launcher.stderr!.on('data', (chunk) => (this.output += chunk));
    await eventually(() => this.output.includes('[crm] ready'), { timeoutMs: 150_000, description: `the CRM to be ready; output so far:\n${this.output}` });
  }

  /** Crashes the whole process tree at once, as a power cut or an OOM kill would. */
  async killHard(): Promise<void> {
    const launcher = this.launcher;
    if (!launcher?.pid) return;
    const exited = new Promise((resolveExit) => launcher.once('exit', resolveExit));
    process.kill(-launcher.pid, 'SIGKILL');
    await exited;
    await eventually(async () => !(await this.anyListening()), {
      description: 'ports to be released',
    });
  }

  /** Kills only the launcher with SIGKILL: its services must notice and exit, leaving no orphans on the ports. */
  async killLauncherOnly(): Promise<void> {
    const launcher = this.launcher;
    if (!launcher?.pid) return;
    const exited = new Promise((resolveExit) => launcher.once('exit', resolveExit));
    process.kill(launcher.pid, 'SIGKILL');
    await exited;
    await eventually(async () => !(await this.anyListening()), {
      description: 'the orphaned services to exit and release their ports',
    });
  }

  /** Pid of one service process, found among the launcher's children by its script. */
  servicePid(service: string): number | undefined {
    const launcherPid = this.launcher?.pid;
    if (!launcherPid) return undefined;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const parentPid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
        const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        if (parentPid === launcherPid && commandLine.includes(`services/${service}/src/main.js`)) return Number(entry);
      } catch {
        // The process ended while we looked.
      }
    }
    return undefined;
  }

  async stop(options: { keepData?: boolean } = {}): Promise<void> {
    const launcher = this.launcher;
    if (launcher?.pid && launcher.exitCode === null) {
      const exited = new Promise((resolveExit) => launcher.once('exit', resolveExit));
      process.kill(-launcher.pid, 'SIGTERM');
      await exited;
    }
    if (!options.keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }

  async call<T = Record<string, unknown>>(method: string, path: string, options: CallOptions = {}): Promise<HttpResponse<T>> {
    return callUrl<T>(`${this.baseUrl}${path}`, method, options);
  }

  private portEnvironment(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [name, port] of Object.entries(this.ports)) {
      env[`${name.toUpperCase()}_PORT`] = String(port);
      if (name !== 'gateway') env[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${port}`;
    }
    return env;
  }

  private async anyListening(): Promise<boolean> {
    const listening = await Promise.all(Object.values(this.ports).map((port) => this.isListening(port)));
    return listening.some(Boolean);
  }

  private async isListening(port: number): Promise<boolean> {
    try {
      const response = await request(`http://127.0.0.1:${port}/health/live`, { headersTimeout: 500 });
      await response.body.dump();
      return true;
    } catch {
      return false;
    }
  }
}

export async function callUrl<T>(url: string, method: string, options: CallOptions = {}): Promise<HttpResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.tenant) headers['x-tenant-id'] = options.tenant;
  if (options.actor) headers['x-actor-id'] = options.actor;
  let body: string | Buffer | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await request(url, { method: method as 'GET', headers, body });
  const text = await response.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: leave the text.
  }
  const flatHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) flatHeaders[name] = Array.isArray(value) ? value.join(', ') : String(value);
  return { status: response.statusCode, headers: flatHeaders, body: parsed as T, text };
}

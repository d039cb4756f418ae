import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { newTestIntegrationEvent } from './testing/test-events';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually } from '@crm/testing';
import { EmbeddedMessageBus } from './embedded-bus';
import { silentBusLogger } from './logger';
import type { IntegrationEvent } from './message-bus.port';

const repositoryRoot = resolve(__dirname, '../../..');
const builtBusModule = join(repositoryRoot, 'dist/libs/bus/src/embedded-bus.js');

/** A service process, reduced to plain JavaScript on the built bus: it publishes, or consumes and prints what it got. */
const CHILD_SCRIPT = `
const { randomUUID } = require('node:crypto');
const [modulePath, path, mode, topic, argument] = process.argv.slice(2);
const { EmbeddedMessageBus } = require(modulePath);
const logger = { warn() {}, error() {} };

async function publish() {
  const bus = new EmbeddedMessageBus({ path, logger });
  const subject = 'child-' + process.pid;
  for (let n = 1; n <= Number(argument); n++) {
    await bus.publish(topic, [{
      specversion: '1.0', id: randomUUID(), source: '/crm/child', type: 'crm.tests.counted.v1', subject,
      time: new Date().toISOString(), datacontenttype: 'application/json', dataschema: 'crm.tests.v1.Counted',
      tenantid: 'tenant-1', correlationid: randomUUID(), causationid: randomUUID(), data: { n },
    }]);
  }
  await bus.close();
}

async function consume() {
  setInterval(() => undefined, 1000); // stays alive while a handler hangs, until killed
  const bus = new EmbeddedMessageBus({ path, logger, pollIntervalMs: 20, leaseTtlMs: Number(argument) });
  await bus.consume({
    group: 'shared-group',
    topics: [topic],
    handler: async (event) => {
      process.stdout.write('delivered ' + event.id + '\\n');
      if (event.data.hang) await new Promise(() => undefined);
    },
  });
  process.stdout.write('consuming\\n');
}

(mode === 'publish' ? publish() : consume()).catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

/** True when dist/ holds a build of the current bus sources. */
function builtBusIsCurrent(): boolean {
  if (!existsSync(builtBusModule)) return false;
  const builtAt = statSync(builtBusModule).mtimeMs;
  return readdirSync(__dirname)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .every((file) => statSync(join(__dirname, file)).mtimeMs <= builtAt);
}

class ChildService {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly process: ChildProcess;
  private stderr = '';

  constructor(scriptPath: string, args: string[]) {
    this.process = spawn(process.execPath, ['--no-warnings', scriptPath, builtBusModule, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    this.process.stdout!.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolveExit) => this.process.on('exit', (code) => resolveExit(code)));
  }

  async succeeded(): Promise<void> {
    const code = await this.exited;
    if (code !== 0) throw new Error(`child exited with ${code}: ${this.stderr}`);
  }

  kill(): void {
    this.process.kill('SIGKILL');
  }
}


describe('EmbeddedMessageBus across processes', () => {
  let directory: string;
  let busPath: string;
  let scriptPath: string;
  const children: ChildService[] = [];
  const buses: EmbeddedMessageBus[] = [];

  const startChild = (...args: string[]): ChildService => {
    const child = new ChildService(scriptPath, [busPath, ...args]);
    children.push(child);
    return child;
  };

  beforeAll(() => {
    // The child runs the built JavaScript, as the services do.
    if (!builtBusIsCurrent()) execFileSync(process.execPath, ['tools/build.mjs'], { cwd: repositoryRoot, stdio: 'pipe' });
  }, 120_000);

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'crm-bus-processes-'));
    busPath = join(directory, 'bus.sqlite');
    scriptPath = join(directory, 'child-service.js');
    writeFileSync(scriptPath, CHILD_SCRIPT);
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill();
      await child.exited;
    }
    for (const bus of buses.splice(0)) await bus.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('delivers to this process what other processes publish to the same file, each in order', async () => {
    const bus = new EmbeddedMessageBus({ path: busPath, pollIntervalMs: 50, logger: silentBusLogger });
    buses.push(bus);
    const received: IntegrationEvent[] = [];
    await bus.consume({ group: 'parent', topics: ['from-children'], handler: async (event) => void received.push(event) });

    const publishers = [startChild('publish', 'from-children', '30'), startChild('publish', 'from-children', '30')];
    await bus.publish('from-children', [newEvent({ n: 1 })]);
    for (const publisher of publishers) await publisher.succeeded();

    await eventually(() => received.length === 61, { description: `61 events, got ${received.length}` });
    const childSubjects = [...new Set(received.map(({ subject }) => subject))].filter((subject) => subject.startsWith('child-'));
    expect(childSubjects).toHaveLength(2);
    for (const subject of childSubjects) {
      const counts = received.filter((event) => event.subject === subject).map(({ data }) => (data as { n: number }).n);
      expect(counts).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    }
  });

  it('lets a standby consumer of the group take over from a crashed process, redelivering its message in flight', async () => {
    const leaseTtlMs = 300;
    const crashing = startChild('consume', 'work', String(leaseTtlMs));
    await eventually(() => crashing.lines.includes('consuming'), { description: 'the child consumer' });
    const bus = new EmbeddedMessageBus({ path: busPath, pollIntervalMs: 20, leaseTtlMs, logger: silentBusLogger });
    buses.push(bus);
    const received: string[] = [];
    await bus.consume({ group: 'shared-group', topics: ['work'], handler: async ({ id }) => void received.push(id) });
    const [done, inFlight, waiting] = [newEvent({}), newEvent({ hang: true }), newEvent({})];

    await bus.publish('work', [done, inFlight, waiting]);
    await eventually(() => crashing.lines.includes(`delivered ${inFlight.id}`), { description: 'the child in its handler' });
    expect(received).toEqual([]);
    crashing.kill();

    await eventually(() => received.includes(waiting.id), { description: 'the takeover' });
    expect(received).toEqual([inFlight.id, waiting.id]);
  });
});

function newEvent(data: unknown): IntegrationEvent {
  return newTestIntegrationEvent('parent-1', data);
}

import { execFile, spawn } from 'node:child_process';
import { newTestEvent } from './testing/test-events';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { transformFileSync } from '@swc/core';
import { eventually } from '@crm/testing';
import {
  type AppendResult,
  EventStoreClosedError,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
  WrongExpectedRevisionError,
} from './event-store.port';
import { SqliteEventStore } from './sqlite-event-store';
import { eventStoreContract } from './testing';

const repoRoot = join(__dirname, '../../..');
// The pinned Node 24, whatever node started jest: node:sqlite does not exist in older ones.
const node = join(repoRoot, 'node_modules/.bin/node');
const quietNode = ['--disable-warning=ExperimentalWarning'];
const workDir = mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('SqliteEventStore', () => {
  let databaseCount = 0;
  let lastPath = '';
  eventStoreContract('SqliteEventStore (file)', {
    create: async () => {
      lastPath = join(workDir, `contract-${++databaseCount}.db`);
      return new SqliteEventStore(lastPath);
    },
    reopen: async () => new SqliteEventStore(lastPath),
  });

  eventStoreContract('SqliteEventStore (:memory:)', {
    create: async () => new SqliteEventStore(':memory:'),
  });

  describe('specific to SQLite', () => {
    let path: string;
    const opened: SqliteEventStore[] = [];
    const subscriptions: Subscription[] = [];
    const openStore = (options?: ConstructorParameters<typeof SqliteEventStore>[1]) => {
      const store = new SqliteEventStore(path, options);
      opened.push(store);
      return store;
    };

    beforeEach(() => {
      path = join(workDir, `specific-${randomUUID()}.db`);
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
      for (const store of opened.splice(0)) await store.close();
    });

    it('uses WAL, synchronous=FULL, a busy timeout and a versioned schema', () => {
      const store = openStore();
      const pragma = (name: string) => Object.values(store['db'].prepare(`PRAGMA ${name}`).get()!)[0];
      expect(pragma('journal_mode')).toBe('wal');
      expect(pragma('synchronous')).toBe(2);
      expect(pragma('busy_timeout')).toBe(5000);
      expect(pragma('user_version')).toBe(1);
    });

    it('refuses a database whose schema is newer than this code', async () => {
      await openStore().close();
      const other = new DatabaseSync(path);
      other.exec('PRAGMA user_version = 99');
      other.close();

      expect(() => new SqliteEventStore(path)).toThrow(/schema version 99/);
    });

    it('writes appends made in the same tick in one transaction, checking each on its own', async () => {
      const store = openStore();
      await store.append('taken', [newEvent()], 'no_stream');
      const exec = jest.spyOn(store['db'], 'exec');

      const appends = Array.from({ length: 64 }, (_, index) => store.append(`stream-${index}`, [newEvent()], 'no_stream'));
      const conflicting = store.append('taken', [newEvent()], 'no_stream');

      await expect(Promise.all(appends)).resolves.toHaveLength(64);
      await expect(conflicting).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', actual: 0 });
      expect(exec.mock.calls.filter(([sql]) => sql === 'BEGIN IMMEDIATE')).toHaveLength(1);
    });

    it('fails only the append the database refuses, and keeps the revision cache right after the rollback', async () => {
      const store = openStore();
      const other = new DatabaseSync(path);
      other.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.type = 'Poison'
                  BEGIN SELECT RAISE(ABORT, 'poison refused'); END`);
      other.close();

      const first = store.append('a', [newEvent()], 'no_stream');
      const poisoned = store.append('b', [newEvent({ type: 'Poison' })], 'no_stream');
      const second = store.append('a', [newEvent()], 0);
      const elsewhere = store.append('c', [newEvent()], 'no_stream');

      await expect(poisoned).rejects.toThrow(/poison refused/);
      expect((await first).nextExpectedRevision).toBe(0);
      expect((await second).nextExpectedRevision).toBe(1);
      expect((await elsewhere).nextExpectedRevision).toBe(0);
      expect(await store.readStream('b')).toEqual([]);
      expect((await store.append('b', [newEvent()], 'no_stream')).nextExpectedRevision).toBe(0);
      expect((await store.append('a', [newEvent()], 1)).nextExpectedRevision).toBe(2);
    });

    it('writes what is queued before closing, and refuses appends afterwards', async () => {
      const store = openStore();
      const pending = Array.from({ length: 10 }, (_, index) => store.append(`stream-${index}`, [newEvent()], 'no_stream'));
      const closing = store.close();
      await expect(Promise.all(pending)).resolves.toHaveLength(10);
      await closing;
      await expect(store.append('late', [newEvent()], 'any')).rejects.toBeInstanceOf(EventStoreClosedError);
      await expect(store.readAll()).rejects.toBeInstanceOf(EventStoreClosedError);

      const reopened = openStore();
      expect(await reopened.readAll()).toHaveLength(10);
    });

    it('catches up in pages, checkpointing after each', async () => {
      const store = openStore({ catchUpPageSize: 10 });
      for (let index = 0; index < 25; index++) await store.append('stream', [newEvent()], index === 0 ? 'no_stream' : index - 1);
      const head = await store.headPosition();
      const received: RecordedEvent[] = [];
      const checkpoints: number[] = [];
      subscriptions.push(
        store.subscribeToAll({
          onEvent: (event) => void received.push(event),
          onCheckpoint: (position) => void checkpoints.push(position),
        }),
      );

      await eventually(() => checkpoints.at(-1) === head, { description: 'a checkpoint at the head' });
      expect(received).toHaveLength(25);
      expect(checkpoints).toHaveLength(3);
      for (const [index, checkpoint] of checkpoints.entries()) {
        const previous = index === 0 ? -1 : checkpoints[index - 1]!;
        expect(checkpoint - previous).toBeGreaterThan(0);
        expect(checkpoint - previous).toBeLessThanOrEqual(10);
        // Every event up to a checkpoint was delivered before it.
        expect(received.filter((event) => event.position <= checkpoint)).toHaveLength(checkpoint);
      }
    });

    it('wakes live subscriptions on appends in this process without waiting for the poll', async () => {
      const store = openStore({ pollIntervalMs: 60_000 });
      const received: RecordedEvent[] = [];
      subscriptions.push(store.subscribeToAll({ onEvent: (event) => void received.push(event) }));
      await store.append('stream', [newEvent()], 'no_stream');
      await eventually(() => received.length === 1, { description: 'the first live event', timeoutMs: 2000 });
      await store.append('stream', [newEvent()], 0);
      await eventually(() => received.length === 2, { description: 'the second live event', timeoutMs: 2000 });
    });

    describe('with other processes', () => {
      let libraryDir: string;

      beforeAll(() => {
        libraryDir = compileLibraryForChildProcesses();
      });

      it('sees events another process appends, in subscriptions and in revision checks', async () => {
        const store = openStore({ pollIntervalMs: 50 });
        await store.append('shared', [newEvent()], 'no_stream');
        const received: RecordedEvent[] = [];
        subscriptions.push(
          store.subscribeToAll({ afterPosition: await store.headPosition(), onEvent: (event) => void received.push(event) }),
        );

        const { stdout } = await promisify(execFile)(node, [
          ...quietNode,
          writeChildScript(libraryDir, 'append-once.js', APPEND_ONCE_SCRIPT),
          path,
          'shared',
          JSON.stringify(0),
          '3',
        ]);
        const childResult = JSON.parse(stdout) as AppendResult;
        expect(childResult.nextExpectedRevision).toBe(3);

        await eventually(() => received.length === 3, { description: "the other process's events" });
        expect(received.map((event) => event.revision)).toEqual([1, 2, 3]);
        const stale = await store.append('shared', [newEvent()], 0).catch((error: unknown) => error);
        expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
        expect(stale).toMatchObject({ actual: 3 });
        expect((await store.append('shared', [newEvent()], 3)).nextExpectedRevision).toBe(4);
      });

      it('keeps every acknowledged append when the writing process is killed with SIGKILL', async () => {
        const acknowledgementsBeforeKill = 3000;
        const child = spawn(node, [...quietNode, writeChildScript(libraryDir, 'append-forever.js', APPEND_FOREVER_SCRIPT), path], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        let acknowledged = 0;
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          acknowledged = stdout.split('\n').length - 1;
          if (acknowledged >= acknowledgementsBeforeKill) child.kill('SIGKILL');
        });
        const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.on('close', (code, signal) => resolve({ code, signal })),
        );
        expect({ ...exit, stderr }).toEqual({
          code: null,
          signal: 'SIGKILL',
          stderr: '',
        });

        // A line cut by the kill was never complete, so it is no acknowledgement.
        const acknowledgements = stdout
          .split('\n')
          .slice(0, -1)
          .map((line) => JSON.parse(line) as AppendResult & { streamName: string; eventIds: string[] });
        expect(acknowledgements.length).toBeGreaterThanOrEqual(acknowledgementsBeforeKill);

        const store = openStore();
        const log = await store.readAll();
        const byId = new Map(log.map((event) => [event.eventId, event]));
        for (const { streamName, eventIds, nextExpectedRevision, position } of acknowledgements) {
          const stored = eventIds.map((eventId) => byId.get(eventId));
          expect(stored.every((event) => event?.streamName === streamName)).toBe(true);
          expect(stored.at(-1)).toMatchObject({ revision: nextExpectedRevision, position });
        }
        expect(byId.size).toBe(log.length);
        expect(log.every((event, index) => index === 0 || event.position > log[index - 1]!.position)).toBe(true);
        const revisionsByStream = new Map<string, number[]>();
        for (const event of log) revisionsByStream.set(event.streamName, [...(revisionsByStream.get(event.streamName) ?? []), event.revision]);
        for (const revisions of revisionsByStream.values()) expect(revisions).toEqual(revisions.map((_, index) => index));
        // The log is still writable where each stream ends.
        for (const [streamName, revisions] of revisionsByStream) {
          await expect(store.append(streamName, [newEvent()], revisions.length - 1)).resolves.toBeDefined();
        }
      });
    });
  });
});

/**
 * Compiles this library (not its tests) with the repository's swc settings into the temp dir,
 * for child processes on plain Node. Not `npm run build`: that empties dist/ under whatever else
 * is running from it, and could pick up other people's work in progress.
 */
function compileLibraryForChildProcesses(): string {
  const libraryDir = join(workDir, 'lib');
  mkdirSync(libraryDir, { recursive: true });
  const swcrc = JSON.parse(readFileSync(join(repoRoot, '.swcrc'), 'utf8'));
  for (const file of readdirSync(__dirname)) {
    if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
    const { code } = transformFileSync(join(__dirname, file), { ...swcrc, swcrc: false, sourceMaps: false });
    writeFileSync(join(libraryDir, file.replace(/\.ts$/, '.js')), code);
  }
  return libraryDir;
}

function writeChildScript(libraryDir: string, name: string, source: string): string {
  const scriptPath = join(libraryDir, name);
  writeFileSync(scriptPath, source);
  return scriptPath;
}

const CHILD_METADATA = `() => ({
  tenantId: 'tenant-1', actorId: 'child', correlationId: 'child', causationId: 'child',
  occurredAt: new Date().toISOString(), schemaVersion: 1,
})`;

/** argv: database path, stream, expected revision (JSON), event count. Prints the AppendResult. */
const APPEND_ONCE_SCRIPT = `
const { randomUUID } = require('node:crypto');
const { SqliteEventStore } = require('./sqlite-event-store.js');
const metadata = ${CHILD_METADATA};
const [path, streamName, expectedRevision, count] = process.argv.slice(2);
(async () => {
  const store = new SqliteEventStore(path);
  const events = Array.from({ length: Number(count) }, () => ({ eventId: randomUUID(), type: 'AppendedByChild', data: {}, metadata: metadata() }));
  const result = await store.append(streamName, events, JSON.parse(expectedRevision));
  await store.close();
  process.stdout.write(JSON.stringify(result));
})().catch((error) => { console.error(error); process.exit(1); });
`;

/** argv: database path. Appends 1 to 3 events at a time from 16 concurrent loops until killed; prints one JSON line per acknowledged append. */
const APPEND_FOREVER_SCRIPT = `
const { SqliteEventStore } = require('./sqlite-event-store.js');
const metadata = ${CHILD_METADATA};
const store = new SqliteEventStore(process.argv[2]);
async function appendForever(appender) {
  const streamName = 'stream-' + appender;
  let expectedRevision = 'no_stream';
  for (let sequence = 0; ; sequence++) {
    const events = Array.from({ length: 1 + (sequence % 3) }, (_, index) => ({
      eventId: appender + '-' + sequence + '-' + index, type: 'Appended', data: { appender, sequence, index }, metadata: metadata(),
    }));
    const result = await store.append(streamName, events, expectedRevision);
    expectedRevision = result.nextExpectedRevision;
    process.stdout.write(JSON.stringify({ streamName, eventIds: events.map((event) => event.eventId), ...result }) + '\\n');
  }
}
for (let appender = 0; appender < 16; appender++) appendForever(appender).catch((error) => { console.error(error); process.exit(1); });
`;

const newEvent = (overrides: { type?: string } = {}): NewEvent => newTestEvent({ ...overrides, data: { value: 1 } });

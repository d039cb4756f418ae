import { createInMemoryReadStore, EmbeddedReadStore, type ReadStore } from '@crm/readstore';
import { eventually } from '@crm/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DueTimer, DurableTimerScheduler, type DurableTimerSchedulerOptions, DurableTimerSet, type TimerFiring } from './durable-timers';

/** A read store the contract runs on; `reopen` is what a restart of the process sees (the same data). */
interface StoreUnderTest {
  store: ReadStore;
  reopen(): Promise<ReadStore>;
  dispose(): Promise<void>;
}

const STORES: [string, () => StoreUnderTest][] = [
  [
    'in-memory',
    () => {
      // Nothing survives a process here: a "restart" is a new scheduler on the same store object.
      const store = createInMemoryReadStore();
      return { store, reopen: async () => store, dispose: () => store.close() };
    },
  ],
  [
    'embedded',
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'timers-'));
      const file = join(directory, 'read-models.db');
      let current: ReadStore = new EmbeddedReadStore(file);
      return {
        get store() {
          return current;
        },
        reopen: async () => {
          await current.close();
          current = new EmbeddedReadStore(file);
          return current;
        },
        dispose: async () => {
          await current.close();
          rmSync(directory, { recursive: true, force: true });
        },
      };
    },
  ],
];

/** A clock the test moves by hand, so that "due" never depends on how fast the machine is. */
class ManualClock {
  constructor(private instant: number) {}
  readonly now = () => new Date(this.instant);
  advance(ms: number) {
    this.instant += ms;
  }
  iso(offsetMs = 0) {
    return new Date(this.instant + offsetMs).toISOString();
  }
}

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe.each(STORES)('durable timers on the %s read store', (_name, open) => {
  let subject: StoreUnderTest;
  let set: DurableTimerSet;
  let clock: ManualClock;
  let schedulers: DurableTimerScheduler[];

  const schedulerWith = (handler: (timer: DueTimer) => Promise<void>, options: DurableTimerSchedulerOptions = {}, store = subject.store) => {
    const scheduler = new DurableTimerScheduler(store, { now: clock.now, retryInitialDelayMs: 1000, retryMaxDelayMs: 8000, observer: () => undefined, ...options });
    scheduler.register(set, handler);
    schedulers.push(scheduler);
    return scheduler;
  };

  beforeEach(() => {
    subject = open();
    set = new DurableTimerSet('test-reminders');
    clock = new ManualClock(Date.parse('2026-11-23T10:00:00.000Z'));
    schedulers = [];
  });

  afterEach(async () => {
    for (const scheduler of schedulers) await scheduler.stop();
    await subject.dispose();
  });

  it('fires the timers that are due, once, and leaves the others for later', async () => {
    const fired: DueTimer[] = [];
    const scheduler = schedulerWith(async (timer) => void fired.push(timer));
    await set.schedule(subject.store, { key: 't1:past', tenantId: 't1', dueAt: clock.iso(-60_000), payload: { n: 1 } }, 1);
    await set.schedule(subject.store, { key: 't1:now', tenantId: 't1', dueAt: clock.iso() }, 2);
    await set.schedule(subject.store, { key: 't1:later', tenantId: 't1', dueAt: clock.iso(60_000) }, 3);

    expect(await scheduler.fireDue()).toBe(2);
    expect(fired.map((timer) => timer.key)).toEqual(['t1:past', 't1:now']);
    expect(fired[0]).toMatchObject({ tenantId: 't1', dueAt: clock.iso(-60_000), attempts: 0, payload: { n: 1 } });
    expect((await set.pending(subject.store, 't1')).map((timer) => timer._id)).toEqual(['t1:later']);

    expect(await scheduler.fireDue()).toBe(0);
    clock.advance(60_000);
    expect(await scheduler.fireDue()).toBe(1);
    expect(fired.map((timer) => timer.key)).toEqual(['t1:past', 't1:now', 't1:later']);
    expect(await set.pending(subject.store, 't1')).toEqual([]);
  });

  it("runs different records' timers at once, and one record's one after the other in due order", async () => {
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const scheduler = schedulerWith(async (timer) => {
      started.push(timer.key);
      const gate = deferred();
      gates.set(timer.key, gate);
      await gate.promise;
    }, { concurrency: 4 });
    await set.schedule(subject.store, { key: 'a:first', tenantId: 't1', dueAt: clock.iso(-3000) }, 1);
    await set.schedule(subject.store, { key: 'a:second', tenantId: 't1', dueAt: clock.iso(-2000) }, 2);
    await set.schedule(subject.store, { key: 'b:only', tenantId: 't1', dueAt: clock.iso(-1000) }, 3);
    const firing = scheduler.fireDue();
    // Record b does not wait for record a; a's second timer waits for its first.
    await eventually(() => started.includes('a:first') && started.includes('b:only'), { description: 'both records to start' });
    expect(started).not.toContain('a:second');
    gates.get('a:first')!.release();
    await eventually(() => started.includes('a:second'), { description: "record a's second timer" });
    gates.get('a:second')!.release();
    gates.get('b:only')!.release();
    expect(await firing).toBe(3);
    expect(await set.pending(subject.store, 't1')).toEqual([]);
  });

  it('treats scheduling as a projection write: a repeated or older event changes nothing, a newer one moves the timer', async () => {
    await set.schedule(subject.store, { key: 'k', tenantId: 't1', dueAt: clock.iso(1000) }, 5);
    await set.schedule(subject.store, { key: 'k', tenantId: 't1', dueAt: clock.iso(9000) }, 5);
    await set.schedule(subject.store, { key: 'k', tenantId: 't1', dueAt: clock.iso(9000) }, 4);
    expect((await set.pending(subject.store, 't1'))[0]).toMatchObject({ dueAt: clock.iso(1000), fireAt: clock.iso(1000) });
    await set.cancel(subject.store, 'k', 3);
    expect(await set.pending(subject.store, 't1')).toHaveLength(1);
    await set.schedule(subject.store, { key: 'k', tenantId: 't1', dueAt: clock.iso(2000) }, 6);
    expect((await set.pending(subject.store, 't1'))[0]).toMatchObject({ dueAt: clock.iso(2000) });
    await set.cancel(subject.store, 'k', 7);
    expect(await set.pending(subject.store, 't1')).toEqual([]);
  });

  it('retries a failing handler with growing delays, and deletes the timer once it succeeds', async () => {
    let failures = 2;
    const firings: TimerFiring[] = [];
    const scheduler = schedulerWith(
      async () => {
        if (failures-- > 0) throw new Error('command failed');
      },
      { observer: (firing) => firings.push(firing) },
    );
    await set.schedule(subject.store, { key: 'k', tenantId: 't1', dueAt: clock.iso() }, 1);

    expect(await scheduler.fireDue()).toBe(1);
    const [afterFirst] = await set.pending(subject.store, 't1');
    expect(afterFirst.attempts).toBe(1);
    const firstDelay = Date.parse(afterFirst.fireAt) - clock.now().getTime();
    // Jittered between half and all of the initial delay.
    expect(firstDelay).toBeGreaterThanOrEqual(500);
    expect(firstDelay).toBeLessThanOrEqual(1000);
    expect(afterFirst.dueAt).toBe(clock.iso());

    expect(await scheduler.fireDue()).toBe(0);
    clock.advance(firstDelay);
    expect(await scheduler.fireDue()).toBe(1);
    const [afterSecond] = await set.pending(subject.store, 't1');
    expect(afterSecond.attempts).toBe(2);
    const secondDelay = Date.parse(afterSecond.fireAt) - clock.now().getTime();
    expect(secondDelay).toBeGreaterThanOrEqual(1000);
    expect(secondDelay).toBeLessThanOrEqual(2000);

    clock.advance(secondDelay);
    expect(await scheduler.fireDue()).toBe(1);
    expect(await set.pending(subject.store, 't1')).toEqual([]);
    expect(firings.map((firing) => firing.outcome)).toEqual(['failed', 'failed', 'fired']);
  });

  it('does not delete a timer that was moved while an older version of it was firing', async () => {
    const inHandler = deferred();
    const release = deferred();
    const scheduler = schedulerWith(async () => {
      inHandler.release();
      await release.promise;
    });
    await set.schedule(subject.store, { key: 'k', tenantId: 't1', dueAt: clock.iso() }, 1);
    const firing = scheduler.fireDue();
    await inHandler.promise;
    await set.schedule(subject.store, { key: 'k', tenantId: 't1', dueAt: clock.iso(60_000) }, 2);
    release.release();
    await firing;
    expect(await set.pending(subject.store, 't1')).toMatchObject([{ _id: 'k', dueAt: clock.iso(60_000), attempts: 0 }]);
  });

  it('does not delete a timer cancelled and scheduled again for the same instant while it was firing', async () => {
    // E.g. a task completed and reopened while its reminder was being handled: the handler saw the
    // completed task and did nothing, so the re-armed reminder must stay.
    const inHandler = deferred();
    const release = deferred();
    const scheduler = schedulerWith(async () => {
      inHandler.release();
      await release.promise;
    });
    await set.schedule(subject.store, { key: 'k', tenantId: 't1', dueAt: clock.iso() }, 1);
    const firing = scheduler.fireDue();
    await inHandler.promise;
    await set.cancel(subject.store, 'k', 2);
    await set.schedule(subject.store, { key: 'k', tenantId: 't1', dueAt: clock.iso() }, 3);
    release.release();
    await firing;
    expect(await set.pending(subject.store, 't1')).toMatchObject([{ _id: 'k', dueAt: clock.iso(), attempts: 0 }]);
  });

  it('does not push a timer moved meanwhile into backoff when an older version of it fails', async () => {
    const inHandler = deferred();
    const release = deferred();
    const scheduler = schedulerWith(async () => {
      inHandler.release();
      await release.promise;
      throw new Error('failed');
    });
    await set.schedule(subject.store, { key: 'k', tenantId: 't1', dueAt: clock.iso() }, 1);
    const firing = scheduler.fireDue();
    await inHandler.promise;
    await set.schedule(subject.store, { key: 'k', tenantId: 't1', dueAt: clock.iso() }, 2);
    release.release();
    await firing;
    expect(await set.pending(subject.store, 't1')).toMatchObject([{ _id: 'k', fireAt: clock.iso(), attempts: 0 }]);
  });

  it('fires on its own once started, and wakes up early for a timer scheduled while it sleeps', async () => {
    const fired: string[] = [];
    const scheduler = new DurableTimerScheduler(subject.store, { maxPollIntervalMs: 60_000, observer: () => undefined });
    scheduler.register(set, async (timer) => void fired.push(timer.key));
    schedulers.push(scheduler);
    await set.schedule(subject.store, { key: 'due', tenantId: 't1', dueAt: new Date(Date.now() - 1000) }, 1);
    await scheduler.start();
    await eventually(() => fired.includes('due'), { timeoutMs: 2000, description: 'the due timer to fire at start' });
    // The scheduler now sleeps for up to a minute: scheduling must wake it.
    await set.schedule(subject.store, { key: 'soon', tenantId: 't1', dueAt: new Date(Date.now() + 100) }, 2);
    await eventually(() => fired.includes('soon'), { timeoutMs: 3000, description: 'the new timer to fire without waiting for the poll' });
    expect(fired).toEqual(['due', 'soon']);
  });

  it('does not lose a wake-up for a timer scheduled after the scheduler looked for the soonest one', async () => {
    // The store answers "what is next?" and only then the projection writes a sooner timer: the
    // scheduler has not gone to sleep yet, so that nudge must still cut its sleep short.
    let raced = false;
    const racingStore: ReadStore = {
      collection: (name) => {
        const collection = subject.store.collection(name);
        return new Proxy(collection, {
          get(target, property, receiver) {
            if (property !== 'find') return Reflect.get(target, property, receiver);
            return async (...args: Parameters<typeof collection.find>) => {
              const result = await target.find(...args);
              if (args[1]?.projection && !raced) {
                raced = true;
                await set.schedule(subject.store, { key: 'raced', tenantId: 't1', dueAt: new Date(Date.now() + 50) }, 1);
              }
              return result;
            };
          },
        });
      },
      close: () => subject.store.close(),
    } as ReadStore;
    const fired: string[] = [];
    const scheduler = new DurableTimerScheduler(racingStore, { maxPollIntervalMs: 60_000, observer: () => undefined });
    scheduler.register(set, async (timer) => void fired.push(timer.key));
    schedulers.push(scheduler);
    await scheduler.start();
    await eventually(() => fired.includes('raced'), { timeoutMs: 3000, description: 'the raced timer to fire without waiting a whole poll interval' });
  });

  it('resumes after a restart with the timers that had not fired, including those that fell due while it was down', async () => {
    const firstRun: string[] = [];
    const first = new DurableTimerScheduler(subject.store, { maxPollIntervalMs: 50, observer: () => undefined });
    first.register(set, async (timer) => void firstRun.push(timer.key));
    const whileDownDueAt = Date.now() + 300;
    await set.schedule(subject.store, { key: 'before-stop', tenantId: 't1', dueAt: new Date(Date.now() - 1) }, 1);
    await set.schedule(subject.store, { key: 'while-down', tenantId: 't1', dueAt: new Date(whileDownDueAt) }, 2);
    await set.schedule(subject.store, { key: 'after-restart', tenantId: 't1', dueAt: new Date(Date.now() + 60_000) }, 3);
    await first.start();
    await eventually(() => firstRun.includes('before-stop'), { timeoutMs: 2000, description: 'the first timer' });
    await first.stop();
    expect(firstRun).toEqual(['before-stop']);

    // Nothing runs until the second timer has fallen due.
    await eventually(() => Date.now() > whileDownDueAt, { timeoutMs: 2000, description: 'the second timer to fall due while down' });
    const store = await subject.reopen();
    const restartSet = new DurableTimerSet('test-reminders');
    const secondRun: string[] = [];
    const second = new DurableTimerScheduler(store, { maxPollIntervalMs: 50, observer: () => undefined });
    second.register(restartSet, async (timer) => void secondRun.push(timer.key));
    schedulers.push(second);
    await second.start();
    await eventually(() => secondRun.includes('while-down'), { timeoutMs: 2000, description: 'the timer that fell due while down' });
    expect(secondRun).toEqual(['while-down']);
    expect((await restartSet.pending(store, 't1')).map((timer) => timer._id)).toEqual(['after-restart']);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idempotentHandler, InMemoryProcessedEventLog, type ProcessedEventLog, SqliteProcessedEventLog } from './idempotent-consumer';
import type { DeliveryContext, IntegrationEvent } from './message-bus.port';

const context: DeliveryContext = { topic: 'contacts', attempt: 1 };
const eventWithId = (id: string): IntegrationEvent => ({
  specversion: '1.0',
  id,
  source: '/crm/tests',
  type: 'crm.tests.thing.happened.v1',
  subject: 'thing-1',
  time: '2026-01-01T00:00:00.000Z',
  datacontenttype: 'application/json',
  dataschema: 'crm.tests.v1.ThingEvent',
  tenantid: 'tenant-1',
  correlationid: 'correlation-1',
  causationid: 'cause-1',
  data: {},
});

describe.each([
  ['in memory', async () => ({ log: new InMemoryProcessedEventLog() as ProcessedEventLog, dispose: () => undefined })],
  [
    'SQLite',
    async () => {
      const directory = mkdtempSync(join(tmpdir(), 'crm-processed-'));
      const log = new SqliteProcessedEventLog(join(directory, 'service.sqlite'));
      return {
        log: log as ProcessedEventLog,
        dispose: () => {
          log.close();
          rmSync(directory, { recursive: true, force: true });
        },
      };
    },
  ],
])('idempotentHandler with the %s processed-event log', (_name, open) => {
  let log: ProcessedEventLog;
  let dispose: () => void;

  beforeEach(async () => {
    ({ log, dispose } = await open());
  });

  afterEach(() => dispose());

  it('runs the handler once per event id and group', async () => {
    const handled: string[] = [];
    const sales = idempotentHandler('sales', log, async ({ id }) => void handled.push(`sales:${id}`));
    const analytics = idempotentHandler('analytics', log, async ({ id }) => void handled.push(`analytics:${id}`));

    await sales(eventWithId('e1'), context);
    await sales(eventWithId('e1'), { ...context, attempt: 2 });
    await analytics(eventWithId('e1'), context);
    await sales(eventWithId('e2'), context);

    expect(handled).toEqual(['sales:e1', 'analytics:e1', 'sales:e2']);
  });

  it('does not record an event whose handler failed, so its redelivery runs the handler again', async () => {
    let calls = 0;
    const handler = idempotentHandler('sales', log, async () => {
      calls++;
      if (calls === 1) throw new Error('transient');
    });

    await expect(handler(eventWithId('e1'), context)).rejects.toThrow('transient');
    await handler(eventWithId('e1'), { ...context, attempt: 2 });

    expect(calls).toBe(2);
    expect(await log.contains('sales', 'e1')).toBe(true);
  });
});

describe('SqliteProcessedEventLog', () => {
  it('remembers processed ids across a reopen, until pruned', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'crm-processed-'));
    const path = join(directory, 'service.sqlite');
    try {
      const first = new SqliteProcessedEventLog(path);
      await first.add('sales', 'e1');
      first.close();

      const reopened = new SqliteProcessedEventLog(path);
      expect(await reopened.contains('sales', 'e1')).toBe(true);
      expect(reopened.prune(new Date(Date.now() + 1_000).toISOString())).toBe(1);
      expect(await reopened.contains('sales', 'e1')).toBe(false);
      reopened.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

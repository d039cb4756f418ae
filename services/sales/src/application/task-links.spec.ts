import { type CommandContext, DomainError } from '@crm/decider';
import { InMemoryEventStore } from '@crm/eventstore';
import { createInMemoryReadStore, type ReadStore } from '@crm/readstore';
import { ProjectionHost, ReplicatedDirectory } from '@crm/runtime';
import { dealStream } from '../domain/streams';
import { createTaskReminderSet } from '../infrastructure/task-reminders';
import { tasksProjection } from '../infrastructure/tasks.projection';
import { ContactDirectory } from './contact-directory';
import { TaskLinkChecker } from './task-links';
import { TaskListQueries } from './task-list.queries';
import { TasksService } from './tasks.service';

const metadata = { tenantId: 'acme', actorId: 'a', correlationId: 'c', causationId: 'c', occurredAt: '2026-11-23T10:00:00.000Z', schemaVersion: 1 };

describe('task links', () => {
  let events: InMemoryEventStore;
  let readStore: ReadStore;
  let directory: ContactDirectory;
  let tasks: TasksService;
  let ids: number;
  const context: CommandContext = { tenantId: 'acme', actorId: 'sam', correlationId: 'c', causationId: 'r' };
  const known = (kind: 'contact' | 'company', recordId: string, tenantId = 'acme') =>
    directory.replicas.apply({ kind, tenantId, recordId, revision: 0, data: {}, occurredAt: metadata.occurredAt });
  const appendDeal = (dealId: string, types: string[]) =>
    events.append(
      dealStream('acme', dealId),
      types.map((type, index) => ({ eventId: `${dealId}-${index}`, type, data: {}, metadata })),
      'any',
    );
  const rejection = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  };

  beforeEach(() => {
    ids = 0;
    events = new InMemoryEventStore();
    readStore = createInMemoryReadStore();
    directory = new ContactDirectory(new ReplicatedDirectory(readStore));
    tasks = new TasksService(events, new TaskLinkChecker(events, directory), () => `task${++ids}`);
  });

  afterEach(() => readStore.close());

  it('links contacts and companies sales knows of, and deals whose stream exists and was not deleted', async () => {
    await known('contact', 'ada');
    await known('company', 'acme-corp');
    await appendDeal('big-deal', ['DealCreated', 'DealStageChanged']);
    const { view } = await tasks.createTask(context, { title: 'A', dueAt: '2036-12-01T09:00:00Z', contactId: 'ada', companyId: 'acme-corp', dealId: 'big-deal' });
    expect(view).toMatchObject({ contactId: 'ada', companyId: 'acme-corp', dealId: 'big-deal' });
  });

  it('refuses every link that points nowhere, naming each, and writes nothing', async () => {
    await known('contact', 'ada', 'other-tenant');
    await appendDeal('gone-deal', ['DealCreated', 'DealDeleted']);
    const error = await rejection(tasks.createTask(context, { title: 'A', dueAt: '2036-12-01T09:00:00Z', contactId: 'ada', companyId: 'nope', dealId: 'gone-deal' }));
    expect(error.kind).toBe('invalid');
    expect(error.details.map((detail) => detail.field)).toEqual(['contactId', 'companyId', 'dealId']);
    expect(await events.readStream('acme.task-task1')).toEqual([]);
    const missingDeal = await rejection(tasks.createTask(context, { title: 'A', dueAt: '2036-12-01T09:00:00Z', dealId: 'never-created' }));
    expect(missingDeal.details).toEqual([{ field: 'dealId', reason: 'no deal with this id' }]);
  });

  it('links a merged contact to its survivor, and moves linked tasks to the survivor when a merge is announced', async () => {
    await known('contact', 'ada');
    await known('contact', 'ada-duplicate');
    const host = new ProjectionHost(events, readStore);
    host.add(tasksProjection(createTaskReminderSet()));
    await host.start();
    try {
      const linked = await tasks.createTask(context, { title: 'A', dueAt: '2036-12-01T09:00:00Z', contactId: 'ada-duplicate' });
      await tasks.createTask(context, { title: 'B', dueAt: '2036-12-01T09:00:00Z', contactId: 'ada' });
      expect(await host.waitForPosition(await events.headPosition(), 5000)).toBe(true);

      const change = { tenantId: 'acme', sourceContactId: 'ada-duplicate', survivorContactId: 'ada', merged: true, eventId: 'e1', correlationId: 'merge-1' };
      await directory.contactMerged(change);
      await tasks.relinkMergedContact(change, new TaskListQueries(readStore));
      expect((await tasks.getTask('acme', linked.view.id)).contactId).toBe('ada');
      const [, relink] = await tasks.history('acme', linked.view.id);
      expect(relink).toMatchObject({ type: 'TaskLinksChanged', actorId: 'system:contact-merge', causationId: 'e1', correlationId: 'merge-1' });

      const later = await tasks.createTask(context, { title: 'C', dueAt: '2036-12-01T09:00:00Z', contactId: 'ada-duplicate' });
      expect(later.view.contactId).toBe('ada');
    } finally {
      await host.stop();
    }
  });
});

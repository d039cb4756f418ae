import type { CommandContext } from '@crm/decider';
import { InMemoryEventStore } from '@crm/eventstore';
import { createInMemoryReadStore, ProjectionRunner, type ReadStore } from '@crm/readstore';
import { ContactsIntegrationEventMapper } from '../infrastructure/integration-events';
import { applyReadModelBatch, READ_MODEL_INDEXES, READ_MODEL_PROJECTION } from '../infrastructure/read-model.projection';
import { ContactMergeService } from './contact-merge.service';
import { ContactsService } from './contacts.service';
import { DuplicateRules } from './duplicate-rules.service';
import { DuplicateFinder } from './duplicates';

const context = (tenantId: string): CommandContext => ({ tenantId, actorId: 'alice', correlationId: 'corr', causationId: 'req' });

describe('duplicate finder and merges (application level)', () => {
  let eventStore: InMemoryEventStore;
  let readStore: ReadStore;
  let runner: ProjectionRunner;
  let contacts: ContactsService;
  let rules: DuplicateRules;
  let finder: DuplicateFinder;
  let merges: ContactMergeService;

  beforeEach(async () => {
    eventStore = new InMemoryEventStore();
    readStore = createInMemoryReadStore();
    runner = new ProjectionRunner(eventStore, readStore, {
      name: READ_MODEL_PROJECTION,
      indexes: READ_MODEL_INDEXES,
      apply: (event, store) => applyReadModelBatch([event], store),
      applyBatch: applyReadModelBatch,
    });
    await runner.start();
    contacts = new ContactsService(eventStore);
    rules = new DuplicateRules(eventStore);
    finder = new DuplicateFinder(readStore, rules, async () => {
      await runner.waitForPosition(await eventStore.headPosition(), 5_000);
    });
    merges = new ContactMergeService(eventStore);
  });

  afterEach(async () => {
    await runner.stop();
    await readStore.close();
    await eventStore.close();
  });

  it('answers a batch in order, one list per candidate, and parses national numbers with the default region', async () => {
    const ada = (await contacts.createContact(context('t1'), { firstName: 'Ada', emails: [{ address: 'ada@example.com' }], phones: [{ number: '+37060012345' }] })).view;
    await contacts.createContact(context('t2'), { firstName: 'Ada', emails: [{ address: 'ada@example.com' }] });
    await rules.replace(context('t1'), { defaultRegion: 'LT', rules: [{ name: 'phone', fields: ['phone'], enabled: true }, { name: 'email', fields: ['primaryEmail'], enabled: true }] });

    const answers = await finder.findDuplicatesMany('t1', [
      { firstName: 'X', phones: [{ number: '8 600 12345' }] },
      { firstName: 'Y', emails: [{ address: 'nobody@example.com' }] },
      { firstName: 'Z', emails: [{ address: 'ADA@example.com' }] },
      { firstName: 'W', phones: [{ number: 'not a number' }] },
    ]);
    expect(answers).toEqual([[{ id: ada.id, rule: 'phone' }], [], [{ id: ada.id, rule: 'email' }], []]);
    expect(await finder.findDuplicates('t1', { emails: [{ address: 'ada@example.com' }] }, { excludeIds: [ada.id] })).toEqual([]);
  });

  it('merges and unmerges across the two streams, hides the merged source from lookups, and announces both', async () => {
    const a = (await contacts.createContact(context('t1'), { firstName: 'Ada', emails: [{ address: 'ada@example.com' }] })).view;
    const b = (await contacts.createContact(context('t1'), { firstName: 'Ada', emails: [{ address: 'ada@example.com' }], tags: ['x'] })).view;
    expect(await finder.findDuplicates('t1', a, { excludeIds: [a.id] })).toEqual([{ id: b.id, rule: 'same-primary-email' }]);

    const merged = await merges.merge(context('t1'), a.id, b.id, {});
    expect(merged.view.tags).toEqual(['x']);
    expect(await finder.findDuplicates('t1', a, { excludeIds: [a.id] })).toEqual([]);
    await expect(contacts.getContact('t1', b.id)).rejects.toMatchObject({ name: 'ContactMergedError', mergedInto: a.id });

    await merges.unmerge(context('t1'), a.id, b.id);
    expect((await contacts.getContact('t1', a.id)).tags).toEqual([]);
    expect((await contacts.getContact('t1', b.id)).tags).toEqual(['x']);
    expect(await finder.findDuplicates('t1', a, { excludeIds: [a.id] })).toEqual([{ id: b.id, rule: 'same-primary-email' }]);

    const mapper = new ContactsIntegrationEventMapper(eventStore);
    const published = [];
    for (const event of await eventStore.readStream(`t1.contact-${a.id}`)) published.push(...(await mapper.map(event)));
    const mergeMessages = published.filter((message) => /merged/.test(message.event.type));
    expect(mergeMessages.map((message) => [message.topic, message.event.type, message.event.subject, message.event.data])).toEqual([
      ['crm.contacts.contact.v1', 'crm.contacts.contact.merged.v1', a.id, { contactId: a.id, sourceContactId: b.id, changedFields: ['tags'], occurredAt: expect.any(String) }],
      ['crm.contacts.contact.v1', 'crm.contacts.contact.unmerged.v1', a.id, { contactId: a.id, sourceContactId: b.id, changedFields: ['tags'], occurredAt: expect.any(String) }],
    ]);
  });
});

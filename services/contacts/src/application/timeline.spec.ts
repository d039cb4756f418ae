import { type CommandContext, DomainError } from '@crm/decider';
import { InMemoryEventStore } from '@crm/eventstore';
import { createInMemoryReadStore, MongoReadStore, ProjectionRunner, type ReadStore } from '@crm/readstore';
import { describeWithMongo } from '@crm/testing';
import { applyTimelineBatch, TIMELINE_INDEXES, TIMELINE_PROJECTION } from '../infrastructure/timeline.projection';
import { ContactsService } from './contacts.service';
import { CustomFieldDefinitions } from './custom-fields.service';
import { InteractionsService } from './interactions.service';
import { ReadStoreParticipantDirectory } from './participant-directory';
import { TIMELINE_COLLECTION, type TimelineDocument, TimelineService } from './timeline';

const context = (tenantId: string, overrides: Partial<CommandContext> = {}): CommandContext => ({
  tenantId,
  actorId: 'alice',
  correlationId: 'corr',
  causationId: 'req',
  ...overrides,
});

/** The same behaviour on the embedded read store and on a MongoDB-compatible server. */
function timelineSuite(
  name: string,
  openReadStore: () => Promise<ReadStore> | ReadStore,
  dropReadStore: (store: ReadStore) => Promise<void> = async () => undefined,
) {
  describe(name, () => {
    let eventStore: InMemoryEventStore;
    let readStore: ReadStore;
    let runner: ProjectionRunner;
    let contacts: ContactsService;
    let definitions: CustomFieldDefinitions;
    let interactions: InteractionsService;
    let timeline: TimelineService;

    const caughtUp = async () => {
      await runner.waitForPosition(await eventStore.headPosition(), 5_000);
    };

    beforeEach(async () => {
      eventStore = new InMemoryEventStore();
      readStore = await openReadStore();
      runner = new ProjectionRunner(eventStore, readStore, {
        name: TIMELINE_PROJECTION,
        indexes: TIMELINE_INDEXES,
        apply: (event, store) => applyTimelineBatch([event], store),
        applyBatch: applyTimelineBatch,
      });
      await runner.start();
      definitions = new CustomFieldDefinitions(eventStore);
      contacts = new ContactsService(eventStore, undefined, definitions);
      interactions = new InteractionsService(eventStore, new ReadStoreParticipantDirectory(readStore, caughtUp));
      timeline = new TimelineService(eventStore, readStore);
    });

    afterEach(async () => {
      await runner.stop();
      await dropReadStore(readStore);
      await readStore.close();
      await eventStore.close();
    });

    describe('custom fields on writes', () => {
      it('checks creates and patches against the definitions and stores nothing when refused', async () => {
        await definitions.define(context('t1'), 'contact', { name: 'seats', type: 'number', required: true });
        await expect(contacts.createContact(context('t1'), { firstName: 'Ada' })).rejects.toThrow(/customFields\.seats/);
        await expect(contacts.createContact(context('t1'), { firstName: 'Ada', customFields: { seats: 'many' } })).rejects.toThrow(DomainError);
        expect(await eventStore.readAll()).toHaveLength(1);

        const { view } = await contacts.createContact(context('t1'), { firstName: 'Ada', customFields: { seats: 3 } });
        await expect(contacts.updateContact(context('t1'), view.id, { customFields: { seats: null } })).rejects.toThrow(/customFields\.seats/);
        // Another tenant, and companies, have no definitions: free-form as before.
        await expect(contacts.createContact(context('t2'), { firstName: 'Ada', customFields: { seats: 'many' } })).resolves.toBeDefined();
        await expect(contacts.createCompany(context('t1'), { name: 'Acme', customFields: { anything: true } })).resolves.toBeDefined();
      });

      it('applies a changed definition to new writes only, leaving stored values readable', async () => {
        await definitions.define(context('t1'), 'contact', { name: 'tier', type: 'text' });
        const { view } = await contacts.createContact(context('t1'), { firstName: 'Ada', customFields: { tier: 'platinum' } });
        await definitions.change(context('t1'), 'contact', 'tier', { type: 'select', options: ['gold', 'silver'] });
        expect((await contacts.getContact('t1', view.id)).customFields).toEqual({ tier: 'platinum' });
        await expect(contacts.updateContact(context('t1'), view.id, { firstName: 'Augusta' })).resolves.toBeDefined();
        await expect(contacts.updateContact(context('t1'), view.id, { customFields: { tier: 'platinum' } })).rejects.toThrow(/customFields\.tier/);
        await expect(contacts.updateContact(context('t1'), view.id, { customFields: { tier: 'gold' } })).resolves.toBeDefined();
      });
    });

    describe('interactions and the timeline', () => {
      it('links participants matched by email or phone, reports the rest, and shows the interaction on each linked timeline', async () => {
        const ada = (await contacts.createContact(context('t1'), { firstName: 'Ada', emails: [{ address: 'ada@example.com' }] })).view;
        const grace = (await contacts.createContact(context('t1'), { firstName: 'Grace', phones: [{ number: '+37060012345' }] })).view;
        await contacts.createContact(context('t2'), { firstName: 'Elsewhere', emails: [{ address: 'other@example.com' }] });

        const { view } = await interactions.record(context('t1'), ada.id, {
          kind: 'meeting',
          subject: 'Kick-off',
          participants: [{ email: 'ADA@example.com' }, { phone: '+370 600 12345' }, { email: 'other@example.com' }, { phone: '+37060099999' }],
        });
        expect(view.linkedContactIds).toEqual([grace.id]);
        expect(view.unmatchedParticipants).toEqual([{ email: 'other@example.com' }, { phone: '+37060099999' }]);

        await caughtUp();
        const graceTimeline = await timeline.page('t1', grace.id, {});
        expect(graceTimeline.items.map((entry) => [entry.source, entry.type])).toEqual([
          ['interaction', 'meeting'],
          ['contact', 'ContactCreated'],
        ]);
        expect(await interactions.get('t1', grace.id, view.id)).toMatchObject({ subject: 'Kick-off', recordedBy: 'alice' });
        await expect(interactions.get('t2', ada.id, view.id)).rejects.toThrow(/not found/);
      });

      it('orders history and interactions by when they happened, both ways, page by page', async () => {
        const clock = (iso: string) => ({ now: () => new Date(iso) });
        const ada = (await contacts.createContact(context('t1', clock('2026-01-01T00:00:00Z')), { firstName: 'Ada' })).view;
        await contacts.updateContact(context('t1', clock('2026-03-01T00:00:00Z')), ada.id, { firstName: 'Augusta', status: 'customer' });
        await interactions.record(context('t1', clock('2026-05-01T00:00:00Z')), ada.id, { kind: 'call', occurredAt: '2026-02-01T00:00:00Z' });
        await interactions.record(context('t1', clock('2026-05-01T00:00:00Z')), ada.id, { kind: 'note', body: 'later', occurredAt: '2026-04-01T00:00:00Z' });
        await caughtUp();

        const all = async (order: 'asc' | 'desc') => {
          const seen: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await timeline.page('t1', ada.id, { order, limit: 2, cursor });
            expect(page.items.length).toBeLessThanOrEqual(2);
            seen.push(...page.items.map((entry) => entry.type));
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          return seen;
        };
        expect(await all('desc')).toEqual(['note', 'ContactStatusChanged', 'ContactRenamed', 'call', 'ContactCreated']);
        expect(await all('asc')).toEqual(['ContactCreated', 'call', 'ContactRenamed', 'ContactStatusChanged', 'note']);
        expect((await timeline.page('t1', ada.id, { source: 'interaction' })).items.map((entry) => entry.type)).toEqual(['note', 'call']);
        await expect(timeline.page('t2', ada.id, {})).rejects.toThrow(/not found/);
      });

      it('keeps a preview of long bodies on the timeline, the whole body on the interaction', async () => {
        const ada = (await contacts.createContact(context('t1'), { firstName: 'Ada' })).view;
        const { view } = await interactions.record(context('t1'), ada.id, { kind: 'email', direction: 'inbound', body: 'x'.repeat(5000) });
        await caughtUp();
        const [entry] = (await timeline.page('t1', ada.id, { source: 'interaction' })).items;
        expect(entry.data).toMatchObject({ interactionId: view.id, bodyTruncated: true });
        expect((entry.data as { body: string }).body).toHaveLength(2000);
        expect((await interactions.get('t1', ada.id, view.id)).body).toHaveLength(5000);
      });

      it('adds entries from other services once, and none for a contact that does not exist', async () => {
        const ada = (await contacts.createContact(context('t1'), { firstName: 'Ada' })).view;
        const entry = { source: 'deals', sourceId: 'evt-42', type: 'deal.won', occurredAt: '2030-01-01T00:00:00Z', summary: 'Big deal', data: { amount: 1000 } };
        expect((await timeline.addExternalEntry(context('t1'), ada.id, entry)).added).toBe(true);
        expect((await timeline.addExternalEntry(context('t1'), ada.id, entry)).added).toBe(true);
        expect((await timeline.addExternalEntry(context('t1'), 'NOSUCHCONTACT', entry)).added).toBe(false);
        await caughtUp();
        const page = await timeline.page('t1', ada.id, {});
        expect(page.items.map((item) => [item.id, item.source, item.type, item.summary])).toEqual([
          ['deals:evt-42', 'deals', 'deal.won', 'Big deal'],
          ['contact:0', 'contact', 'ContactCreated', null],
        ]);
      });

      it('erases the timeline and the handles of a deleted contact, and a rebuild yields the same documents', async () => {
        const ada = (await contacts.createContact(context('t1'), { firstName: 'Ada', emails: [{ address: 'ada@example.com' }] })).view;
        const grace = (await contacts.createContact(context('t1'), { firstName: 'Grace' })).view;
        await interactions.record(context('t1'), grace.id, { kind: 'email', direction: 'inbound', participants: [{ email: 'ada@example.com' }] });
        await contacts.deleteContact(context('t1'), ada.id);
        await caughtUp();

        const documents = () => readStore.collection<TimelineDocument>(TIMELINE_COLLECTION).find({}, { sort: { _id: 1 } });
        const before = await documents();
        expect(before.filter((document) => document.contactId === ada.id)).toEqual([]);
        const later = await interactions.record(context('t1'), grace.id, { kind: 'email', direction: 'outbound', participants: [{ email: 'ada@example.com' }] });
        expect(later.view.unmatchedParticipants).toEqual([{ email: 'ada@example.com' }]);

        await caughtUp();
        const expected = await documents();
        await runner.rebuild();
        expect(await documents()).toEqual(expected);
      });
    });
  });
}

timelineSuite('custom fields, interactions and timelines (application, embedded read store)', () => createInMemoryReadStore());

describeWithMongo('custom fields, interactions and timelines on the local MongoDB-compatible server', (url) => {
  let databases = 0;
  timelineSuite(
    'application, mongodb read store',
    () => new MongoReadStore({ url, database: `crm_contacts_timeline_test_${process.pid}_${++databases}` }),
    (store) => (store as MongoReadStore).dropDatabase(),
  );
});

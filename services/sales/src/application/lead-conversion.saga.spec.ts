import { type CommandContext, DomainError } from '@crm/decider';
import { InMemoryEventStore } from '@crm/eventstore';
import { createInMemoryReadStore } from '@crm/readstore';
import { ReplicatedDirectory } from '@crm/runtime';
import { leadStream } from '../domain/streams';
import { ContactDirectory } from './contact-directory';
import type { ConversionDeals, ConversionDealToCreate } from './lead-conversion-deals';
import { LeadConversionSaga } from './lead-conversion.saga';
import { leadsCommandHandler, LeadsService } from './leads.service';
import { NO_OWNER_ASSIGNMENT } from './owner-assignment';

const context: CommandContext = { tenantId: 'acme', actorId: 'olga', correlationId: 'corr-1', causationId: 'req-1' };
const deal = { title: 'Engines', pipelineId: 'p1', stageId: 's1', amount: '100', currency: 'EUR' };

/** Deals as the saga sees them: records what it was asked to create, fails on demand. */
class RecordingDeals implements ConversionDeals {
  readonly created: { context: CommandContext; deal: ConversionDealToCreate }[] = [];
  failWith: Error | undefined;

  async check(): Promise<void> {}

  async createOnce(dealContext: CommandContext, toCreate: ConversionDealToCreate): Promise<void> {
    if (this.failWith) throw this.failWith;
    if (!this.created.some((entry) => entry.deal.dealId === toCreate.dealId)) this.created.push({ context: dealContext, deal: toCreate });
  }
}

describe('LeadConversionSaga', () => {
  let store: InMemoryEventStore;
  let directory: ContactDirectory;
  let deals: RecordingDeals;
  let leads: LeadsService;
  let saga: LeadConversionSaga;
  let leadId: string;

  /** What the contact directory learns from the contacts service's messages once it has created the records. */
  const contactsAnswer = async (ids: { contactId: string; companyId: string | null }) => {
    await directory.replicas.apply({ kind: 'contact', tenantId: 'acme', recordId: ids.contactId, revision: 0, data: {}, occurredAt: '2026-01-01T00:00:00Z' });
    if (ids.companyId) await directory.replicas.apply({ kind: 'company', tenantId: 'acme', recordId: ids.companyId, revision: 0, data: {}, occurredAt: '2026-01-01T00:00:00Z' });
  };

  beforeEach(async () => {
    store = new InMemoryEventStore();
    directory = new ContactDirectory(new ReplicatedDirectory(createInMemoryReadStore()));
    deals = new RecordingDeals();
    const handler = leadsCommandHandler(store);
    leads = new LeadsService(handler, NO_OWNER_ASSIGNMENT);
    saga = new LeadConversionSaga(leads, handler, directory, deals, { waitMs: 30, pollIntervalMs: 5 });
    leadId = (await leads.capture(context, { name: 'Ada Lovelace', email: 'ada@example.com', companyName: 'Engines', ownerId: 'olga' })).view.id;
  });

  it('waits for the contacts service, then creates the deal and records the conversion', async () => {
    const pending = await saga.convert(context, leadId, { createCompany: true, deal });
    const conversion = pending.view.conversion!;
    expect(conversion).toMatchObject({ status: 'pending', companyId: expect.any(String), dealId: expect.any(String) });
    expect(await saga.advance('acme', leadId)).toMatchObject({ status: 'pending' });
    expect(deals.created).toEqual([]);

    await contactsAnswer(conversion);
    expect(await saga.advance('acme', leadId)).toMatchObject({ status: 'converted', contactId: conversion.contactId, completedAt: expect.any(String) });
    expect(deals.created.map(({ deal: created }) => created)).toEqual([
      { ...deal, amount: '100.00', expectedCloseDate: null, dealId: conversion.dealId, contactId: conversion.contactId, companyId: conversion.companyId, ownerId: 'olga' },
    ]);
    expect((await leads.get('acme', leadId)).status).toBe('converted');
  });

  it('writes the later steps on behalf of the requester, caused by the request event', async () => {
    const pending = await saga.convert(context, leadId, { deal });
    await contactsAnswer(pending.view.conversion!);
    await saga.advance('acme', leadId);
    const events = await store.readStream(leadStream('acme', leadId));
    const requested = events.find((event) => event.type === 'LeadConversionRequested')!;
    const converted = events.find((event) => event.type === 'LeadConverted')!;
    expect(requested.metadata).toMatchObject({ actorId: 'olga', causationId: 'req-1', correlationId: 'corr-1' });
    expect(converted.metadata).toMatchObject({ actorId: 'olga', causationId: requested.eventId, correlationId: 'corr-1' });
    expect(deals.created[0].context).toMatchObject({ actorId: 'olga', causationId: requested.eventId, correlationId: 'corr-1' });
  });

  it('answers at once when the records appear while it waits', async () => {
    const saga2 = new LeadConversionSaga(leads, leadsCommandHandler(store), directory, deals, { waitMs: 5_000, pollIntervalMs: 5 });
    const converting = saga2.convert(context, leadId, {});
    const requested = await (async () => {
      for (;;) {
        const lead = await leads.get('acme', leadId);
        if (lead.conversion) return lead.conversion;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await contactsAnswer(requested);
    expect((await converting).view).toMatchObject({ status: 'converted', conversion: { status: 'converted', dealId: null, companyId: null } });
  });

  it('creates nothing twice when the conversion is retried, before or after it ends', async () => {
    const first = await saga.convert(context, leadId, { createCompany: true, deal });
    const again = await saga.convert(context, leadId, { createCompany: true, deal });
    expect(again.view.conversion).toMatchObject({ contactId: first.view.conversion!.contactId, dealId: first.view.conversion!.dealId });
    await contactsAnswer(first.view.conversion!);
    await Promise.all([saga.advance('acme', leadId), saga.advance('acme', leadId)]);
    const afterDone = await saga.convert(context, leadId, { createCompany: true, deal });
    expect(afterDone.view.conversion).toMatchObject({ status: 'converted', contactId: first.view.conversion!.contactId });
    const types = (await store.readStream(leadStream('acme', leadId))).map((event) => event.type);
    expect(types).toEqual(['LeadCaptured', 'LeadConversionRequested', 'LeadConverted']);
    expect(deals.created).toHaveLength(1);
  });

  it('gives up when the deal cannot be created, and lets a new request try again', async () => {
    const pending = await saga.convert(context, leadId, { deal });
    await contactsAnswer(pending.view.conversion!);
    deals.failWith = new DomainError('invalid', 'Invalid pipelineId: no pipeline p1');
    expect(await saga.advance('acme', leadId)).toMatchObject({ status: 'failed', failureReason: expect.stringMatching(/no pipeline p1/) });
    deals.failWith = undefined;
    expect((await saga.convert(context, leadId, { deal })).view.conversion).toMatchObject({ status: 'converted' });
  });

  it('keeps a conversion pending (the timer retries) when creating the deal conflicts for now', async () => {
    const pending = await saga.convert(context, leadId, { deal });
    await contactsAnswer(pending.view.conversion!);
    deals.failWith = new DomainError('conflict', 'Too many concurrent writes');
    await expect(saga.advance('acme', leadId)).rejects.toThrow(/concurrent/);
    expect((await leads.get('acme', leadId)).conversion?.status).toBe('pending');
  });

  it('has nothing to do for leads without a conversion', async () => {
    expect(await saga.advance('acme', leadId)).toBeNull();
    expect(await saga.advance('acme', 'unknown')).toBeNull();
  });
});

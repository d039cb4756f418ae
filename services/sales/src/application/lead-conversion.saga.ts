import { type CommandContext, DomainError } from '@crm/decider';
import type { RecordedEvent } from '@crm/eventstore';
import type { WriteResult } from '@crm/runtime';
import { setTimeout as delay } from 'node:timers/promises';
import type { LeadState } from '../domain/lead';
import { type ConversionOptions, normaliseConversionDeal } from '../domain/lead-conversion';
import { leadStream } from '../domain/streams';
import type { ContactDirectory } from './contact-directory';
import type { ConversionDeals } from './lead-conversion-deals';
import { type LeadConversionView, leadTimesOf, type LeadView, toLeadView } from './lead-views';
import type { LeadsCommandHandler, LeadsService } from './leads.service';

export interface LeadConversionSagaOptions {
  /** How long `convert` waits for the whole conversion before answering that it is under way. */
  waitMs: number;
  pollIntervalMs: number;
}

/**
 * Turns a lead into a contact (and company) in the contacts service and a deal here, in steps that
 * each survive a crash and can run twice:
 * 1. the lead records `LeadConversionRequested` with ids derived from the tenant and the lead; the relay
 *    publishes it on `crm.sales.lead.v1`;
 * 2. the contacts service creates the company and the contact with exactly those ids (once) and
 *    publishes them as usual; the contact directory here learns of them;
 * 3. `advance` (called by the waiting request, by a durable timer until it succeeds, and when the
 *    contact's message arrives) sees them in the directory, creates the deal (once, with its derived id)
 *    and records `LeadConverted`, or `LeadConversionFailed` when the deal cannot be created.
 */
export class LeadConversionSaga {
  constructor(
    private readonly leads: LeadsService,
    private readonly handler: LeadsCommandHandler,
    private readonly directory: ContactDirectory,
    private readonly deals: ConversionDeals,
    private readonly options: LeadConversionSagaOptions = { waitMs: 5_000, pollIntervalMs: 100 },
  ) {}

  /** Asks for the conversion (a retry asks for nothing new) and waits, bounded, for it to end. */
  async convert(context: CommandContext, leadId: string, options: ConversionOptions): Promise<WriteResult<LeadView>> {
    const { state } = await this.handler.load(leadStream(context.tenantId, leadId));
    if (state.lifecycle === 'active' && state.status !== 'converted' && state.status !== 'disqualified') {
      // A deal the saga could never create is the caller's mistake, said now (400) rather than after the contact exists.
      const deal = normaliseConversionDeal(options.deal);
      if (deal) await this.deals.check(context.tenantId, deal);
    }
    const requested = await this.leads.run(context, leadId, { type: 'RequestLeadConversion', tenantId: context.tenantId, options });
    const deadline = Date.now() + this.options.waitMs;
    for (;;) {
      const conversion = await this.advance(context.tenantId, leadId);
      if (conversion?.status !== 'pending' || Date.now() >= deadline) break;
      await delay(this.options.pollIntervalMs);
    }
    const { state: current, revision, events } = await this.handler.load(leadStream(context.tenantId, leadId));
    return {
      view: toLeadView(current, revision, leadTimesOf(events)),
      revision,
      position: Math.max(requested.position, events[events.length - 1]?.position ?? -1),
    };
  }

  /** The lead's conversion, or null when none was asked for. */
  async conversionOf(tenantId: string, leadId: string): Promise<LeadConversionView | null> {
    return (await this.leads.get(tenantId, leadId)).conversion;
  }

  /**
   * Takes the saga as far as it can go now; harmless to call at any time, from anywhere, any number of
   * times. Returns the conversion as it then stands (`pending` while the contacts service has not
   * answered yet), or null when the lead has none.
   */
  async advance(tenantId: string, leadId: string): Promise<LeadConversionView | null> {
    const stream = leadStream(tenantId, leadId);
    const { state, events } = await this.handler.load(stream);
    const conversion = state.conversion;
    if (!conversion || conversion.status !== 'pending') return this.viewOf(state, events);
    const context = this.sagaContext(tenantId, events);
    const contact = await this.directory.find('contact', tenantId, conversion.contactId);
    const company = conversion.companyId ? await this.directory.find('company', tenantId, conversion.companyId) : null;
    if (!contact || (conversion.companyId && !company)) return this.viewOf(state, events);
    if (conversion.dealId && conversion.deal) {
      try {
        await this.deals.createOnce(context, {
          ...conversion.deal,
          dealId: conversion.dealId,
          contactId: contact.recordId,
          companyId: company?.recordId ?? null,
          ownerId: state.ownerId,
        });
      } catch (error) {
        // A deal that cannot be created now never will be (its pipeline or stage went away): stop and say why.
        // Conflicts (concurrent writes) are worth another try, by the timer.
        if (!(error instanceof DomainError) || error.kind === 'conflict') throw error;
        await this.handler.handle(stream, { type: 'FailLeadConversion', reason: `The deal could not be created: ${error.message}` }, context);
        return this.current(tenantId, leadId);
      }
    }
    await this.handler.handle(stream, { type: 'CompleteLeadConversion', contactId: conversion.contactId, companyId: conversion.companyId, dealId: conversion.dealId }, context);
    return this.current(tenantId, leadId);
  }

  /**
   * The saga's later writes (the deal, LeadConverted) are on behalf of whoever asked for the conversion,
   * in the same conversation, caused by the request event: both histories then lead back to it.
   */
  private sagaContext(tenantId: string, events: RecordedEvent[]): CommandContext {
    const request = [...events].reverse().find((event) => event.type === 'LeadConversionRequested')!;
    return { tenantId, actorId: request.metadata.actorId, correlationId: request.metadata.correlationId, causationId: request.eventId };
  }

  private async current(tenantId: string, leadId: string): Promise<LeadConversionView | null> {
    const { state, events } = await this.handler.load(leadStream(tenantId, leadId));
    return this.viewOf(state, events);
  }

  private viewOf(state: LeadState, events: RecordedEvent[]): LeadConversionView | null {
    if (state.lifecycle === 'absent') return null;
    return toLeadView(state, events.length - 1, leadTimesOf(events)).conversion;
  }
}

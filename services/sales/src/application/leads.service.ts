import { type CommandContext, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import { type HistoryEntry, loadView, toHistory, type WriteResult } from '@crm/runtime';
import type { EventStore } from '@crm/eventstore';
import { LEAD_FIELDS_BY_EVENT, type LeadChannel, type LeadCommand, leadDecider, type LeadEvent, type LeadInput, type LeadState } from '../domain/lead';
import { leadStream } from '../domain/streams';
import { leadTimesOf, type LeadView, toLeadView } from './lead-views';
import type { OwnerAssignment } from './owner-assignment';

export type LeadsCommandHandler = EventSourcedCommandHandler<LeadCommand, LeadState, LeadEvent>;

export const leadsCommandHandler = (store: EventStore): LeadsCommandHandler => new EventSourcedCommandHandler(store, leadDecider);

/** How a lead arrived: through the API, or through a web form (which then names itself). */
export interface LeadCaptureChannel {
  via: LeadChannel;
  webFormId?: string;
}

/** Command and single-record query handlers for leads (conversion: see LeadConversionSaga). */
export class LeadsService {
  constructor(
    private readonly leads: LeadsCommandHandler,
    private readonly ownerAssignment: OwnerAssignment,
    private readonly newId: () => string = newRecordId,
  ) {}

  /** A lead without an owner gets one from the territory rules, when one matches. */
  async capture(context: CommandContext, input: LeadInput, channel: LeadCaptureChannel = { via: 'api' }, leadId = this.newId()): Promise<WriteResult<LeadView>> {
    const command: Extract<LeadCommand, { type: 'CaptureLead' }> = { type: 'CaptureLead', leadId, input, capturedVia: channel.via, webFormId: channel.webFormId ?? null };
    // Refuse a bad lead before a round-robin territory spends a turn on it.
    leadDecider.decide(command, leadDecider.initialState());
    if (!input.ownerId) {
      const assigned = await this.ownerAssignment.ownerFor(context.tenantId, { kind: 'lead', id: leadId, region: input.region, industry: input.industry, country: input.country });
      if (assigned) return this.run(context, leadId, { ...command, input: { ...input, ownerId: assigned.ownerId }, territoryId: assigned.territoryId });
    }
    return this.run(context, leadId, command);
  }

  update(context: CommandContext, leadId: string, input: LeadInput): Promise<WriteResult<LeadView>> {
    return this.run(context, leadId, { type: 'UpdateLead', input });
  }

  qualify(context: CommandContext, leadId: string, reason?: string | null): Promise<WriteResult<LeadView>> {
    return this.run(context, leadId, { type: 'QualifyLead', reason });
  }

  disqualify(context: CommandContext, leadId: string, reason?: string | null): Promise<WriteResult<LeadView>> {
    return this.run(context, leadId, { type: 'DisqualifyLead', reason });
  }

  get(tenantId: string, leadId: string, asOf?: string): Promise<LeadView> {
    return loadView(this.leads, leadStream(tenantId, leadId), 'Lead', (state, revision, events) => toLeadView(state, revision, leadTimesOf(events)), asOf);
  }

  async history(tenantId: string, leadId: string): Promise<HistoryEntry[]> {
    const { events } = await this.loaded(tenantId, leadId);
    return toHistory(events, LEAD_FIELDS_BY_EVENT as Record<string, string[]>, 'leadId');
  }

  private async loaded(tenantId: string, leadId: string) {
    return loadView(this.leads, leadStream(tenantId, leadId), 'Lead', (state, revision, events) => ({ state, revision, events }));
  }

  async run(context: CommandContext, leadId: string, command: LeadCommand): Promise<WriteResult<LeadView>> {
    const result = await this.leads.handle(leadStream(context.tenantId, leadId), command, context);
    const times = leadTimesOf(result.history, result.events.map((event) => ({ type: event.type, occurredAt: result.occurredAt })));
    return { view: toLeadView(result.state, result.revision, times), revision: result.revision, position: result.position };
  }
}

import type { ReadStore } from '@crm/readstore';
import { isTriggerFact, type SlaApplication, slaTicketView, type TicketFact } from '../domain/sla-clock';
import { DEFAULT_WARNING_AT, type SlaPolicyCandidate, selectSlaPolicy } from '../domain/sla-policy';
import type { EscalationRuleCandidate } from '../domain/ticket-sla';
import type { SlaContractTiers } from './sla-contract-tiers';
import {
  type CalendarDocument,
  type EscalationRuleDocument,
  type PolicyDocument,
  SLA_CALENDARS_COLLECTION,
  SLA_ESCALATION_RULES_COLLECTION,
  SLA_POLICIES_COLLECTION,
} from './sla-read-models';

/** More policies than any tenant should need; the read is one query either way. */
const MAX_POLICIES = 1000;

/** The policies and calendars of a tenant as they are now, ready to choose a policy for ticket after ticket. */
export class SlaCatalogSnapshot {
  constructor(
    readonly tenantId: string,
    private readonly policies: SlaPolicyCandidate[],
    private readonly calendars: Map<string, CalendarDocument>,
    private readonly tiers: SlaContractTiers,
  ) {}

  /**
   * The policy that applies from `trigger` on: the first matching one for the ticket as it was right after
   * the trigger (priority, category, the customer's tier at that instant), with a copy of its calendar.
   */
  async applicationFor(facts: TicketFact[], trigger: TicketFact): Promise<SlaApplication> {
    if (!isTriggerFact(trigger)) throw new Error(`${trigger.type} does not choose a policy`);
    const ticket = slaTicketView(facts, trigger.revision);
    if (!ticket) throw new Error('A policy is chosen for an opened ticket only');
    const contractTier = await this.tiers.tierFor(this.tenantId, { contactId: ticket.requesterContactId, companyId: ticket.companyId }, trigger.at);
    const policy = selectSlaPolicy(this.policies, { priority: ticket.priority, category: ticket.category, contractTier });
    const calendar = policy ? this.calendars.get(policy.calendarId) : undefined;
    const targets = policy && calendar ? policy.targets[ticket.priority] : undefined;
    return {
      effectiveAt: trigger.at,
      trigger: trigger.type,
      triggerRevision: trigger.revision,
      policy: policy && calendar ? { id: policy.id, name: policy.name, revision: policy.revision } : null,
      calendar: calendar
        ? { id: calendar.id, name: calendar.name, revision: calendar.revision, timeZone: calendar.timeZone, workingHours: calendar.workingHours, holidays: calendar.holidays }
        : null,
      priority: ticket.priority,
      category: ticket.category,
      contractTier,
      targets: { firstResponseMinutes: targets?.firstResponseMinutes ?? null, resolutionMinutes: targets?.resolutionMinutes ?? null },
      warningAt: policy?.warningAt ?? DEFAULT_WARNING_AT,
      pauseOn: policy?.pauseOn ?? ['pending'],
    };
  }

  /** The policies applied over a ticket's life if it happened again with today's definitions. */
  async applicationsFor(facts: TicketFact[]): Promise<SlaApplication[]> {
    const applications: SlaApplication[] = [];
    for (const fact of facts.filter(isTriggerFact)) applications.push(await this.applicationFor(facts, fact));
    return applications;
  }
}

/** Reads the current policies, calendars and escalation rules from the SLA read models. */
export class SlaPolicyCatalog {
  constructor(
    private readonly readStore: ReadStore,
    private readonly tiers: SlaContractTiers,
  ) {}

  async snapshot(tenantId: string): Promise<SlaCatalogSnapshot> {
    const [policies, calendars] = await Promise.all([
      this.readStore.collection<PolicyDocument>(SLA_POLICIES_COLLECTION).find({ tenantId }, { limit: MAX_POLICIES }),
      this.readStore.collection<CalendarDocument>(SLA_CALENDARS_COLLECTION).find({ tenantId }, { limit: MAX_POLICIES }),
    ]);
    return new SlaCatalogSnapshot(
      tenantId,
      policies.map(({ _id, _position, tenantId: _tenant, ...policy }) => policy as unknown as SlaPolicyCandidate),
      new Map(calendars.map((calendar) => [calendar.id, calendar])),
      this.tiers,
    );
  }

  /** The enabled escalation rules of a tenant, in the order they are tried. */
  async escalationRules(tenantId: string): Promise<EscalationRuleCandidate[]> {
    const rules = await this.readStore
      .collection<EscalationRuleDocument>(SLA_ESCALATION_RULES_COLLECTION)
      .find({ tenantId, enabled: true }, { sort: { rank: 1, createdAt: 1 }, limit: MAX_POLICIES });
    return rules.map(({ _id, _position, tenantId: _tenant, createdAt: _created, updatedAt: _updated, ...rule }) => rule as unknown as EscalationRuleCandidate);
  }
}

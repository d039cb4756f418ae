import type { EventStore } from '@crm/eventstore';
import type { Projection, ReadStore } from '@crm/readstore';
import type { DurableTimerScheduler, DurableTimerSet } from '@crm/runtime';
import { BusinessCalendarsService } from '../application/business-calendars.service';
import { EscalationService } from '../application/escalation.service';
import { SlaService } from '../application/sla.service';
import type { SlaContractTiers } from '../application/sla-contract-tiers';
import { EscalationRulesService } from '../application/sla-escalation-rules.service';
import { SlaPoliciesService } from '../application/sla-policies.service';
import { SlaPolicyCatalog } from '../application/sla-policy-catalog';
import { SlaRecomputeService } from '../application/sla-recompute.service';
import type { SlaTicketActions } from '../application/sla-ticket-actions';
import { slaProjection } from './sla.projection';
import { mapSlaIntegrationEvents } from './sla-integration-events';
import { createSlaTimerSet, registerSlaTimers } from './sla-timers';

/** Every part of the SLA engine, built on the service's ports; the Nest module and the benchmark both use it. */
export class SlaEngine {
  readonly calendars: BusinessCalendarsService;
  readonly policies: SlaPoliciesService;
  readonly rules: EscalationRulesService;
  readonly sla: SlaService;
  readonly escalations: EscalationService;
  readonly recompute: SlaRecomputeService;
  readonly timers: DurableTimerSet;
  readonly projection: Projection;
  readonly mapIntegrationEvents = mapSlaIntegrationEvents;

  constructor(
    eventStore: EventStore,
    readStore: ReadStore,
    tiers: SlaContractTiers,
    tickets: SlaTicketActions,
    /** The time timers fire at (a test clock in tests). */
    private readonly now: () => Date = () => new Date(),
  ) {
    const catalog = new SlaPolicyCatalog(readStore, tiers);
    this.calendars = new BusinessCalendarsService(eventStore, readStore);
    this.policies = new SlaPoliciesService(eventStore, readStore);
    this.rules = new EscalationRulesService(eventStore, readStore);
    this.sla = new SlaService(eventStore, readStore, catalog);
    this.escalations = new EscalationService(eventStore, this.sla.slas, tickets);
    this.recompute = new SlaRecomputeService(eventStore, readStore, catalog);
    this.timers = createSlaTimerSet();
    this.projection = slaProjection(this.timers);
  }

  registerTimers(scheduler: DurableTimerScheduler): void {
    registerSlaTimers(scheduler, this.timers, this.sla, this.escalations, this.now);
  }
}

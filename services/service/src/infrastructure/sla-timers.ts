import { type DueTimer, type DurableTimerScheduler, DurableTimerSet } from '@crm/runtime';
import type { EscalationService } from '../application/escalation.service';
import type { SlaService } from '../application/sla.service';

/**
 * The SLA timers of a ticket, by name:
 * - `sync`: the ticket changed in a way that needs a policy chosen or a target-met recorded (due at once);
 * - `<metric>:warning`, `<metric>:breach`: when the clock reaches the warning share and the target;
 * - `escalate`: a warning or breach waits for its escalation rules (due at once).
 * Every one of them runs a command whose decider ignores what it already recorded, so a timer delivered
 * twice, early or stale does nothing more than a timer delivered once at the right time.
 */
export type SlaTimerName = 'sync' | 'escalate' | `${'first_response' | 'resolution'}:${'warning' | 'breach'}`;

export const SLA_TIMER_SET_NAME = 'sla';

export const slaTimerKey = (tenantId: string, ticketId: string, name: string): string => `${tenantId}:${ticketId}:${name}`;

export interface SlaTimerPayload {
  ticketId: string;
  timer: SlaTimerName;
}

export function createSlaTimerSet(): DurableTimerSet {
  // Keys are `<tenant>:<ticket>:<name>` and names may hold a `:`: one ticket's timers run one after the other.
  return new DurableTimerSet(SLA_TIMER_SET_NAME, { recordOf: (key) => key.split(':').slice(0, 2).join(':') });
}

/** What a due SLA timer does: run the escalations, or bring the ticket's SLA stream up to date. */
export function slaTimerHandler(sla: SlaService, escalations: EscalationService, now: () => Date = () => new Date()) {
  return async (timer: DueTimer): Promise<void> => {
    const { ticketId, timer: name } = timer.payload as unknown as SlaTimerPayload;
    if (name === 'escalate') await escalations.run(timer.tenantId, ticketId, now());
    else await sla.synchronise(timer.tenantId, ticketId, now(), timer.key);
  };
}

export function registerSlaTimers(scheduler: DurableTimerScheduler, set: DurableTimerSet, sla: SlaService, escalations: EscalationService, now?: () => Date): void {
  scheduler.register(set, slaTimerHandler(sla, escalations, now));
}

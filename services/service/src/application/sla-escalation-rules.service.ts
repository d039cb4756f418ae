import { type CommandContext, newRecordId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import type { ReadStore } from '@crm/readstore';
import type { HistoryEntry, WriteResult } from '@crm/runtime';
import {
  type EscalationRuleCommand,
  escalationRuleDecider,
  type EscalationRuleEvent,
  type EscalationRuleFields,
  type EscalationRuleInput,
  type EscalationRuleState,
} from '../domain/escalation-rule';
import { escalationRuleStream } from '../domain/streams';
import { DefinitionRecords, type DefinitionPage, type DefinitionView, listDefinitions } from './sla-definitions';
import { SLA_ESCALATION_RULES_COLLECTION } from './sla-read-models';

export type EscalationRuleView = DefinitionView<EscalationRuleFields>;

/** Escalation rules: what to do when an SLA warning or breach is announced. */
export class EscalationRulesService {
  private readonly records: DefinitionRecords<EscalationRuleCommand, EscalationRuleState, EscalationRuleEvent, EscalationRuleFields>;

  constructor(
    store: EventStore,
    private readonly readStore: ReadStore,
    private readonly newId: () => string = newRecordId,
  ) {
    this.records = new DefinitionRecords(store, escalationRuleDecider, 'Escalation rule', escalationRuleStream, 'ruleId');
  }

  create(context: CommandContext, input: EscalationRuleInput): Promise<WriteResult<EscalationRuleView>> {
    const ruleId = this.newId();
    return this.records.run(context, ruleId, { type: 'CreateEscalationRule', ruleId, input });
  }

  revise(context: CommandContext, ruleId: string, input: EscalationRuleInput): Promise<WriteResult<EscalationRuleView>> {
    return this.records.run(context, ruleId, { type: 'ReviseEscalationRule', input });
  }

  get(tenantId: string, ruleId: string, revision?: number): Promise<EscalationRuleView> {
    return this.records.get(tenantId, ruleId, revision);
  }

  revisions(tenantId: string, ruleId: string): Promise<HistoryEntry[]> {
    return this.records.history(tenantId, ruleId);
  }

  list(tenantId: string, page: { limit?: number; cursor?: string }): Promise<DefinitionPage<EscalationRuleFields>> {
    return listDefinitions(this.readStore.collection(SLA_ESCALATION_RULES_COLLECTION), tenantId, { rank: 1, createdAt: 1 }, page);
  }

}

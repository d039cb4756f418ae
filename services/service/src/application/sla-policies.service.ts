import { type CommandContext, DomainError, newRecordId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import type { ReadStore } from '@crm/readstore';
import { type HistoryEntry, RECORD_ID_PATTERN, type WriteResult } from '@crm/runtime';
import { type SlaPolicyCommand, slaPolicyDecider, type SlaPolicyEvent, type SlaPolicyFields, type SlaPolicyInput, type SlaPolicyState } from '../domain/sla-policy';
import { businessCalendarStream, slaPolicyStream } from '../domain/streams';
import { DefinitionRecords, type DefinitionPage, type DefinitionView, listDefinitions } from './sla-definitions';
import { SLA_POLICIES_COLLECTION } from './sla-read-models';

export type SlaPolicyView = DefinitionView<SlaPolicyFields>;

/** SLA policies: event-sourced, every revision kept; tried in ascending `rank`, the first match applies. */
export class SlaPoliciesService {
  private readonly records: DefinitionRecords<SlaPolicyCommand, SlaPolicyState, SlaPolicyEvent, SlaPolicyFields>;

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    private readonly newId: () => string = newRecordId,
  ) {
    this.records = new DefinitionRecords(store, slaPolicyDecider, 'SLA policy', slaPolicyStream, 'policyId');
  }

  async create(context: CommandContext, input: SlaPolicyInput): Promise<WriteResult<SlaPolicyView>> {
    await this.assertCalendarExists(context.tenantId, input.calendarId);
    const policyId = this.newId();
    return this.records.run(context, policyId, { type: 'CreateSlaPolicy', policyId, input });
  }

  async revise(context: CommandContext, policyId: string, input: SlaPolicyInput): Promise<WriteResult<SlaPolicyView>> {
    await this.assertCalendarExists(context.tenantId, input.calendarId);
    return this.records.run(context, policyId, { type: 'ReviseSlaPolicy', input });
  }

  get(tenantId: string, policyId: string, revision?: number): Promise<SlaPolicyView> {
    return this.records.get(tenantId, policyId, revision);
  }

  revisions(tenantId: string, policyId: string): Promise<HistoryEntry[]> {
    return this.records.history(tenantId, policyId);
  }

  /** In the order they are tried. */
  list(tenantId: string, page: { limit?: number; cursor?: string }): Promise<DefinitionPage<SlaPolicyFields>> {
    return listDefinitions(this.readStore.collection(SLA_POLICIES_COLLECTION), tenantId, { rank: 1, createdAt: 1 }, page);
  }

  private async assertCalendarExists(tenantId: string, calendarId: string | undefined): Promise<void> {
    if (!calendarId?.trim()) return; // the decider names the missing field
    const exists = RECORD_ID_PATTERN.test(calendarId) && (await this.store.readStream(businessCalendarStream(tenantId, calendarId), { maxCount: 1 })).length > 0;
    if (!exists) {
      throw new DomainError('invalid', 'Invalid calendarId: no such business calendar', [{ field: 'calendarId', reason: 'no business calendar with this id' }]);
    }
  }
}

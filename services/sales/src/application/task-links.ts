import { DomainError, foldEvents } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import { RECORD_ID_PATTERN } from '@crm/runtime';
import type { TaskInput } from '../domain/task';
import { dealDecider, type DealEvent } from '../domain/deal';
import { dealStream } from '../domain/streams';
import type { ContactDirectory } from './contact-directory';

type LinkField = 'dealId' | 'contactId' | 'companyId';

/**
 * Checks the deal, contact and company a task is linked to. Contacts and companies come from the local
 * copy of the contacts service (a merged contact resolves to its survivor, which the task then links to);
 * deals are this service's own records.
 */
export class TaskLinkChecker {
  constructor(
    private readonly events: EventStore,
    private readonly directory: ContactDirectory,
  ) {}

  /** The input with its links resolved; a DomainError (400) naming every link that points nowhere. */
  async resolve(tenantId: string, input: TaskInput): Promise<TaskInput> {
    const resolved: TaskInput = { ...input };
    const problems: { field: LinkField; reason: string }[] = [];
    for (const [field, kind] of [['contactId', 'contact'], ['companyId', 'company']] as const) {
      const id = input[field];
      if (!id) continue;
      const record = RECORD_ID_PATTERN.test(id) ? await this.directory.find(kind, tenantId, id) : null;
      if (record) resolved[field] = record.recordId;
      else problems.push({ field, reason: `no ${kind} with this id` });
    }
    if (input.dealId && !(await this.dealExists(tenantId, input.dealId))) problems.push({ field: 'dealId', reason: 'no deal with this id' });
    if (problems.length > 0) {
      throw new DomainError('invalid', `Invalid ${problems.map((problem) => problem.field).join(', ')}: no such record`, problems);
    }
    return resolved;
  }

  /** Folded from the deal's own stream, so a deal created a moment ago can be linked at once (no read model lag). */
  private async dealExists(tenantId: string, dealId: string): Promise<boolean> {
    if (!RECORD_ID_PATTERN.test(dealId)) return false;
    const events = await this.events.readStream(dealStream(tenantId, dealId));
    return foldEvents(dealDecider, events.map((event) => ({ type: event.type, data: event.data }) as DealEvent)).lifecycle === 'active';
  }
}

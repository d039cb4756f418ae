import { type CommandContext, DomainError } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import type { ConversionDeal } from '../domain/lead-conversion';
import { stageRef } from '../domain/pipeline';
import type { ContactDirectory } from './contact-directory';
import { DealsService } from './deals.service';
import type { OwnerAssignment } from './owner-assignment';
import { PipelinesService } from './pipelines.service';

export interface ConversionDealToCreate extends ConversionDeal {
  dealId: string;
  contactId: string;
  companyId: string | null;
  ownerId: string | null;
}

/** What the lead-conversion saga needs from deals: the deal it creates, once. */
export interface ConversionDeals {
  /** Refuses (400) a pipeline or stage a deal could not be created in, before the conversion starts. */
  check(tenantId: string, deal: ConversionDeal): Promise<void>;
  /** Creates the deal unless it exists already (a retried saga step); DomainError when it cannot be created. */
  createOnce(context: CommandContext, deal: ConversionDealToCreate): Promise<void>;
}

/**
 * Deals through the deals feature's own service, so a converted lead's deal is validated, owned and
 * recorded like any other, under the id derived from the lead (so a retry finds it).
 */
export class DealsServiceConversionDeals implements ConversionDeals {
  private readonly pipelines: PipelinesService;
  private readonly deals: DealsService;

  constructor(
    store: EventStore,
    directory: ContactDirectory,
    ownerAssignment: OwnerAssignment,
  ) {
    this.pipelines = new PipelinesService(store);
    this.deals = new DealsService(store, this.pipelines, directory, ownerAssignment);
  }

  async check(tenantId: string, deal: ConversionDeal): Promise<void> {
    const pipeline = await this.pipelines.forDeal(tenantId, deal.pipelineId, 'deal.pipelineId');
    const stage = stageRef(pipeline, deal.stageId, 'deal.stageId');
    if (stage.type !== 'open') {
      throw new DomainError('invalid', 'Invalid deal.stageId: a new deal starts in an open stage', [{ field: 'deal.stageId', reason: 'not an open stage' }]);
    }
  }

  async createOnce(context: CommandContext, deal: ConversionDealToCreate): Promise<void> {
    if (await this.exists(context.tenantId, deal.dealId)) return;
    try {
      await this.deals.create(context, {
        title: deal.title,
        pipelineId: deal.pipelineId,
        stageId: deal.stageId,
        amount: deal.amount,
        currency: deal.currency,
        expectedCloseDate: deal.expectedCloseDate,
        ownerId: deal.ownerId,
        contactId: deal.contactId,
        companyId: deal.companyId,
      }, deal.dealId);
    } catch (error) {
      // Another step of the same saga (a timer, the waiting request) created it first, or it was created
      // and deleted since: either way this step is done.
      if (error instanceof DomainError && error.kind === 'conflict' && /already exists/.test(error.message)) return;
      throw error;
    }
  }

  private async exists(tenantId: string, dealId: string): Promise<boolean> {
    try {
      await this.deals.get(tenantId, dealId);
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'not_found') return false;
      throw error;
    }
  }
}

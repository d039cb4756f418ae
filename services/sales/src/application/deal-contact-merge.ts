import type { CommandContext } from '@crm/decider';
import type { ContactMergeChange } from './contact-directory';
import type { DealQueries } from './deal-queries';
import type { DealsService } from './deals.service';

/** The actor recorded on relinks: the system, acting on the contacts service's announcement. */
export const CONTACT_MERGE_ACTOR = 'system:contact-merge';

/**
 * Deals follow a contact merge: every deal linked to the source gets DealContactRelinked to the survivor,
 * caused by the integration event; an unmerge sends back the deals that merge moved. Each deal decides on
 * its own whether the change concerns it (by merge event id), so a redelivered event, or a retry after a
 * failure half-way, relinks nothing twice.
 */
export class DealContactMergeFollower {
  constructor(
    private readonly deals: DealsService,
    private readonly queries: DealQueries,
  ) {}

  readonly onContactMerge = async (change: ContactMergeChange): Promise<void> => {
    const context: CommandContext = {
      tenantId: change.tenantId,
      actorId: CONTACT_MERGE_ACTOR,
      correlationId: change.correlationId,
      causationId: change.eventId,
    };
    const fromContactId = change.merged ? change.sourceContactId : change.survivorContactId;
    const toContactId = change.merged ? change.survivorContactId : change.sourceContactId;
    // The read model must include deals linked a moment before the merge was announced.
    await this.queries.catchUp();
    const dealIds = await this.queries.dealIdsLinkedToContact(change.tenantId, fromContactId);
    for (const dealId of dealIds) {
      await this.deals.relinkContact(context, dealId, {
        fromContactId,
        toContactId,
        reason: change.merged ? 'contact_merged' : 'contact_unmerged',
        mergeEventId: change.eventId,
      });
    }
  };
}

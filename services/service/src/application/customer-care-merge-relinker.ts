import type { Filter, ReadStore } from '@crm/readstore';
import type { ContactMergeChange } from './contact-directory';
import type { AssetsService } from './assets.service';
import { ASSETS_COLLECTION, type AssetDocument, CONTRACTS_COLLECTION, type ContractDocument } from './customer-care-read-models';
import { systemContext } from './maintenance.service';
import type { ServiceContractsService } from './service-contracts.service';

const PAGE = 200;

/**
 * Follows contact merges: contracts and assets of a merged contact move to the survivor, and back to
 * the source when the merge is undone (only those the merge moved: `relinkedFrom` remembers it). The
 * commands are idempotent, so a redelivered merge event changes nothing more.
 */
export class CustomerCareMergeRelinker {
  constructor(
    private readonly readStore: ReadStore,
    private readonly contracts: ServiceContractsService,
    private readonly assets: AssetsService,
  ) {}

  readonly onContactMerge = async (change: ContactMergeChange): Promise<void> => {
    const context = { ...systemContext(change.tenantId, change.correlationId, change.eventId), actorId: 'system:contact-merge' };
    const [from, to] = change.merged ? [change.sourceContactId, change.survivorContactId] : [change.survivorContactId, change.sourceContactId];
    const reason = change.merged ? 'merged' : 'unmerged';
    const contractFilter: Filter = change.merged
      ? { tenantId: change.tenantId, 'customer.contactId': from }
      : { tenantId: change.tenantId, 'customer.contactId': from, relinkedFrom: to };
    for (const contract of await this.all<ContractDocument>(CONTRACTS_COLLECTION, contractFilter)) {
      await this.contracts.relinkCustomer(context, contract.id, from, to, reason);
    }
    const assetFilter: Filter = change.merged ? { tenantId: change.tenantId, ownerContactId: from } : { tenantId: change.tenantId, ownerContactId: from, relinkedFrom: to };
    for (const asset of await this.all<AssetDocument>(ASSETS_COLLECTION, assetFilter)) {
      await this.assets.relinkOwner(context, asset.id, from, to, reason);
    }
  };

  private async all<T extends ContractDocument | AssetDocument>(collection: string, filter: Filter): Promise<T[]> {
    const found: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.readStore.collection<T>(collection).findPage(filter, { sort: { _id: 1 }, limit: PAGE, cursor });
      found.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return found;
  }
}

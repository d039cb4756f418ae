import { integrationEventFrom, type OutgoingIntegrationEvent } from '@crm/bus';
import {
  CUSTOMER_CARE_TOPICS,
  PROACTIVE_SERVICE_DUE_SCHEMA,
  PROACTIVE_SERVICE_DUE_TYPE,
  type ProactiveServiceDueJson,
  SERVICE_CONTRACT_CHANGED_SCHEMA,
  SERVICE_CONTRACT_RENEWAL_DUE_SCHEMA,
  SERVICE_CONTRACT_RENEWAL_DUE_TYPE,
  type ServiceContractChange,
  type ServiceContractChangedJson,
  serviceContractEventType,
  type ServiceContractJson,
  type ServiceContractRenewalDueJson,
  SERVICE_DESK_SOURCE,
} from '@crm/contracts';
import type { DomainEvent } from '@crm/decider';
import type { EventStore, RecordedEvent } from '@crm/eventstore';
import { assetDecider, type AssetState, type MaintenanceVisit } from '../domain/asset';
import { serviceContractDecider, type ServiceContractState } from '../domain/service-contract';
import { parseStreamName } from '../domain/streams';

const CONTRACT_CHANGES: Record<string, ServiceContractChange> = {
  ServiceContractCreated: 'created',
  ServiceContractRenewed: 'renewed',
  ServiceContractCancelled: 'cancelled',
};

function contractJson(tenantId: string, state: ServiceContractState, revision: number): ServiceContractJson {
  return {
    id: state.id ?? '',
    tenantId,
    contactId: state.customer.contactId ?? '',
    companyId: state.customer.companyId ?? '',
    tier: state.tier,
    startDate: state.startDate,
    endDate: state.endDate,
    coveredAssetIds: state.coveredAssetIds,
    entitlements: {
      hours: state.entitlements.hours ?? '',
      ...(state.entitlements.tickets === null ? {} : { tickets: String(state.entitlements.tickets) }),
    },
    renewalReminderOffsetsDays: state.renewalReminderOffsetsDays,
    term: state.term,
    cancelledOn: state.cancelledOn ?? '',
    revision: String(revision),
  };
}

/**
 * Announces service contracts (`crm.service.contract.v1`: created, renewed, cancelled, renewal_due) and
 * proactive service (`crm.service.asset.v1`: proactive_service_due) to other services, marketing first.
 * Messages carry the record as of the event, folded from its stream (contracts and assets change rarely).
 */
export class CustomerCareIntegrationEventMapper {
  constructor(private readonly store: EventStore) {}

  readonly map = async (event: RecordedEvent): Promise<OutgoingIntegrationEvent[]> => {
    const stream = parseStreamName(event.streamName);
    if (!stream) return [];
    if (stream.kind === 'servicecontract') {
      const change = CONTRACT_CHANGES[event.type];
      if (change) {
        const state = await this.stateAt(event, serviceContractDecider);
        const data: ServiceContractChangedJson = {
          change,
          contractId: stream.id,
          contract: contractJson(stream.tenantId, state, event.revision),
          ...(change === 'renewed' ? { previousEndDate: (event.data as { previousEndDate: string }).previousEndDate } : {}),
          occurredAt: event.metadata.occurredAt,
        };
        return [this.envelope(CUSTOMER_CARE_TOPICS.contract, event, serviceContractEventType(change), SERVICE_CONTRACT_CHANGED_SCHEMA, stream.id, data)];
      }
      if (event.type === 'ContractRenewalDue') {
        const state = await this.stateAt(event, serviceContractDecider);
        const due = event.data as { endDate: string; offsetDays: number; dueOn: string };
        const data: ServiceContractRenewalDueJson = {
          contractId: stream.id,
          contactId: state.customer.contactId ?? '',
          companyId: state.customer.companyId ?? '',
          tier: state.tier,
          endDate: due.endDate,
          offsetDays: due.offsetDays,
          dueOn: due.dueOn,
          occurredAt: event.metadata.occurredAt,
        };
        return [this.envelope(CUSTOMER_CARE_TOPICS.contract, event, SERVICE_CONTRACT_RENEWAL_DUE_TYPE, SERVICE_CONTRACT_RENEWAL_DUE_SCHEMA, stream.id, data)];
      }
      return [];
    }
    if (stream.kind === 'asset' && event.type === 'AssetMaintenanceDue') {
      const state: AssetState = await this.stateAt(event, assetDecider);
      const visit = event.data as MaintenanceVisit;
      const data: ProactiveServiceDueJson = {
        assetId: stream.id,
        contactId: state.ownerContactId,
        companyId: state.companyId ?? '',
        productType: state.productType,
        productName: state.productName,
        serialNumber: state.serialNumber,
        location: state.location,
        dueOn: visit.dueOn,
        reasons: visit.reasons,
        vip: visit.vip,
        ruleId: visit.ruleId,
        ticketId: visit.ticketId,
        warrantyEnd: state.warrantyEnd,
        occurredAt: event.metadata.occurredAt,
      };
      return [this.envelope(CUSTOMER_CARE_TOPICS.asset, event, PROACTIVE_SERVICE_DUE_TYPE, PROACTIVE_SERVICE_DUE_SCHEMA, stream.id, data)];
    }
    return [];
  };

  private async stateAt<State>(event: RecordedEvent, decider: { initialState(): State; evolve(state: State, event: never): State }): Promise<State> {
    const history = await this.store.readStream(event.streamName, { maxCount: event.revision + 1 });
    return history.reduce((state, recorded) => decider.evolve(state, { type: recorded.type, data: recorded.data } as DomainEvent as never), decider.initialState());
  }

  private envelope<Data>(topic: string, event: RecordedEvent, type: string, dataschema: string, subject: string, data: Data): OutgoingIntegrationEvent {
    return { topic, event: integrationEventFrom(event, { source: SERVICE_DESK_SOURCE, type, dataschema, subject, data }) };
  }
}

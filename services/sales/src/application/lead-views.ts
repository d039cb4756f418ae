import type { RecordedEvent } from '@crm/eventstore';
import type { ConversionDeal, ConversionStatus } from '../domain/lead-conversion';
import { type LeadChannel, type LeadFields, leadFullName, type LeadState, type LeadStatus } from '../domain/lead';

/** Where a lead's conversion stands, with the ids of the records it creates (known from the start). */
export interface LeadConversionView {
  status: ConversionStatus;
  contactId: string;
  companyId: string | null;
  dealId: string | null;
  createCompany: boolean;
  deal: ConversionDeal | null;
  failureReason: string | null;
  requestedAt: string;
  completedAt: string | null;
}

/** A lead as the API returns it. */
export interface LeadView extends LeadFields {
  id: string;
  /** First and last name together. */
  name: string;
  status: LeadStatus;
  statusReason: string | null;
  territoryId: string | null;
  capturedVia: LeadChannel;
  webFormId: string | null;
  conversion: LeadConversionView | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface LeadTimes {
  createdAt: string;
  updatedAt: string;
  /** When the current conversion was asked for, and when it ended (converted or failed). */
  conversionRequestedAt: string | null;
  conversionCompletedAt: string | null;
}

/** The instants a view shows, read from the events' metadata (deciders never see time). */
export function leadTimesOf(events: Pick<RecordedEvent, 'type' | 'metadata'>[], after?: { type: string; occurredAt: string }[]): LeadTimes {
  const all = [...events.map((event) => ({ type: event.type, occurredAt: event.metadata.occurredAt })), ...(after ?? [])];
  let conversionRequestedAt: string | null = null;
  let conversionCompletedAt: string | null = null;
  for (const event of all) {
    if (event.type === 'LeadConversionRequested') {
      conversionRequestedAt = event.occurredAt;
      conversionCompletedAt = null;
    } else if (event.type === 'LeadConverted' || event.type === 'LeadConversionFailed') {
      conversionCompletedAt = event.occurredAt;
    }
  }
  return { createdAt: all[0]?.occurredAt ?? '', updatedAt: all[all.length - 1]?.occurredAt ?? '', conversionRequestedAt, conversionCompletedAt };
}

export function toLeadView(state: LeadState, revision: number, times: LeadTimes): LeadView {
  const { lifecycle: _lifecycle, id, conversion, ...fields } = state;
  return {
    id: id as string,
    ...fields,
    name: leadFullName(state),
    conversion: conversion && { ...conversion, requestedAt: times.conversionRequestedAt ?? '', completedAt: times.conversionCompletedAt },
    revision,
    createdAt: times.createdAt,
    updatedAt: times.updatedAt,
  };
}

import { type CommandContext, newRecordId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import type { ReadStore } from '@crm/readstore';
import type { HistoryEntry, WriteResult } from '@crm/runtime';
import {
  type BusinessCalendarCommand,
  businessCalendarDecider,
  type BusinessCalendarEvent,
  type BusinessCalendarFields,
  type BusinessCalendarInput,
  type BusinessCalendarState,
} from '../domain/business-calendar';
import { businessCalendarStream } from '../domain/streams';
import { DefinitionRecords, type DefinitionPage, type DefinitionView, listDefinitions } from './sla-definitions';
import { SLA_CALENDARS_COLLECTION } from './sla-read-models';

export type BusinessCalendarView = DefinitionView<BusinessCalendarFields>;

/** Business-hours calendars: event-sourced, every revision kept and readable. */
export class BusinessCalendarsService {
  private readonly records: DefinitionRecords<BusinessCalendarCommand, BusinessCalendarState, BusinessCalendarEvent, BusinessCalendarFields>;

  constructor(
    store: EventStore,
    private readonly readStore: ReadStore,
    private readonly newId: () => string = newRecordId,
  ) {
    this.records = new DefinitionRecords(store, businessCalendarDecider, 'Business calendar', businessCalendarStream, 'calendarId');
  }

  create(context: CommandContext, input: BusinessCalendarInput): Promise<WriteResult<BusinessCalendarView>> {
    const calendarId = this.newId();
    return this.records.run(context, calendarId, { type: 'CreateBusinessCalendar', calendarId, input });
  }

  /** Replaces the whole calendar (PUT); an identical calendar writes nothing. */
  revise(context: CommandContext, calendarId: string, input: BusinessCalendarInput): Promise<WriteResult<BusinessCalendarView>> {
    return this.records.run(context, calendarId, { type: 'ReviseBusinessCalendar', input });
  }

  get(tenantId: string, calendarId: string, revision?: number): Promise<BusinessCalendarView> {
    return this.records.get(tenantId, calendarId, revision);
  }

  revisions(tenantId: string, calendarId: string): Promise<HistoryEntry[]> {
    return this.records.history(tenantId, calendarId);
  }

  list(tenantId: string, page: { limit?: number; cursor?: string }): Promise<DefinitionPage<BusinessCalendarFields>> {
    return listDefinitions(this.readStore.collection(SLA_CALENDARS_COLLECTION), tenantId, { createdAt: 1 }, page);
  }
}

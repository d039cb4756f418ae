import { type Decider, DomainError } from '@crm/decider';
import { type BusinessHoursDefinition, normaliseBusinessHours, type WorkingHours } from './business-hours';

export interface BusinessCalendarFields extends BusinessHoursDefinition {
  name: string;
}

export interface BusinessCalendarInput {
  name?: string;
  timeZone?: string;
  workingHours?: WorkingHours[];
  holidays?: string[];
}

export interface BusinessCalendarState extends BusinessCalendarFields {
  id: string | null;
  lifecycle: 'absent' | 'active';
}

export type BusinessCalendarCommand =
  | { type: 'CreateBusinessCalendar'; calendarId: string; input: BusinessCalendarInput }
  | { type: 'ReviseBusinessCalendar'; input: BusinessCalendarInput };

/**
 * Every event carries the whole calendar, so each revision of the stream is a complete calendar that an
 * SLA clock can name (`calendarId` + `revision`) and that `GET ?revision=` can show as it was.
 */
export type BusinessCalendarEvent =
  | { type: 'BusinessCalendarCreated'; data: { calendarId: string } & BusinessCalendarFields }
  | { type: 'BusinessCalendarRevised'; data: { calendarId: string } & BusinessCalendarFields };

function normaliseName(name: string | undefined): string {
  const trimmed = name?.trim() ?? '';
  if (!trimmed) throw new DomainError('invalid', 'Invalid name: a calendar needs a name', [{ field: 'name', reason: 'a calendar needs a name' }]);
  if (trimmed.length > 200) throw new DomainError('invalid', 'Invalid name: at most 200 characters', [{ field: 'name', reason: 'at most 200 characters' }]);
  return trimmed;
}

const normalise = (input: BusinessCalendarInput): BusinessCalendarFields => ({ name: normaliseName(input.name), ...normaliseBusinessHours(input) });

const sameFields = (a: BusinessCalendarFields, b: BusinessCalendarFields): boolean => JSON.stringify(a) === JSON.stringify(b);

function decide(command: BusinessCalendarCommand, state: BusinessCalendarState): BusinessCalendarEvent[] {
  if (command.type === 'CreateBusinessCalendar') {
    if (state.lifecycle !== 'absent') throw new DomainError('conflict', `Business calendar ${command.calendarId} already exists`);
    return [{ type: 'BusinessCalendarCreated', data: { calendarId: command.calendarId, ...normalise(command.input) } }];
  }
  if (state.lifecycle === 'absent') throw new DomainError('not_found', 'Business calendar not found');
  const fields = normalise(command.input);
  const { id, lifecycle: _lifecycle, ...current } = state;
  return sameFields(fields, current) ? [] : [{ type: 'BusinessCalendarRevised', data: { calendarId: id as string, ...fields } }];
}

function evolve(state: BusinessCalendarState, event: BusinessCalendarEvent): BusinessCalendarState {
  switch (event.type) {
    case 'BusinessCalendarCreated':
    case 'BusinessCalendarRevised': {
      const { calendarId, ...fields } = event.data;
      return { ...fields, id: calendarId, lifecycle: 'active' };
    }
    default:
      return state;
  }
}

export const businessCalendarDecider: Decider<BusinessCalendarCommand, BusinessCalendarState, BusinessCalendarEvent> = {
  initialState: () => ({ id: null, lifecycle: 'absent', name: '', timeZone: 'UTC', workingHours: [], holidays: [] }),
  decide,
  evolve,
};

export const BUSINESS_CALENDAR_EVENT_TYPES = ['BusinessCalendarCreated', 'BusinessCalendarRevised'] as const;

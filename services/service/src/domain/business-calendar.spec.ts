import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { businessCalendarDecider, type BusinessCalendarEvent } from './business-calendar';

const office = { name: 'Office', timeZone: 'Europe/Vilnius', workingHours: [{ day: 'mon' as const, from: '09:00', to: '17:00' }], holidays: ['2026-12-25'] };
const created: BusinessCalendarEvent = { type: 'BusinessCalendarCreated', data: { calendarId: 'c1', ...office } };

describe('business calendar decider', () => {
  it('creates a calendar with the whole definition in the event', () => {
    given(businessCalendarDecider).when({ type: 'CreateBusinessCalendar', calendarId: 'c1', input: { ...office, name: '  Office ' } }).then([created]);
  });

  it('rejects a calendar without a name, a zone or hours', () => {
    given(businessCalendarDecider).when({ type: 'CreateBusinessCalendar', calendarId: 'c1', input: { ...office, name: '' } }).thenThrows(DomainError, /name/);
    given(businessCalendarDecider).when({ type: 'CreateBusinessCalendar', calendarId: 'c1', input: { ...office, timeZone: 'Nowhere/Land' } }).thenThrows(DomainError, /timeZone/);
    given(businessCalendarDecider).when({ type: 'CreateBusinessCalendar', calendarId: 'c1', input: { ...office, workingHours: [] } }).thenThrows(DomainError, /workingHours/);
  });

  it('records a revision with the whole new calendar, and none when nothing changed', () => {
    given(businessCalendarDecider, [created])
      .when({ type: 'ReviseBusinessCalendar', input: { ...office, holidays: ['2026-12-24', '2026-12-25'] } })
      .then([{ type: 'BusinessCalendarRevised', data: { calendarId: 'c1', ...office, holidays: ['2026-12-24', '2026-12-25'] } }]);
    given(businessCalendarDecider, [created]).when({ type: 'ReviseBusinessCalendar', input: office }).thenNothingHappens();
  });

  it('treats an unknown calendar as not found and a second creation as a conflict', () => {
    given(businessCalendarDecider).when({ type: 'ReviseBusinessCalendar', input: office }).thenThrows(DomainError, /not found/);
    given(businessCalendarDecider, [created]).when({ type: 'CreateBusinessCalendar', calendarId: 'c1', input: office }).thenThrows(DomainError, /already exists/);
  });
});

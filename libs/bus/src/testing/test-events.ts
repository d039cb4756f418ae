import { randomUUID } from 'node:crypto';
import type { IntegrationEvent } from '../message-bus.port';

/** A complete CloudEvents envelope with a fresh id, for tests of anything that carries integration events. */
export function newTestIntegrationEvent(subject: string, data: unknown = { note: 'hello' }): IntegrationEvent {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/crm/tests',
    type: 'crm.tests.thing.happened.v1',
    subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: 'crm.tests.v1.ThingEvent',
    tenantid: 'tenant-1',
    correlationid: randomUUID(),
    causationid: randomUUID(),
    data,
  };
}

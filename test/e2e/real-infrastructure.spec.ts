import { type IntegrationEvent, KafkaMessageBus } from '@crm/bus';
import { CONTACTS_TOPICS, ContactChangedSchema } from '@crm/contracts';
import { fromJson } from '@bufbuild/protobuf';
import { describeWithKafka, describeWithMongo, eventually } from '@crm/testing';
import { randomUUID } from 'node:crypto';
import { RunningCrm } from '../../tools/running-crm';
import { contactsJourney } from './contacts-journey';

/**
 * The same journey as on the embedded defaults, with the services on the real Apache Kafka broker and the
 * MongoDB wire-compatible server that `.ci/run` starts (tools/infra). The event store stays SQLite here:
 * KurrentDB only runs in a container, and its adapter is covered by the testcontainers suite.
 */
describeWithKafka('on real infrastructure: Kafka bus and MongoDB read store', (brokers) => {
  describeWithMongo('the contacts journey through the gateway', (mongoUrl) => {
    const database = `crm_e2e_${randomUUID().slice(0, 8)}`;
    const realInfrastructure = { BUS: 'kafka', KAFKA_BROKERS: brokers, READ_STORE: 'mongodb', MONGODB_URL: mongoUrl, MONGODB_DATABASE: database };

    contactsJourney(() => RunningCrm.start(undefined, realInfrastructure));

    describe('integration events on Kafka', () => {
      let crm: RunningCrm;

      afterAll(async () => {
        await crm?.stop();
      });

      it('publishes every creation to crm.contacts.contact.v1, readable by any consumer group', async () => {
        crm = await RunningCrm.start(undefined, { ...realInfrastructure, MONGODB_DATABASE: `${database}_events` });
        const tenant = `kafka-${randomUUID().slice(0, 8)}`;
        const ids: string[] = [];
        for (let index = 0; index < 20; index++) {
          const created = await crm.call<{ id: string }>('POST', '/api/v1/contacts', { tenant, body: { firstName: 'Kafka', lastName: `Reader ${index}` } });
          expect(created.status).toBe(201);
          ids.push(created.body.id);
        }

        const bus = new KafkaMessageBus({ brokers: brokers.split(','), clientId: 'e2e-reader' });
        const received = new Map<string, IntegrationEvent>();
        const consumer = await bus.consume({
          group: `e2e-reader-${randomUUID()}`,
          topics: [CONTACTS_TOPICS.contact],
          handler: async (event) => {
            if (event.tenantid === tenant && event.type === 'crm.contacts.contact.created.v1') received.set(event.subject, event);
          },
        });
        try {
          await eventually(() => ids.every((id) => received.has(id)), { timeoutMs: 30_000, description: 'every created event on Kafka' });
          const decoded = fromJson(ContactChangedSchema, received.get(ids[0])!.data as never);
          expect(decoded.contact?.lastName).toBe('Reader 0');
        } finally {
          await consumer.close();
          await bus.close();
        }
      });

    });
  });
});

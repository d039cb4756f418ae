import { create, createRegistry, fromJsonString, toJson } from '@bufbuild/protobuf';
import { type IntegrationEvent, KafkaMessageBus, silentBusLogger } from '@crm/bus';
import {
  CONTACT_CHANGED_SCHEMA,
  ContactChangedSchema,
  contactEventType,
  ContactSchema,
  CONTACTS_SOURCE,
  CONTACTS_TOPICS,
  file_crm_contacts_v1_contact_events,
} from '@crm/contracts';
import { describeWithKafka } from '@crm/testing';
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

/** One line of `kcat -J`: the record with its headers as a flat [name, value, name, value …] list. */
interface KcatRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

const kcatOnPath = spawnSync('kcat', ['-V']).error === undefined;

/** kcat is the Debian package `kcat`; CI (CRM_REQUIRE_REAL_BROKERS=1) installs it, elsewhere its absence only skips. */
function describeWithKcat(name: string, suite: () => void): void {
  if (kcatOnPath) describe(name, suite);
  else if (process.env.CRM_REQUIRE_REAL_BROKERS === '1') describe(name, () => it('needs kcat on PATH', () => expect(kcatOnPath).toBe(true)));
  else describe.skip(`${name} [skipped: kcat is not on PATH; install it with apt-get install kcat]`, suite);
}

async function readWithKcat(brokers: string, topic: string): Promise<KcatRecord[]> {
  // -C consume, -o beginning … -e exit at the end of every partition, -J one JSON object per record.
  const { stdout } = await promisify(execFile)('kcat', ['-b', brokers, '-C', '-t', topic, '-o', 'beginning', '-e', '-J', '-q']);
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as KcatRecord);
}

function headersOf(record: KcatRecord): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < (record.headers ?? []).length; index += 2) headers[record.headers![index]!] = record.headers![index + 1]!;
  return headers;
}

/** The message a record's `ce_dataschema` names (`<file>#<message>`), looked up in the published schemas. */
function schemaNamedBy(dataschema: string) {
  const messageName = dataschema.slice(dataschema.indexOf('#') + 1);
  const schema = createRegistry(file_crm_contacts_v1_contact_events).getMessage(messageName);
  if (!schema) throw new Error(`No published schema named ${messageName}`);
  return schema;
}

/**
 * What a BI team does: read a topic with a plain Kafka client, knowing nothing of our code, and decode each
 * value with the proto schema the record's `ce_dataschema` header names.
 */
describeWithKafka('a contacts topic read by a plain Kafka client', (brokers) => {
  describeWithKcat('kcat', () => {
    let bus: KafkaMessageBus;

    beforeEach(() => {
      bus = new KafkaMessageBus({ brokers: brokers.split(','), clientId: 'kcat-spec', logger: silentBusLogger });
    });

    afterEach(async () => {
      await bus.close();
    });

    it('reads ContactChanged events that decode with the published schema', async () => {
      // A topic of this test's own, named after the real one, so that no service consumes these made-up contacts.
      const topic = `${CONTACTS_TOPICS.contact}.kcat-${randomUUID().slice(0, 8)}`;
      const contactId = `01KCAT${randomUUID().slice(0, 8).toUpperCase()}`;
      const change = create(ContactChangedSchema, {
        change: 'created',
        cause: 'ContactCreated',
        contactId,
        occurredAt: '2026-03-01T09:30:00.000Z',
        contact: create(ContactSchema, { id: contactId, tenantId: 'acme', firstName: 'Zoë', lastName: 'Ångström', tags: ['vip'], revision: 1n }),
      });
      const event: IntegrationEvent = {
        specversion: '1.0',
        id: randomUUID(),
        source: CONTACTS_SOURCE,
        type: contactEventType('created'),
        subject: contactId,
        time: '2026-03-01T09:30:00.000Z',
        datacontenttype: 'application/json',
        dataschema: CONTACT_CHANGED_SCHEMA,
        tenantid: 'acme',
        correlationid: randomUUID(),
        causationid: randomUUID(),
        data: toJson(ContactChangedSchema, change),
      };
      await bus.publish(topic, [event]);

      const records = await readWithKcat(brokers, topic);

      expect(records).toHaveLength(1);
      const [record] = records;
      const headers = headersOf(record);
      expect(record.key).toBe(contactId);
      expect(headers).toMatchObject({
        'content-type': 'application/json',
        ce_id: event.id,
        ce_type: 'crm.contacts.contact.created.v1',
        ce_subject: contactId,
        ce_dataschema: CONTACT_CHANGED_SCHEMA,
      });
      // fromJsonString rejects unknown fields and wrong types: decoding at all proves the value conforms.
      const decoded = fromJsonString(schemaNamedBy(headers.ce_dataschema!), record.payload!);
      expect(decoded).toEqual(change);
    });
  });
});

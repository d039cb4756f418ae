import { fromKafkaRecord, MalformedKafkaRecordError, toKafkaRecord } from './kafka-cloudevents';
import { newTestIntegrationEvent as newEvent } from './testing';

/** As kafkajs hands records to consumers: header values as bytes. */
function asReceived(record: ReturnType<typeof toKafkaRecord>) {
  return {
    key: Buffer.from(record.key),
    value: record.value,
    headers: Object.fromEntries(Object.entries(record.headers).map(([name, value]) => [name, Buffer.from(value)])),
  };
}

describe('integration events as Kafka records (CloudEvents binary mode)', () => {
  it('puts the envelope in ce_* headers, the subject in the key and only the data in the value', () => {
    const event = newEvent('contact-7', { firstName: 'Zoë', address: null });

    const record = toKafkaRecord(event);

    expect(record.key).toBe('contact-7');
    expect(JSON.parse(record.value!.toString())).toEqual({ firstName: 'Zoë', address: null });
    expect(record.headers).toMatchObject({ 'content-type': 'application/json', ce_id: event.id, ce_type: event.type, ce_tenantid: 'tenant-1' });
    expect(Object.keys(record.headers)).not.toContain('ce_data');
  });

  it('gives back the same event from the received record', () => {
    const event = newEvent('contact-7', { nested: { list: [1, 'two', { three: 3 }] } });

    expect(fromKafkaRecord(asReceived(toKafkaRecord(event)))).toEqual(event);
  });

  it('keeps header values that look like JSON as text', () => {
    const event = { ...newEvent('contact-7'), subject: '{"not":"parsed"}' };

    expect(fromKafkaRecord(asReceived(toKafkaRecord(event))).subject).toBe('{"not":"parsed"}');
  });

  it('takes the last value of a repeated header', () => {
    const record = asReceived(toKafkaRecord(newEvent('contact-7')));

    const decoded = fromKafkaRecord({ ...record, headers: { ...record.headers, ce_subject: [Buffer.from('old'), Buffer.from('new')] } });

    expect(decoded.subject).toBe('new');
  });

  it('refuses records that are not integration events', () => {
    const valid = asReceived(toKafkaRecord(newEvent('contact-7')));
    const { ce_id: _id, ...withoutId } = valid.headers;

    expect(() => fromKafkaRecord({ value: Buffer.from('plain text') })).toThrow(MalformedKafkaRecordError);
    expect(() => fromKafkaRecord({ ...valid, headers: withoutId })).toThrow(/ce_id is missing/);
    expect(() => fromKafkaRecord({ ...valid, headers: { ...valid.headers, 'content-type': Buffer.from('application/avro') } })).toThrow(/not JSON/);
    expect(() => fromKafkaRecord({ ...valid, value: Buffer.from('{broken') })).toThrow(/not valid JSON/);
  });
});

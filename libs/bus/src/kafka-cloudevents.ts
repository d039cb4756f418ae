import type { IntegrationEvent } from './message-bus.port';

/**
 * Integration events on Kafka in CloudEvents binary mode (CloudEvents Kafka protocol binding 1.0): every
 * envelope attribute travels as a `ce_<name>` header, `datacontenttype` as the `content-type` header, and the
 * record value is `data` alone, the proto3 JSON of the message named by `dataschema`. A reader that knows
 * nothing of CloudEvents (kcat, a BI tool) still finds plain JSON in the value; the key is the subject.
 */

const ATTRIBUTE_HEADER_PREFIX = 'ce_';
const CONTENT_TYPE_HEADER = 'content-type';

/** A record as kafkajs sends it. */
export interface OutgoingKafkaRecord {
  key: string;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** A record as kafkajs receives it: header values are bytes, repeated headers come as an array. */
export interface IncomingKafkaRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export class MalformedKafkaRecordError extends Error {
  constructor(reason: string) {
    super(`Not a CloudEvents binary-mode record: ${reason}`);
    this.name = 'MalformedKafkaRecordError';
  }
}

export function toKafkaRecord(event: IntegrationEvent): OutgoingKafkaRecord {
  const { data, datacontenttype, ...attributes } = event;
  const headers: Record<string, string> = { [CONTENT_TYPE_HEADER]: datacontenttype };
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) headers[`${ATTRIBUTE_HEADER_PREFIX}${name}`] = String(value);
  }
  return {
    key: event.subject,
    value: data === undefined ? null : Buffer.from(JSON.stringify(data), 'utf8'),
    headers,
  };
}

export function fromKafkaRecord(record: IncomingKafkaRecord): IntegrationEvent {
  const headers = headerStrings(record.headers);
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(ATTRIBUTE_HEADER_PREFIX)) attributes[name.slice(ATTRIBUTE_HEADER_PREFIX.length)] = value;
  }
  for (const required of ['specversion', 'id', 'source', 'type'] as const) {
    if (!attributes[required]) throw new MalformedKafkaRecordError(`header ${ATTRIBUTE_HEADER_PREFIX}${required} is missing`);
  }
  const contentType = headers[CONTENT_TYPE_HEADER] ?? 'application/json';
  if (!/^application\/([\w.+-]+\+)?json\b/.test(contentType)) {
    throw new MalformedKafkaRecordError(`content-type ${contentType} is not JSON`);
  }
  let data: unknown;
  try {
    data = record.value === null || record.value.length === 0 ? null : JSON.parse(record.value.toString());
  } catch (error) {
    throw new MalformedKafkaRecordError(`the value is not valid JSON (${(error as Error).message})`);
  }
  return { ...attributes, datacontenttype: contentType, data } as unknown as IntegrationEvent;
}

/** Header values as text; of a repeated header the last value counts. */
export function headerStrings(headers: IncomingKafkaRecord['headers']): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) strings[name] = last.toString();
  }
  return strings;
}

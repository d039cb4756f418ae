import { create, fromJson, toJson } from '@bufbuild/protobuf';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ContactChangedSchema, CONTACTS_TOPICS, contactEventType, ContactSchema } from './index';

const ROOT = resolve(__dirname, '../../..');

describe('integration-event contracts', () => {
  it('names topics <service>.<aggregate>.v<N> and CloudEvents types with a version', () => {
    expect(CONTACTS_TOPICS).toEqual({ contact: 'crm.contacts.contact.v1', company: 'crm.contacts.company.v1' });
    expect(contactEventType('created')).toBe('crm.contacts.contact.created.v1');
  });

  it('round-trips a ContactChanged message through the proto3 JSON mapping', () => {
    const message = create(ContactChangedSchema, {
      change: 'updated',
      cause: 'ContactRenamed',
      changedFields: ['firstName', 'lastName'],
      contactId: '01ABC',
      contact: create(ContactSchema, { id: '01ABC', tenantId: 'acme', firstName: 'Ada', revision: 3n, tags: ['vip'] }),
    });
    const json = toJson(ContactChangedSchema, message);
    expect(json).toMatchObject({ change: 'updated', contact: { firstName: 'Ada', revision: '3' } });
    expect(fromJson(ContactChangedSchema, json)).toEqual(message);
  });

  it('keeps the generated TypeScript in step with proto/ (run `npm run proto` after editing a schema)', () => {
    const out = mkdtempSync(join(tmpdir(), 'proto-gen-'));
    try {
      const template = readFileSync(join(ROOT, 'buf.gen.yaml'), 'utf8').replace('out: libs/contracts/src/generated', `out: ${out}`);
      execFileSync(join(ROOT, 'node_modules/.bin/buf'), ['generate', '--template', template], {
        cwd: ROOT,
        env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
      });
      const file = 'crm/contacts/v1/contact_events_pb.ts';
      expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(ROOT, 'libs/contracts/src/generated', file), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

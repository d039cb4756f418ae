import { eventually } from '@crm/testing';
import ExcelJS from 'exceljs';
import { RunningCrm } from '../../tools/running-crm';

type ImportStatus = {
  id: string;
  status: 'running' | 'completed' | 'failed';
  rows: { total: number | null; done: number; created: number; updated: number; skipped: number; failed: number };
  errorCount: number;
  failureReason: string | null;
  rate: number | null;
  etaSeconds: number | null;
};
type RowError = { row: number; field: string | null; reason: string };
type Contact = {
  id: string;
  firstName: string;
  lastName: string;
  emails: { address: string; primary: boolean }[];
  phones: { number: string; primary: boolean }[];
  title: string | null;
  companyId: string | null;
  industry: string | null;
  region: string | null;
  status: string;
  tags: string[];
  birthday: string | null;
  ownerId: string | null;
  source: string | null;
  address: Record<string, string> | null;
  customFields: Record<string, unknown>;
};
type Page<T> = { items: T[]; nextCursor: string | null };

async function upload(crm: RunningCrm, tenant: string, fileName: string, content: string | Buffer, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([content]), fileName);
  const response = await fetch(`${crm.baseUrl}/api/v1/contacts/imports`, { method: 'POST', body: form, headers: { 'x-tenant-id': tenant } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as ImportStatus & { errors?: { field: string }[] } };
}

async function finished(crm: RunningCrm, tenant: string, importId: string, timeoutMs = 30_000): Promise<ImportStatus> {
  let status: ImportStatus | undefined;
  await eventually(
    async () => {
      status = (await crm.call<ImportStatus>('GET', `/api/v1/contacts/imports/${importId}`, { tenant })).body;
      return status.status !== 'running';
    },
    { timeoutMs, description: `import ${importId} to finish` },
  );
  return status!;
}

async function importFile(crm: RunningCrm, tenant: string, fileName: string, content: string | Buffer, fields: Record<string, string> = {}) {
  const started = await upload(crm, tenant, fileName, content, fields);
  expect(started.status).toBe(202);
  expect(started.headers.get('location')).toBe(`/api/v1/contacts/imports/${started.body.id}`);
  return { id: started.body.id, status: await finished(crm, tenant, started.body.id) };
}

async function allErrors(crm: RunningCrm, tenant: string, importId: string, limit = 2): Promise<RowError[]> {
  const errors: RowError[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<RowError> = (
      await crm.call<Page<RowError>>('GET', `/api/v1/contacts/imports/${importId}/errors?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { tenant })
    ).body;
    errors.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return errors;
}

/** Every contact of a tenant, once the list read model has caught up with `expected` of them. */
async function listAll(crm: RunningCrm, tenant: string, expected?: number): Promise<Contact[]> {
  let contacts: Contact[] = [];
  await eventually(
    async () => {
      contacts = [];
      let cursor: string | null = null;
      do {
        const page: Page<Contact> = (
          await crm.call<Page<Contact>>('GET', `/api/v1/contacts?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { tenant })
        ).body;
        contacts.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return expected === undefined || contacts.length >= expected;
    },
    { timeoutMs: 30_000, description: `${expected} contacts in the list of ${tenant}` },
  );
  return contacts;
}

const byEmail = (contacts: Contact[]) => new Map(contacts.map((contact) => [contact.emails[0]?.address, contact]));

async function xlsxOf(rows: (string | number)[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('People');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('contact import and export through the gateway', () => {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await RunningCrm.start(undefined, { IMPORT_BATCH_ROWS: '500' });
  });

  afterAll(async () => {
    await crm?.stop();
  });

  it('imports a CSV matched by header names, lists bad rows with their row numbers, and links companies', async () => {
    const tenant = 'import-csv';
    const existing = await crm.call<{ id: string }>('POST', '/api/v1/companies', { tenant, body: { name: 'Globex', domain: 'globex.com' } });
    expect(existing.status).toBe(201);
    await crm.call('POST', '/api/v1/contacts/custom-fields', { tenant, body: { name: 'score', type: 'number', required: false } });
    const csv = [
      'First Name,Last Name,E-mail,Phone,Company,Website,Tags,Score',
      'Ada,Lovelace,ada@example.com,+37060012345,Acme,,vip;math,7',
      'Bad,,not-an-email,,,,,',
      '',
      'Bob,Jones,bob@example.com,12,Acme,,,',
      'Cy,Dee,cy@example.com,,Acme,,,3',
      'Di,Eve,di@example.com,,,https://www.globex.com/about,,',
      'Ed,Fox,ed@example.com,,,,,lots',
    ].join('\n');
    const { id, status } = await importFile(crm, tenant, 'people.csv', csv);
    expect(status).toMatchObject({ status: 'completed', rows: { total: 6, done: 6, created: 3, failed: 3 } });

    expect(await allErrors(crm, tenant, id)).toEqual([
      { row: 3, field: 'emails.0.address', reason: expect.stringContaining('email') },
      { row: 5, field: 'phones.0.number', reason: expect.stringContaining('phone') },
      { row: 8, field: 'customFields.score', reason: 'must be a number' },
    ]);

    const contacts = byEmail(await listAll(crm, tenant, 3));
    const ada = contacts.get('ada@example.com')!;
    expect(ada).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', phones: [{ number: '+37060012345', primary: true }], tags: ['vip', 'math'], customFields: { score: 7 } });
    // One Acme is created for both rows that name it; Globex is found by its domain.
    expect(contacts.get('cy@example.com')!.companyId).toBe(ada.companyId);
    expect(contacts.get('di@example.com')!.companyId).toBe(existing.body.id);
    const companies = (await crm.call<Page<{ name: string }>>('GET', '/api/v1/companies', { tenant })).body.items.map((company) => company.name).sort();
    expect(companies).toEqual(['Acme', 'Globex']);
  });

  it('upserts on the primary email or an external id column, or skips duplicates', async () => {
    const tenant = 'import-modes';
    const created = await crm.call<{ id: string }>('POST', '/api/v1/contacts', { tenant, body: { firstName: 'Ann', lastName: 'Old', emails: [{ address: 'ann@example.com' }], title: 'Intern' } });
    const csv = 'firstName,lastName,email,title\nAnn,New,ann@example.com,CTO\nNew,Person,new@example.com,\nNew,Again,new@example.com,Boss\n';
    await listAll(crm, tenant, 1);

    const skip = await importFile(crm, tenant, 'skip.csv', csv, { mode: 'skip-duplicates' });
    expect(skip.status.rows).toMatchObject({ done: 3, created: 1, skipped: 2, failed: 0 });
    expect((await crm.call<Contact>('GET', `/api/v1/contacts/${created.body.id}`, { tenant })).body.title).toBe('Intern');

    const upsert = await importFile(crm, tenant, 'upsert.csv', csv, { mode: 'upsert' });
    expect(upsert.status.rows).toMatchObject({ done: 3, created: 0, updated: 3, failed: 0 });
    const ann = (await crm.call<Contact>('GET', `/api/v1/contacts/${created.body.id}`, { tenant })).body;
    expect(ann).toMatchObject({ lastName: 'New', title: 'CTO' });
    const contacts = await listAll(crm, tenant, 2);
    await eventually(async () => (await listAll(crm, tenant)).find((contact) => contact.emails[0]?.address === 'new@example.com')?.title === 'Boss', {
      description: 'the last row of the upsert to win',
    });
    expect(contacts).toHaveLength(2);

    const external = 'ref,firstName,lastName,email\nX-1,Xavier,Xu,x1@example.com\nX-2,Yann,Yu,\n';
    const first = await importFile(crm, tenant, 'external.csv', external, { mode: 'upsert', externalIdColumn: 'ref' });
    expect(first.status.rows).toMatchObject({ created: 2 });
    await listAll(crm, tenant, 4);
    const again = await importFile(crm, tenant, 'external.csv', 'ref,firstName\nX-2,Yannick\n', { mode: 'upsert', externalIdColumn: 'ref' });
    expect(again.status.rows).toMatchObject({ created: 0, updated: 1 });
    const yann = (await listAll(crm, tenant, 4)).filter((contact) => contact.customFields.externalId === 'X-2');
    expect(yann).toHaveLength(1);
    expect(yann[0].firstName).toBe('Yannick');
  });

  it('imports XLSX (first sheet) and vCard files, with a mapping for unknown headers', async () => {
    const tenant = 'import-formats';
    const xlsx = await xlsxOf([
      ['Vorname', 'Surname', 'Mail', 'Birth Date'],
      ['Grace', 'Hopper', 'grace@example.com', '1906-12-09'],
      ['', '', 'nobody@example.com', ''],
    ]);
    const fromXlsx = await importFile(crm, tenant, 'people.xlsx', xlsx, { mapping: JSON.stringify({ Vorname: 'firstName' }) });
    expect(fromXlsx.status.rows).toMatchObject({ done: 2, created: 1, failed: 1 });
    expect(await allErrors(crm, tenant, fromXlsx.id)).toEqual([{ row: 3, field: 'firstName', reason: 'a contact needs a first or a last name' }]);

    const vcf = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Turing;Alan;;;',
      'FN:Alan Turing',
      'EMAIL;TYPE=work:alan@example.com',
      'TEL:+441234567890',
      'ORG:Bletchley',
      'CATEGORIES:math,codes',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:4.0',
      'FN:Broken',
      'EMAIL:nope',
      'END:VCARD',
      '',
    ].join('\r\n');
    const fromVcard = await importFile(crm, tenant, 'cards.vcf', vcf);
    expect(fromVcard.status.rows).toMatchObject({ done: 2, created: 1, failed: 1 });
    expect((await allErrors(crm, tenant, fromVcard.id))[0]).toMatchObject({ row: 2, field: 'emails.0.address' });
    const contacts = byEmail(await listAll(crm, tenant, 2));
    expect(contacts.get('grace@example.com')).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', birthday: '1906-12-09' });
    expect(contacts.get('alan@example.com')).toMatchObject({ firstName: 'Alan', lastName: 'Turing', tags: ['math', 'codes'], companyId: expect.any(String) });
  });

  it('answers problem+json for files that are not what they claim, and keeps what is stored', async () => {
    const tenant = 'import-malformed';
    await crm.call('POST', '/api/v1/contacts', { tenant, body: { firstName: 'Kept' } });
    const cases: [string, string | Buffer, Record<string, string>, number, string][] = [
      ['fake.xlsx', 'first,last\n', {}, 400, 'file'],
      ['fake.vcf', 'hello', {}, 400, 'file'],
      ['empty.csv', '', {}, 400, 'file'],
      ['people.pdf', '%PDF-1.4', {}, 415, ''],
      ['people.csv', 'a,b\n1,2\n', { mode: 'merge' }, 400, 'mode'],
      ['people.csv', 'a,b\n1,2\n', { mapping: '{"a":"nickname"}' }, 400, 'mapping.a'],
      ['people.csv', 'a,b\n1,2\n', { mapping: 'not json' }, 400, 'mapping'],
    ];
    for (const [fileName, content, fields, status, field] of cases) {
      const response = await upload(crm, tenant, fileName, content, fields);
      expect({ fileName, status: response.status, type: response.headers.get('content-type') }).toEqual({ fileName, status, type: expect.stringMatching(/^application\/problem\+json/) });
      if (field) expect(response.body.errors?.[0]?.field).toBe(field);
    }
    const notMultipart = await crm.call('POST', '/api/v1/contacts/imports', { tenant, body: { file: 'x' } });
    expect(notMultipart.status).toBe(415);

    // A CSV whose headers match nothing, and a corrupt workbook, end as failed jobs that say why.
    const unknown = await importFile(crm, tenant, 'odd.csv', 'colour,size\nred,2\n');
    expect(unknown.status).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('No column matches') });
    const corrupt = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]);
    const broken = await importFile(crm, tenant, 'broken.xlsx', corrupt);
    expect(broken.status.status).toBe('failed');

    expect((await listAll(crm, tenant, 1)).map((contact) => contact.firstName)).toEqual(['Kept']);
  });

  it.each(['csv', 'xlsx', 'vcf'] as const)('exports %s and imports it back without losing the exported fields', async (format) => {
    const source = `roundtrip-${format}`;
    const target = `roundtrip-${format}-copy`;
    const people = [
      {
        firstName: 'Ada',
        lastName: 'Lovelace',
        emails: [{ address: 'ada@example.com' }, { address: 'ada@work.example.com', primary: true }],
        phones: [{ number: '+37060012345' }, { number: '+441234567890' }],
        title: 'Analyst, first; of all',
        industry: 'Software',
        region: 'EMEA',
        status: 'customer',
        tags: ['vip', 'math'],
        birthday: '1815-12-10',
        ownerId: 'user-1',
        source: 'import',
        address: { street: '1 Main St, Apt 2', city: 'London', region: 'Greater London', postalCode: 'N1 9GU', country: 'GB' },
        customFields: { score: 7, note: 'likes "quotes", commas; and semicolons', active: true },
      },
      { firstName: 'Bob', lastName: '', emails: [], phones: [], tags: [] },
    ];
    for (const body of people) expect((await crm.call('POST', '/api/v1/contacts', { tenant: source, body })).status).toBe(201);
    const originals = await listAll(crm, source, people.length);

    const exported = await fetch(`${crm.baseUrl}/api/v1/contacts/export?format=${format}`, { headers: { 'x-tenant-id': source } });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(new RegExp(`attachment; filename="contacts-${source}-\\d{4}-\\d{2}-\\d{2}\\.${format}"`));
    const file = Buffer.from(await exported.arrayBuffer());

    const { status } = await importFile(crm, target, `contacts.${format}`, file);
    expect(status).toMatchObject({ status: 'completed', failureReason: null, rows: { done: people.length, created: people.length, failed: 0 } });
    const copies = await listAll(crm, target, people.length);
    const comparable = (contact: Contact) => {
      const { id: _id, createdAt: _created, updatedAt: _updated, revision: _revision, ...fields } = contact as Contact & Record<string, unknown>;
      return fields;
    };
    const sortByName = (contacts: Contact[]) => [...contacts].sort((a, b) => a.firstName.localeCompare(b.firstName)).map(comparable);
    expect(sortByName(copies)).toEqual(sortByName(originals));
  });

  it('exports with the list filters', async () => {
    const tenant = 'export-filters';
    await crm.call('POST', '/api/v1/contacts', { tenant, body: { firstName: 'Tagged', tags: ['vip'] } });
    await crm.call('POST', '/api/v1/contacts', { tenant, body: { firstName: 'Plain' } });
    await listAll(crm, tenant, 2);
    const exported = await crm.call('GET', '/api/v1/contacts/export?format=csv&tag=vip', { tenant });
    expect(exported.text.trim().split('\r\n')).toHaveLength(2);
    expect(exported.text).toContain('Tagged');
    expect((await crm.call('GET', '/api/v1/contacts/export?format=pdf', { tenant })).status).toBe(400);
  });

  it('lists the import and export routes in the OpenAPI document', async () => {
    const document = (await crm.call<{ paths: Record<string, unknown> }>('GET', '/docs-json')).body;
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/contacts/imports', '/api/v1/contacts/imports/{id}', '/api/v1/contacts/imports/{id}/errors', '/api/v1/contacts/export']),
    );
  });

  it('resumes after kill -9 in the middle of an import without duplicating contacts', async () => {
    const tenant = 'import-crash';
    const rows = 30_000;
    const lines = ['firstName,lastName,email,tags'];
    for (let index = 1; index <= rows; index++) lines.push(`First${index},Last${index},person${index}@example.com,crash`);
    // Over the gateway's default 1 MiB body limit: imports have their own.
    const csv = `${lines.join('\n')}\n`;
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    const started = await upload(crm, tenant, 'big.csv', csv);
    expect(started.status).toBe(202);
    await eventually(async () => (await crm.call<ImportStatus>('GET', `/api/v1/contacts/imports/${started.body.id}`, { tenant })).body.rows.done >= 1000, {
      timeoutMs: 30_000,
      description: 'the import to be under way',
    });
    const before = (await crm.call<ImportStatus>('GET', `/api/v1/contacts/imports/${started.body.id}`, { tenant })).body;
    await crm.killHard();
    await crm.launch();

    const status = await finished(crm, tenant, started.body.id, 60_000);
    expect(before.status).toBe('running');
    expect(status).toMatchObject({ status: 'completed', rows: { total: rows, done: rows, failed: 0 } });
    const contacts = await listAll(crm, tenant, rows);
    expect(contacts).toHaveLength(rows);
    expect(new Set(contacts.map((contact) => contact.emails[0].address)).size).toBe(rows);
  }, 180_000);
});

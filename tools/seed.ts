/**
 * `npm run seed`: fills a tenant with realistic demo data through the gateway, as a frontend would.
 * Options: --tenant default --companies 500 --contacts 5000 --url http://127.0.0.1:3000 --concurrency 32
 */
import { faker } from '@faker-js/faker';
import { MultiBar, Presets } from 'cli-progress';
import { parseArgs } from 'node:util';
import { request } from 'undici';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'default' },
    companies: { type: 'string', default: '500' },
    contacts: { type: 'string', default: '5000' },
    url: { type: 'string', default: process.env.CRM_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}` },
    concurrency: { type: 'string', default: '32' },
    seed: { type: 'string', default: '42' },
  },
});

const baseUrl = values.url!.replace(/\/$/, '');
const headers = { 'content-type': 'application/json', 'x-tenant-id': values.tenant!, 'x-actor-id': 'seed' };
const INDUSTRIES = ['Software', 'Manufacturing', 'Retail', 'Finance', 'Healthcare', 'Logistics', 'Energy', 'Education'];
const REGIONS = ['EMEA', 'NA', 'LATAM', 'APAC'];
const SIZES = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'];
const STATUSES = ['lead', 'prospect', 'customer', 'inactive'];
const COUNTRIES = ['LT', 'DE', 'FR', 'GB', 'US', 'PL', 'ES', 'SE'];

async function post(path: string, body: unknown): Promise<{ id: string }> {
  const response = await request(`${baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.body.text();
  if (response.statusCode !== 201) throw new Error(`POST ${path} answered ${response.statusCode}: ${text}`);
  return JSON.parse(text) as { id: string };
}

async function inParallel(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

function companyBody() {
  const name = faker.company.name();
  return {
    name,
    domain: `${faker.helpers.slugify(name).toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 40) || 'company'}-${faker.string.alphanumeric(4).toLowerCase()}.com`,
    industry: faker.helpers.arrayElement(INDUSTRIES),
    region: faker.helpers.arrayElement(REGIONS),
    size: faker.helpers.arrayElement(SIZES),
    address: { city: faker.location.city(), country: faker.helpers.arrayElement(COUNTRIES) },
    tags: faker.helpers.arrayElements(['partner', 'enterprise', 'smb', 'strategic', 'reseller'], { min: 0, max: 2 }),
  };
}

function contactBody(companyIds: string[]) {
  const firstName = faker.person.firstName();
  const lastName = faker.person.lastName();
  const company = companyIds.length && faker.datatype.boolean(0.8) ? faker.helpers.arrayElement(companyIds) : undefined;
  return {
    firstName,
    lastName,
    emails: [{ address: faker.internet.email({ firstName, lastName, provider: `${faker.string.alphanumeric(6).toLowerCase()}.example` }), primary: true }],
    phones: [{ number: `+3706${faker.string.numeric(7)}`, primary: true }],
    title: faker.person.jobTitle().slice(0, 100),
    companyId: company,
    industry: faker.helpers.arrayElement(INDUSTRIES),
    region: faker.helpers.arrayElement(REGIONS),
    status: faker.helpers.arrayElement(STATUSES),
    tags: faker.helpers.arrayElements(['vip', 'newsletter', 'event-2026', 'trial', 'champion'], { min: 0, max: 3 }),
    birthday: faker.date.birthdate({ min: 20, max: 70, mode: 'age' }).toISOString().slice(0, 10),
    source: faker.helpers.arrayElement(['web-form', 'import', 'referral', 'event', 'cold-call']),
    customFields: { nps: faker.number.int({ min: 0, max: 10 }) },
  };
}

async function main() {
  faker.seed(Number(values.seed));
  const companyCount = Number(values.companies);
  const contactCount = Number(values.contacts);
  const concurrency = Number(values.concurrency);
  try {
    const health = await request(`${baseUrl}/health/ready`);
    await health.body.dump();
  } catch {
    console.error(`No CRM answers at ${baseUrl}. Start it first with: npm start`);
    process.exit(1);
  }
  const bars = new MultiBar({ format: ' {label} |{bar}| {value}/{total} {percentage}% | {eta_formatted} left', hideCursor: true, noTTYOutput: true, notTTYSchedule: 1000 }, Presets.shades_classic);
  const companyBar = bars.create(companyCount, 0, { label: 'companies' });
  const contactBar = bars.create(contactCount, 0, { label: 'contacts ' });
  const companyIds: string[] = [];
  const started = Date.now();
  await inParallel(companyCount, concurrency, async () => {
    companyIds.push((await post('/api/v1/companies', companyBody())).id);
    companyBar.increment();
  });
  await inParallel(contactCount, concurrency, async () => {
    await post('/api/v1/contacts', contactBody(companyIds));
    contactBar.increment();
  });
  bars.stop();
  console.log(`Seeded tenant "${values.tenant}" with ${companyCount} companies and ${contactCount} contacts in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

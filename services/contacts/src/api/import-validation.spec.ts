import type { ContactInput } from '../domain/contact';
import { validateContactInput } from './import-validation';

const long = (length: number) => 'x'.repeat(length);

// Mirrors ContactBodyDto (the create route's rules); the e2e import suite checks the messages through the gateway.
describe('import row validation', () => {
  it.each<[string, ContactInput, string[]]>([
    ['a valid row', { firstName: 'Ada', lastName: 'Lovelace', emails: [{ address: 'ada@example.com', primary: true }], phones: [{ number: '+37060012345', primary: true }], tags: ['vip'], birthday: '1815-12-10', address: { city: 'London', country: 'GB' } }, []],
    ['a bad email', { firstName: 'Ada', emails: [{ address: 'not-an-email', primary: true }] }, ['emails.0.address']],
    ['long names', { firstName: long(101), lastName: long(101), title: long(101), industry: long(101), region: long(101), source: long(101), ownerId: long(129) }, ['firstName', 'industry', 'lastName', 'ownerId', 'region', 'source', 'title']],
    ['a bad company id', { firstName: 'Ada', companyId: 'no spaces allowed' }, ['companyId']],
    ['a bad birthday', { firstName: 'Ada', birthday: '10/12/1815' }, ['birthday']],
    ['a long phone', { firstName: 'Ada', phones: [{ number: long(33), primary: true }] }, ['phones.0.number']],
    ['long tags', { firstName: 'Ada', tags: [long(51)] }, ['tags']],
    ['too many tags', { firstName: 'Ada', tags: Array.from({ length: 51 }, (_, index) => `t${index}`) }, ['tags']],
    ['a bad address', { firstName: 'Ada', address: { street: long(201), city: long(101), region: long(101), postalCode: long(21), country: 'XX' } }, ['address.city', 'address.country', 'address.postalCode', 'address.region', 'address.street']],
  ])('refuses what the create route refuses: %s', (_case, input, fields) => {
    expect([...new Set(validateContactInput(input).map((problem) => problem.field))].sort()).toEqual(fields);
  });
});

import { isEmail, isISO31661Alpha2 } from 'class-validator';
import type { ContactInputValidator } from '../application/contact-import.runner';

/**
 * The create route's body rules (ContactBodyDto) for one imported row, written out by hand: running
 * class-validator per row costs about 250 µs, which alone would cap an import near 4,000 rows/s. Rows
 * come from files, so every value is already a string; what remains are lengths, formats and counts.
 * `import-validation.spec.ts` checks that this agrees with the DTO.
 */
// ContactBodyDto's @Matches for companyId (the DTO module pulls in Swagger, which unit tests cannot load).
const COMPANY_ID = /^[0-9A-Za-z_-]{1,64}$/;

export const validateContactInput: ContactInputValidator = (input) => {
  const problems: { field: string; reason: string }[] = [];
  const maxLength = (field: string, value: string | null | undefined, max: number) => {
    if (typeof value === 'string' && value.length > max) problems.push({ field, reason: `${field.split('.').pop()} must be shorter than or equal to ${max} characters` });
  };
  maxLength('firstName', input.firstName, 100);
  maxLength('lastName', input.lastName, 100);
  maxLength('title', input.title, 100);
  maxLength('industry', input.industry, 100);
  maxLength('region', input.region, 100);
  maxLength('ownerId', input.ownerId, 128);
  maxLength('source', input.source, 100);
  if (input.companyId && !COMPANY_ID.test(input.companyId)) problems.push({ field: 'companyId', reason: 'companyId must match /^[0-9A-Za-z_-]{1,64}$/ regular expression' });
  if (input.birthday && !/^\d{4}-\d{2}-\d{2}$/.test(input.birthday)) problems.push({ field: 'birthday', reason: 'birthday must be a date as YYYY-MM-DD' });
  if (input.emails) {
    if (input.emails.length > 20) problems.push({ field: 'emails', reason: 'emails must contain no more than 20 elements' });
    input.emails.forEach((email, index) => {
      if (!isEmail(email.address)) problems.push({ field: `emails.${index}.address`, reason: 'address must be a valid email address' });
      maxLength(`emails.${index}.address`, email.address, 254);
    });
  }
  if (input.phones) {
    if (input.phones.length > 20) problems.push({ field: 'phones', reason: 'phones must contain no more than 20 elements' });
    input.phones.forEach((phone, index) => maxLength(`phones.${index}.number`, phone.number, 32));
  }
  if (input.tags) {
    if (input.tags.length > 50) problems.push({ field: 'tags', reason: 'tags must contain no more than 50 elements' });
    if (input.tags.some((tag) => tag.length > 50)) problems.push({ field: 'tags', reason: 'each value in tags must be shorter than or equal to 50 characters' });
  }
  if (input.address) {
    maxLength('address.street', input.address.street, 200);
    maxLength('address.city', input.address.city, 100);
    maxLength('address.region', input.address.region, 100);
    maxLength('address.postalCode', input.address.postalCode, 20);
    if (input.address.country !== undefined && !isISO31661Alpha2(input.address.country)) {
      problems.push({ field: 'address.country', reason: 'country must be a valid ISO31661 Alpha2 code' });
    }
  }
  return problems;
};

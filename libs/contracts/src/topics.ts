/** Kafka topic names: `<service>.<aggregate>.v<N>`; the version changes only with a breaking schema change. */
export const CONTACTS_TOPICS = {
  contact: 'contacts.contact.v1',
  company: 'contacts.company.v1',
} as const;

export type ContactChange = 'created' | 'updated' | 'archived' | 'restored' | 'deleted';

export const CONTACTS_SOURCE = '/crm/contacts';

export const contactEventType = (change: ContactChange): string => `crm.contacts.contact.${change}.v1`;
export const companyEventType = (change: ContactChange): string => `crm.contacts.company.${change}.v1`;

export const CONTACT_CHANGED_SCHEMA = 'proto/crm/contacts/v1/contact_events.proto#crm.contacts.v1.ContactChanged';
export const COMPANY_CHANGED_SCHEMA = 'proto/crm/contacts/v1/contact_events.proto#crm.contacts.v1.CompanyChanged';

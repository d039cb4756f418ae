/** Kafka topic names: `crm.<service>.<aggregate>.v<N>`; the version changes only with a breaking schema change. */
export const CONTACTS_TOPICS = {
  contact: 'crm.contacts.contact.v1',
  company: 'crm.contacts.company.v1',
} as const;

export type ContactChange = 'created' | 'updated' | 'archived' | 'restored' | 'deleted';

export const CONTACTS_SOURCE = '/crm/contacts';

export const contactEventType = (change: ContactChange): string => `crm.contacts.contact.${change}.v1`;
export const companyEventType = (change: ContactChange): string => `crm.contacts.company.${change}.v1`;

export const CONTACT_CHANGED_SCHEMA = 'proto/crm/contacts/v1/contact_events.proto#crm.contacts.v1.ContactChanged';
export const COMPANY_CHANGED_SCHEMA = 'proto/crm/contacts/v1/contact_events.proto#crm.contacts.v1.CompanyChanged';

/** A merge and its undoing, on the contact topic keyed by the survivor: consumers relink the source's references. */
export type ContactMergeChange = 'merged' | 'unmerged';
export const contactMergeEventType = (change: ContactMergeChange): string => `crm.contacts.contact.${change}.v1`;

export const CONTACT_MERGED_SCHEMA = 'proto/crm/contacts/v1/contact_events.proto#crm.contacts.v1.ContactMerged';
export const CONTACT_UNMERGED_SCHEMA = 'proto/crm/contacts/v1/contact_events.proto#crm.contacts.v1.ContactUnmerged';

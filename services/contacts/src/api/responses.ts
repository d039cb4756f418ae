/** Contacts writes answer like every service's: the HTTP write conventions of @crm/runtime. */
export { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';

import { type Decider, DomainError, StaleRevisionError } from '@crm/decider';
import { CUSTOM_FIELD_KEY, type JsonValue } from './common';

/**
 * Custom field definitions: per tenant and per kind of record, the typed schema that writes of
 * `customFields` are checked against. One stream per tenant and entity holds every definition, so a
 * write reads the whole schema in one go and names stay unique without a cross-stream check.
 */

export const CUSTOM_FIELD_ENTITIES = ['contact', 'company'] as const;
export type CustomFieldEntity = (typeof CUSTOM_FIELD_ENTITIES)[number];

export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'select'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/** The tenant is first, as in every stream name; the entity ends the name (`acme.customfields-contact`). */
export const customFieldsStream = (tenantId: string, entity: CustomFieldEntity): string => `${tenantId}.customfields-${entity}`;

export const MAX_DEFINITIONS = 100;
export const MAX_OPTIONS = 200;
export const MAX_TEXT_LENGTH = 4000;
const MAX_LABEL_LENGTH = 100;
const MAX_OPTION_LENGTH = 100;

export interface CustomFieldDefinition {
  name: string;
  label: string;
  type: CustomFieldType;
  /** The allowed values of a `select` field, in display order; empty for other types. */
  options: string[];
  required: boolean;
}

/** A definition as the schema holds it: `revision` is the stream revision of its last change, its ETag. */
export interface DefinedCustomField extends CustomFieldDefinition {
  revision: number;
}

export interface CustomFieldSchemaState {
  /** Revision of the stream (-1 before the first event): each event moves it by one. */
  revision: number;
  /** By name, in the order the fields were defined. */
  fields: Record<string, DefinedCustomField>;
}

export interface DefinitionInput {
  name: string;
  label?: string | null;
  type: CustomFieldType;
  options?: string[] | null;
  required?: boolean;
}

export interface DefinitionChanges {
  label?: string | null;
  type?: CustomFieldType;
  options?: string[] | null;
  required?: boolean;
}

export type CustomFieldCommand =
  | { type: 'DefineCustomField'; definition: DefinitionInput }
  /** `expectedRevision` pins the definition's own revision (If-Match), not the whole schema's. */
  | { type: 'ChangeCustomField'; name: string; changes: DefinitionChanges; expectedRevision?: number }
  | { type: 'RemoveCustomField'; name: string; expectedRevision?: number };

export type CustomFieldEvent =
  | { type: 'CustomFieldDefined'; data: CustomFieldDefinition }
  /** Carries the whole definition after the change, plus which properties changed. */
  | { type: 'CustomFieldChanged'; data: CustomFieldDefinition & { changed: (keyof DefinitionChanges)[] } }
  | { type: 'CustomFieldRemoved'; data: { name: string } };

const invalid = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

function normaliseLabel(label: string | null | undefined, name: string): string {
  const trimmed = label?.trim() ?? '';
  if (trimmed.length > MAX_LABEL_LENGTH) throw invalid('label', `at most ${MAX_LABEL_LENGTH} characters`);
  return trimmed || name;
}

function normaliseOptions(type: CustomFieldType, options: string[] | null | undefined): string[] {
  if (type !== 'select') {
    if (options && options.length > 0) throw invalid('options', 'only select fields have options');
    return [];
  }
  const result: string[] = [];
  (options ?? []).forEach((option, index) => {
    const trimmed = option.trim();
    if (!trimmed || trimmed.length > MAX_OPTION_LENGTH) throw invalid(`options.${index}`, `options are 1 to ${MAX_OPTION_LENGTH} characters`);
    if (result.includes(trimmed)) throw invalid(`options.${index}`, `"${trimmed}" is listed twice`);
    result.push(trimmed);
  });
  if (result.length === 0) throw invalid('options', 'a select field needs at least one option');
  if (result.length > MAX_OPTIONS) throw invalid('options', `at most ${MAX_OPTIONS} options`);
  return result;
}

function existing(state: CustomFieldSchemaState, name: string, expectedRevision: number | undefined): DefinedCustomField {
  const field = state.fields[name];
  if (!field) throw new DomainError('not_found', `Custom field ${name} is not defined`);
  if (expectedRevision !== undefined && expectedRevision !== field.revision) throw new StaleRevisionError(expectedRevision, field.revision);
  return field;
}

function define(state: CustomFieldSchemaState, input: DefinitionInput): CustomFieldEvent[] {
  if (!CUSTOM_FIELD_KEY.test(input.name)) {
    throw invalid('name', 'names start with a letter or _ and hold at most 64 letters, digits or _');
  }
  if (!CUSTOM_FIELD_TYPES.includes(input.type)) throw invalid('type', `must be one of ${CUSTOM_FIELD_TYPES.join(', ')}`);
  // Names differing only in case would be two keys a person cannot tell apart in a form or an export.
  const clash = Object.keys(state.fields).find((name) => name.toLowerCase() === input.name.toLowerCase());
  if (clash) throw new DomainError('conflict', `Custom field ${clash} is already defined`, [{ field: 'name', reason: `${clash} is already defined` }]);
  if (Object.keys(state.fields).length >= MAX_DEFINITIONS) throw invalid('name', `at most ${MAX_DEFINITIONS} custom fields can be defined`);
  const definition: CustomFieldDefinition = {
    name: input.name,
    label: normaliseLabel(input.label, input.name),
    type: input.type,
    options: normaliseOptions(input.type, input.options),
    required: input.required === true,
  };
  return [{ type: 'CustomFieldDefined', data: definition }];
}

function change(state: CustomFieldSchemaState, name: string, changes: DefinitionChanges, expectedRevision: number | undefined): CustomFieldEvent[] {
  const field = existing(state, name, expectedRevision);
  const type = changes.type ?? field.type;
  if (!CUSTOM_FIELD_TYPES.includes(type)) throw invalid('type', `must be one of ${CUSTOM_FIELD_TYPES.join(', ')}`);
  // A field that stops being a select drops its options; one that becomes a select needs some.
  const wantedOptions = changes.options !== undefined ? changes.options : type === 'select' ? field.options : [];
  const next: CustomFieldDefinition = {
    name,
    label: changes.label !== undefined ? normaliseLabel(changes.label, name) : field.label,
    type,
    options: normaliseOptions(type, wantedOptions),
    required: changes.required ?? field.required,
  };
  const changed = (['label', 'type', 'options', 'required'] as const).filter(
    (property) => JSON.stringify(next[property]) !== JSON.stringify(field[property]),
  );
  return changed.length === 0 ? [] : [{ type: 'CustomFieldChanged', data: { ...next, changed } }];
}

function decide(command: CustomFieldCommand, state: CustomFieldSchemaState): CustomFieldEvent[] {
  switch (command.type) {
    case 'DefineCustomField':
      return define(state, command.definition);
    case 'ChangeCustomField':
      return change(state, command.name, command.changes, command.expectedRevision);
    case 'RemoveCustomField':
      existing(state, command.name, command.expectedRevision);
      return [{ type: 'CustomFieldRemoved', data: { name: command.name } }];
  }
}

function evolve(state: CustomFieldSchemaState, event: CustomFieldEvent): CustomFieldSchemaState {
  const revision = state.revision + 1;
  switch (event.type) {
    case 'CustomFieldDefined':
      return { revision, fields: { ...state.fields, [event.data.name]: { ...event.data, revision } } };
    case 'CustomFieldChanged': {
      const { changed: _changed, ...definition } = event.data;
      return { revision, fields: { ...state.fields, [definition.name]: { ...definition, revision } } };
    }
    case 'CustomFieldRemoved': {
      const fields = { ...state.fields };
      delete fields[event.data.name];
      return { revision, fields };
    }
    default:
      // Unknown event types (written by a newer version) still occupy a revision.
      return { ...state, revision };
  }
}

export const customFieldDecider: Decider<CustomFieldCommand, CustomFieldSchemaState, CustomFieldEvent> = {
  initialState: () => ({ revision: -1, fields: {} }),
  decide,
  evolve,
};

// ---- checking the custom fields of a write against the schema ----

export type CustomFieldWrite = 'create' | 'update';

function isValidDate(value: string): boolean {
  const time = Date.parse(`${value}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

const isBlankText = (value: JsonValue) => typeof value === 'string' && value.trim() === '';

/** Why a value does not fit its definition, or null when it does. */
function typeProblem(field: CustomFieldDefinition, value: JsonValue): string | null {
  switch (field.type) {
    case 'text':
      if (typeof value !== 'string') return 'must be text';
      return value.length > MAX_TEXT_LENGTH ? `at most ${MAX_TEXT_LENGTH} characters` : null;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'date':
      return typeof value === 'string' && isValidDate(value) ? null : 'must be a date as YYYY-MM-DD';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'select':
      return typeof value === 'string' && field.options.includes(value) ? null : `must be one of: ${field.options.join(', ')}`;
  }
}

/**
 * Checks the `customFields` of a create or a merge-patch against the tenant's definitions, and throws
 * one error naming every offending `customFields.<name>`.
 *
 * - A tenant without definitions for this entity keeps free-form custom fields, as before schemas existed.
 * - Once it has one, the schema is closed: a key it does not define is refused (a typo must not create a
 *   field nobody can find), except `null`, which removes a key and is always allowed, so that values left
 *   by a deleted definition can be cleaned up.
 * - Only what the write sends is checked, and `required` only on create and on removal: stored records
 *   are never made invalid by a later change of a definition, and a patch of other fields still works.
 */
export function checkCustomFields(
  schema: CustomFieldSchemaState,
  entity: CustomFieldEntity,
  values: Record<string, JsonValue | null> | undefined,
  write: CustomFieldWrite,
): void {
  const fields = Object.values(schema.fields);
  if (fields.length === 0) return;
  const problems: { field: string; reason: string }[] = [];
  for (const [name, value] of Object.entries(values ?? {})) {
    const field = schema.fields[name];
    if (!field) {
      if (value === null) continue;
      const sameButCase = fields.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
      problems.push({
        field: `customFields.${name}`,
        reason: sameButCase ? `not defined; did you mean ${sameButCase.name}?` : `not defined for ${entity === 'contact' ? 'contacts' : 'companies'}`,
      });
      continue;
    }
    // null removes the value (merge patch), which a required field does not allow.
    const problem = value === null ? (field.required ? 'is required' : null) : (typeProblem(field, value) ?? (field.required && isBlankText(value) ? 'is required' : null));
    if (problem) problems.push({ field: `customFields.${name}`, reason: problem });
  }
  if (write === 'create') {
    for (const field of fields) {
      if (field.required && !(values && field.name in values)) problems.push({ field: `customFields.${field.name}`, reason: 'is required' });
    }
  }
  if (problems.length > 0) {
    throw new DomainError('invalid', `Invalid custom fields: ${problems.map((problem) => problem.field).join(', ')}`, problems);
  }
}

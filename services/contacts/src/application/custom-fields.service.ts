import { type CommandContext, DomainError, EventSourcedCommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import type { JsonValue } from '../domain/common';
import {
  checkCustomFields,
  type CustomFieldCommand,
  customFieldDecider,
  type CustomFieldDefinition,
  type CustomFieldEntity,
  type CustomFieldEvent,
  type CustomFieldSchemaState,
  customFieldsStream,
  type CustomFieldWrite,
  type DefinedCustomField,
  type DefinitionChanges,
  type DefinitionInput,
} from '../domain/custom-field-definitions';
import type { WriteResult } from './views';

export interface CustomFieldView extends CustomFieldDefinition {
  entity: CustomFieldEntity;
  /** The definition's own revision: its ETag and what If-Match pins. */
  revision: number;
}

/** Schemas kept in memory between writes; past this many (tenant, entity) pairs the oldest is dropped. */
const CACHE_LIMIT = 10_000;

const toView = (entity: CustomFieldEntity, field: DefinedCustomField): CustomFieldView => ({
  entity,
  name: field.name,
  label: field.label,
  type: field.type,
  options: field.options,
  required: field.required,
  revision: field.revision,
});

/** Commands and queries on the custom field definitions, and the check of writes against them. */
export class CustomFieldDefinitions {
  private readonly handler: EventSourcedCommandHandler<CustomFieldCommand, CustomFieldSchemaState, CustomFieldEvent>;
  private readonly schemas = new Map<string, CustomFieldSchemaState>();

  constructor(private readonly store: EventStore) {
    this.handler = new EventSourcedCommandHandler(store, customFieldDecider);
  }

  /**
   * The current schema. Only events appended since the cached revision are read: one query that
   * usually finds nothing, so every write is checked against the schema as it is now, not as it was
   * when cached, and imports of many records do not re-read the whole stream per record.
   */
  async schema(tenantId: string, entity: CustomFieldEntity): Promise<CustomFieldSchemaState> {
    const stream = customFieldsStream(tenantId, entity);
    const cached = this.schemas.get(stream) ?? customFieldDecider.initialState();
    const newer = await this.store.readStream(stream, { fromRevision: cached.revision + 1 });
    const schema = newer.reduce((state, event) => customFieldDecider.evolve(state, { type: event.type, data: event.data } as CustomFieldEvent), cached);
    this.schemas.delete(stream);
    this.schemas.set(stream, schema);
    if (this.schemas.size > CACHE_LIMIT) this.schemas.delete(this.schemas.keys().next().value as string);
    return schema;
  }

  /** Throws a 400-kind DomainError naming each offending `customFields.<name>`; see `checkCustomFields`. */
  async check(tenantId: string, entity: CustomFieldEntity, values: Record<string, JsonValue | null> | undefined, write: CustomFieldWrite): Promise<void> {
    if (write === 'update' && (values === undefined || Object.keys(values).length === 0)) return;
    checkCustomFields(await this.schema(tenantId, entity), entity, values, write);
  }

  async list(tenantId: string, entity: CustomFieldEntity): Promise<CustomFieldView[]> {
    const schema = await this.schema(tenantId, entity);
    return Object.values(schema.fields).map((field) => toView(entity, field));
  }

  async get(tenantId: string, entity: CustomFieldEntity, name: string): Promise<CustomFieldView> {
    const field = (await this.schema(tenantId, entity)).fields[name];
    if (!field) throw new DomainError('not_found', `Custom field ${name} is not defined`);
    return toView(entity, field);
  }

  define(context: CommandContext, entity: CustomFieldEntity, definition: DefinitionInput): Promise<WriteResult<CustomFieldView>> {
    return this.run(context, entity, definition.name, { type: 'DefineCustomField', definition });
  }

  change(context: CommandContext, entity: CustomFieldEntity, name: string, changes: DefinitionChanges): Promise<WriteResult<CustomFieldView>> {
    return this.run(context, entity, name, { type: 'ChangeCustomField', name, changes, expectedRevision: context.expectedRevision });
  }

  async remove(context: CommandContext, entity: CustomFieldEntity, name: string): Promise<{ position: number }> {
    const command: CustomFieldCommand = { type: 'RemoveCustomField', name, expectedRevision: context.expectedRevision };
    const result = await this.handler.handle(customFieldsStream(context.tenantId, entity), command, this.schemaContext(context));
    return { position: result.position };
  }

  private async run(context: CommandContext, entity: CustomFieldEntity, name: string, command: CustomFieldCommand): Promise<WriteResult<CustomFieldView>> {
    const result = await this.handler.handle(customFieldsStream(context.tenantId, entity), command, this.schemaContext(context));
    const field = result.state.fields[name];
    return { view: toView(entity, field), revision: field.revision, position: result.position };
  }

  /**
   * If-Match names one definition's revision, which the decider checks; the stream as a whole is not
   * pinned, so edits of two different definitions never make each other fail.
   */
  private schemaContext(context: CommandContext): CommandContext {
    return { ...context, expectedRevision: undefined };
  }
}

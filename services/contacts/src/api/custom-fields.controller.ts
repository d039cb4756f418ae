import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, NotFoundException, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, type RequestContext } from '@crm/platform';
import type { FastifyReply } from 'fastify';
import { CustomFieldDefinitions } from '../application/custom-fields.service';
import { CUSTOM_FIELD_KEY } from '../domain/common';
import type { CustomFieldEntity } from '../domain/custom-field-definitions';
import { CustomFieldChangesDto, CustomFieldDefinitionDto } from './custom-field.dto';
import { commandContext, writeHeaders } from './responses';

/** A name outside the key alphabet cannot be defined, so it is simply not found. */
function checkName(name: string): string {
  if (!CUSTOM_FIELD_KEY.test(name)) throw new NotFoundException(`Custom field ${name} is not defined`);
  return name;
}

/** The same routes for contacts and companies; each subclass names its entity and path. */
abstract class CustomFieldRoutes {
  protected constructor(
    private readonly definitions: CustomFieldDefinitions,
    private readonly entity: CustomFieldEntity,
    private readonly path: string,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List the custom field definitions that writes are checked against' })
  async list(@Context() context: RequestContext) {
    return { items: await this.definitions.list(context.tenantId, this.entity) };
  }

  @Post()
  @ApiOperation({ summary: 'Define a custom field: name, label, type (text, number, date, boolean, select) and required' })
  @ApiResponse({ status: 201, description: 'Defined; Location and ETag are set' })
  @ApiResponse({ status: 409, description: 'A field of this name (in any letter case) is already defined' })
  async create(@Context() context: RequestContext, @Body() body: CustomFieldDefinitionDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.definitions.define(commandContext(context), this.entity, body);
    writeHeaders(reply, result);
    reply.header('location', `${this.path}/${result.view.name}`);
    reply.status(201);
    return result.view;
  }

  @Get(':name')
  @ApiOperation({ summary: 'Read one custom field definition' })
  async get(@Context() context: RequestContext, @Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.definitions.get(context.tenantId, this.entity, checkName(name));
    reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Change a definition; stored values stay as they are, new writes follow it. If-Match makes it conditional' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag of the definition, e.g. "3"' })
  async update(
    @Context() context: RequestContext,
    @Param('name') name: string,
    @Body() body: CustomFieldChangesDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.definitions.change(commandContext(context, ifMatch), this.entity, checkName(name), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a definition; stored values stay and can be removed with null' })
  @ApiHeader({ name: 'If-Match', required: false })
  async remove(@Context() context: RequestContext, @Param('name') name: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.definitions.remove(commandContext(context, ifMatch), this.entity, checkName(name));
    writeHeaders(reply, { revision: -1, position: result.position });
    reply.removeHeader(ETAG_HEADER);
  }
}

@ApiTags('contacts')
@Controller('api/v1/contacts/custom-fields')
export class ContactCustomFieldsController extends CustomFieldRoutes {
  constructor(@Inject(CustomFieldDefinitions) definitions: CustomFieldDefinitions) {
    super(definitions, 'contact', '/api/v1/contacts/custom-fields');
  }
}

@ApiTags('companies')
@Controller('api/v1/companies/custom-fields')
export class CompanyCustomFieldsController extends CustomFieldRoutes {
  constructor(@Inject(CustomFieldDefinitions) definitions: CustomFieldDefinitions) {
    super(definitions, 'company', '/api/v1/companies/custom-fields');
  }
}

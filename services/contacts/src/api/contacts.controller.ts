import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, PROBLEM_CONTENT_TYPE, problem, type RequestContext } from '@crm/platform';
import type { FastifyReply } from 'fastify';
import { ContactsService } from '../application/contacts.service';
import { DuplicateFinder } from '../application/duplicates';
import { ListQueries } from '../application/list.queries';
import type { ContactInput } from '../domain/contact';
import { AsOfQueryDto, ContactBodyDto, ListContactsQueryDto } from './contact.dto';
import { CreateContactQueryDto } from './merge.dto';
import { MergedContactRedirect } from './merged-contact.filter';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from './responses';

const PATH = '/api/v1/contacts';

@ApiTags('contacts')
@Controller('api/v1/contacts')
@UseFilters(MergedContactRedirect)
export class ContactsController {
  constructor(
    @Inject(ContactsService) private readonly contacts: ContactsService,
    @Inject(ListQueries) private readonly lists: ListQueries,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
    @Inject(DuplicateFinder) private readonly duplicates: DuplicateFinder,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a contact; likely duplicates under the tenant\'s rules are named in `duplicates`' })
  @ApiResponse({
    status: 201,
    description: 'Created; Location, ETag "0" and X-Consistency-Token headers are set. When likely duplicates exist, the body also holds `duplicates: [{ id, rule }]` (absent otherwise)',
  })
  @ApiResponse({ status: 409, description: 'onDuplicate=reject and likely duplicates exist: problem+json with `duplicates: [{ id, rule }]`; nothing is written' })
  async create(@Context() context: RequestContext, @Body() body: ContactBodyDto, @Query() query: CreateContactQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const duplicates = await this.duplicates.findDuplicates(context.tenantId, body as ContactInput);
    if (duplicates.length > 0 && query.onDuplicate === 'reject') {
      reply.status(409).header('content-type', PROBLEM_CONTENT_TYPE);
      return { ...problem(409, `The contact looks like ${duplicates.length} existing contact(s); nothing was written`), duplicates, instance: PATH };
    }
    const view = created(reply, await this.contacts.createContact(commandContext(context), body as ContactInput), PATH);
    // Only when there are some: the body of a plain create stays what it always was.
    return duplicates.length > 0 ? { ...view, duplicates } : view;
  }

  @Get()
  @ApiOperation({ summary: 'List and search contacts' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false, description: 'Token from a write: waits up to 2 s until the list includes it' })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListContactsQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.lists.listContacts(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a contact, now or as of an instant' })
  @ApiResponse({ status: 308, description: 'The contact was merged: Location names the survivor' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: AsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.contacts.getContact(context.tenantId, checkId(id, 'Contact'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change fields of a contact; If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag from a previous read, e.g. "3"' })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: ContactBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.contacts.updateContact(commandContext(context, ifMatch), checkId(id, 'Contact'), body as ContactInput);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive a contact: it leaves default lists but keeps its history' })
  async archive(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.contacts.archiveContact(commandContext(context, ifMatch), checkId(id, 'Contact'));
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restore an archived contact' })
  async restore(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.contacts.restoreContact(commandContext(context, ifMatch), checkId(id, 'Contact'));
    writeHeaders(reply, result);
    return result.view;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a contact for good: a tombstone event, then reads answer 404' })
  async remove(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.contacts.deleteContact(commandContext(context, ifMatch), checkId(id, 'Contact'));
    writeHeaders(reply, { revision: -1, position: result.position });
    reply.removeHeader(ETAG_HEADER);
  }

  @Get(':id/history')
  @ApiOperation({ summary: "The contact's events: who changed what, and when" })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.contacts.contactHistory(context.tenantId, checkId(id, 'Contact')) };
  }
}

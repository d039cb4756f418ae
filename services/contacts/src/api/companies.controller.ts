import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import type { FastifyReply } from 'fastify';
import { ContactsService } from '../application/contacts.service';
import { ListQueries } from '../application/list.queries';
import type { CompanyInput } from '../domain/company';
import { CompanyBodyDto, ListCompaniesQueryDto } from './company.dto';
import { AsOfQueryDto, ListContactsQueryDto } from './contact.dto';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from './responses';

const PATH = '/api/v1/companies';

@ApiTags('companies')
@Controller('api/v1/companies')
export class CompaniesController {
  constructor(
    @Inject(ContactsService) private readonly contacts: ContactsService,
    @Inject(ListQueries) private readonly lists: ListQueries,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a company' })
  async create(@Context() context: RequestContext, @Body() body: CompanyBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.contacts.createCompany(commandContext(context), body as CompanyInput), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List and search companies' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListCompaniesQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.lists.listCompanies(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a company, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: AsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.contacts.getCompany(context.tenantId, checkId(id, 'Company'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change fields of a company; If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: CompanyBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.contacts.updateCompany(commandContext(context, ifMatch), checkId(id, 'Company'), body as CompanyInput);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/archive')
  @HttpCode(200)
  async archive(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.contacts.archiveCompany(commandContext(context, ifMatch), checkId(id, 'Company'));
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/restore')
  @HttpCode(200)
  async restore(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.contacts.restoreCompany(commandContext(context, ifMatch), checkId(id, 'Company'));
    writeHeaders(reply, result);
    return result.view;
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.contacts.deleteCompany(commandContext(context, ifMatch), checkId(id, 'Company'));
    writeHeaders(reply, { revision: -1, position: result.position });
    reply.removeHeader(ETAG_HEADER);
  }

  @Get(':id/history')
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.contacts.companyHistory(context.tenantId, checkId(id, 'Company')) };
  }

  @Get(':id/contacts')
  @ApiOperation({ summary: "A company's contacts (same filters as GET /contacts)" })
  async contactsOf(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Query() query: ListContactsQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.contacts.getCompany(context.tenantId, checkId(id, 'Company'));
    await this.readYourWrites.waitFor(token, reply);
    return this.lists.listContacts(context.tenantId, { ...query, companyId: id });
  }
}

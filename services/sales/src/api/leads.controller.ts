import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@crm/decider';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import type { LeadInput } from '../domain/lead';
import { LeadConversionSaga } from '../application/lead-conversion.saga';
import { LeadListQueries } from '../application/lead-read-model';
import { LeadsService } from '../application/leads.service';
import { AsOfQueryDto, ConvertLeadBodyDto, DisqualifyLeadBodyDto, LeadBodyDto, ListLeadsQueryDto, QualifyLeadBodyDto } from './lead.dto';

const PATH = '/api/v1/leads';

@ApiTags('leads')
@Controller('api/v1/leads')
export class LeadsController {
  constructor(
    @Inject(LeadsService) private readonly leads: LeadsService,
    @Inject(LeadListQueries) private readonly lists: LeadListQueries,
    @Inject(LeadConversionSaga) private readonly conversions: LeadConversionSaga,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Capture a lead; without ownerId the territory rules pick its owner' })
  async capture(@Context() context: RequestContext, @Body() body: LeadBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.leads.capture(commandContext(context), body as LeadInput), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List leads, newest first, by status, owner, source, campaign or a search prefix' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListLeadsQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.lists.list(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a lead, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: AsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.leads.get(context.tenantId, checkId(id, 'Lead'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change fields of a lead (not of a converted one); If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: LeadBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.leads.update(commandContext(context, ifMatch), checkId(id, 'Lead'), body as LeadInput);
    writeHeaders(reply, result);
    return result.view;
  }

  @Get(':id/history')
  @ApiOperation({ summary: "A lead's changes: who, when, what, and in answer to what" })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.leads.history(context.tenantId, checkId(id, 'Lead')) };
  }

  @Post(':id/qualify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Qualify a lead, optionally with a reason' })
  @ApiHeader({ name: 'If-Match', required: false })
  async qualify(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: QualifyLeadBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.leads.qualify(commandContext(context, ifMatch), checkId(id, 'Lead'), body.reason);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/disqualify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disqualify a lead; a reason is required' })
  @ApiHeader({ name: 'If-Match', required: false })
  async disqualify(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: DisqualifyLeadBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.leads.disqualify(commandContext(context, ifMatch), checkId(id, 'Lead'), body.reason);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/convert')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Convert a lead into a contact (and company) in the contacts service and a deal here; safe to retry',
    description:
      'Answers 200 with the ids once the contact, company and deal exist, or 202 with Location on GET /leads/{id}/conversion ' +
      'when they take longer than a few seconds. The ids are the same on every retry; a retry creates nothing twice.',
  })
  @ApiResponse({ status: 200, description: 'Converted' })
  @ApiResponse({ status: 202, description: 'Under way: follow Location' })
  @ApiResponse({ status: 409, description: 'A disqualified lead, another conversion under way, or a conversion that failed' })
  async convert(@Context() context: RequestContext, @Param('id') id: string, @Body() body: ConvertLeadBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const leadId = checkId(id, 'Lead');
    const result = await this.conversions.convert(commandContext(context), leadId, { createCompany: body.createCompany, deal: body.deal });
    const conversion = result.view.conversion!;
    if (conversion.status === 'failed') throw new DomainError('conflict', `The conversion failed: ${conversion.failureReason}`);
    writeHeaders(reply, result);
    if (conversion.status === 'pending') {
      reply.status(202).header('location', `${PATH}/${leadId}/conversion`);
    }
    return { leadId, ...conversion };
  }

  @Get(':id/conversion')
  @ApiOperation({ summary: "Where a lead's conversion stands: pending, converted or failed, with the ids of its records" })
  async conversion(@Context() context: RequestContext, @Param('id') id: string) {
    const leadId = checkId(id, 'Lead');
    const conversion = await this.conversions.conversionOf(context.tenantId, leadId);
    if (!conversion) throw new DomainError('not_found', 'The lead has not been converted, nor asked to be');
    return { leadId, ...conversion };
  }
}

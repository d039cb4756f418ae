import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { QuotasService } from '../application/quotas.service';
import { AttainmentQueryDto, AttainmentReportDto, ListQuotasQueryDto, QuotaAsOfQueryDto, QuotaBodyDto, QuotaChangeDto, QuotaDto, QuotaListDto } from './quota.dto';

const PATH = '/api/v1/quotas';

@ApiTags('quotas')
@Controller('api/v1/quotas')
export class QuotasController {
  constructor(
    @Inject(QuotasService) private readonly quotas: QuotasService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create the quota of an owner for a period (409 when that owner already has one for the period)' })
  @ApiCreatedResponse({ type: QuotaDto })
  async create(@Context() context: RequestContext, @Body() body: QuotaBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.quotas.createQuota(commandContext(context), body), PATH);
  }

  @Put()
  @ApiOperation({ summary: 'Set the quota of an owner for a period: creates it (201) or changes it (200); every change stays in its history' })
  @ApiOkResponse({ type: QuotaDto })
  async set(@Context() context: RequestContext, @Body() body: QuotaBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.quotas.setQuota(commandContext(context), body);
    if (result.created) return created(reply, result, PATH);
    writeHeaders(reply, result);
    return result.view;
  }

  @Get()
  @ApiOperation({ summary: 'List quotas, by period and owner' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  @ApiOkResponse({ type: QuotaListDto })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListQuotasQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.quotas.listQuotas(context.tenantId, query);
  }

  @Get('attainment')
  @ApiOperation({ summary: 'Quota attainment per owner for a period: closed won against quota, now or as of a past moment' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  @ApiOkResponse({ type: AttainmentReportDto })
  async attainment(
    @Context() context: RequestContext,
    @Query() query: AttainmentQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.quotas.attainment(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a quota, now or as of an instant' })
  @ApiOkResponse({ type: QuotaDto })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: QuotaAsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.quotas.getQuota(context.tenantId, checkId(id, 'Quota'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Put(':id')
  @ApiOperation({ summary: 'Change the amount and currency of a quota; If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiOkResponse({ type: QuotaDto })
  async change(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: QuotaChangeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.quotas.changeQuota(commandContext(context, ifMatch), checkId(id, 'Quota'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a quota (it stays in its history; setting it again starts a new one)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async remove(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.quotas.deleteQuota(commandContext(context, ifMatch), checkId(id, 'Quota'));
    writeHeaders(reply, { revision: -1, position: result.position });
    reply.removeHeader(ETAG_HEADER);
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every change of a quota: who, when, what' })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.quotas.quotaHistory(context.tenantId, checkId(id, 'Quota')) };
  }
}

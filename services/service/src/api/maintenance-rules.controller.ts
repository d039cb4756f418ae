import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { MaintenanceService } from '../application/maintenance.service';
import { ListMaintenanceRulesQueryDto, MaintenanceRuleDto } from './maintenance-rule.dto';
import { AsOfQueryDto } from './service-contract.dto';

const PATH = '/api/v1/maintenance-rules';

@ApiTags('maintenance-rules')
@Controller('api/v1/maintenance-rules')
export class MaintenanceRulesController {
  constructor(
    @Inject(MaintenanceService) private readonly maintenance: MaintenanceService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create the proactive maintenance rule of a product type (one per product type)' })
  async create(@Context() context: RequestContext, @Body() body: MaintenanceRuleDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.maintenance.create(commandContext(context), body), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List maintenance rules' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListMaintenanceRulesQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.maintenance.list(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a maintenance rule, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: AsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.maintenance.get(context.tenantId, checkId(id, 'Maintenance rule'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Put(':id')
  @ApiOperation({ summary: "Replace a rule; every asset of its product type is rescheduled (visits already due stay)" })
  @ApiHeader({ name: 'If-Match', required: false })
  async replace(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: MaintenanceRuleDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.maintenance.replace(commandContext(context, ifMatch), checkId(id, 'Maintenance rule'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a rule: its assets get no more proactive visits' })
  @ApiHeader({ name: 'If-Match', required: false })
  async remove(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.maintenance.delete(commandContext(context, ifMatch), checkId(id, 'Maintenance rule'));
    writeHeaders(reply, { revision: -1, position: result.position });
    reply.removeHeader(ETAG_HEADER);
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every change of the rule' })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.maintenance.history(context.tenantId, checkId(id, 'Maintenance rule')) };
  }
}

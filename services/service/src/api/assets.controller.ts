import { Body, Controller, Get, Headers, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { AssetsService } from '../application/assets.service';
import { MaintenanceService } from '../application/maintenance.service';
import { AssetMaintenanceQueryDto, CreateAssetDto, ListAssetsQueryDto, UpdateAssetDto } from './asset.dto';
import { AsOfQueryDto } from './service-contract.dto';

const PATH = '/api/v1/assets';

@ApiTags('assets')
@Controller('api/v1/assets')
export class AssetsController {
  constructor(
    @Inject(AssetsService) private readonly assets: AssetsService,
    @Inject(MaintenanceService) private readonly maintenance: MaintenanceService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: "Register a customer's installed product (serial number unique per tenant)" })
  async create(@Context() context: RequestContext, @Body() body: CreateAssetDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.assets.register(commandContext(context), body), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List assets by owner, company, product type, serial number or warranty end' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListAssetsQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.assets.list(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an asset, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: AsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.assets.get(context.tenantId, checkId(id, 'Asset'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change fields of an asset; If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateAssetDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.assets.update(commandContext(context, ifMatch), checkId(id, 'Asset'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every change of the asset, including the maintenance visits that fell due' })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.assets.history(context.tenantId, checkId(id, 'Asset')) };
  }

  @Get(':id/maintenance')
  @ApiOperation({ summary: 'The proactive maintenance schedule: the rule that applies, the next visits and the past ones with their tickets' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async maintenanceSchedule(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Query() query: AssetMaintenanceQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.maintenance.scheduleOf(context.tenantId, checkId(id, 'Asset'), query.upcoming ?? 3);
  }
}

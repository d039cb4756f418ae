import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import type { TerritoryInput } from '../domain/territory';
import { TerritoriesService } from '../application/territories.service';
import { TerritoryQueries } from '../application/territory-read-model';
import { AsOfQueryDto } from './lead.dto';
import { TerritoryBodyDto } from './territory.dto';

const PATH = '/api/v1/territories';

@ApiTags('territories')
@Controller('api/v1/territories')
export class TerritoriesController {
  constructor(
    @Inject(TerritoriesService) private readonly territories: TerritoriesService,
    @Inject(TerritoryQueries) private readonly queries: TerritoryQueries,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a territory: a rule (region, industry, country) that gives new leads and deals an owner, or owners in turn' })
  async create(@Context() context: RequestContext, @Body() body: TerritoryBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.territories.create(commandContext(context), body as TerritoryInput), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'The territories in the order their rules are tried (rank, then creation)' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(@Context() context: RequestContext, @Headers('x-consistency-token') token: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.readYourWrites.waitFor(token, reply);
    return { items: await this.queries.inRuleOrder(context.tenantId) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a territory, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: AsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.territories.get(context.tenantId, checkId(id, 'Territory'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a territory; If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: TerritoryBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.territories.update(commandContext(context, ifMatch), checkId(id, 'Territory'), body as TerritoryInput);
    writeHeaders(reply, result);
    return result.view;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a territory: its rule no longer assigns owners' })
  @ApiHeader({ name: 'If-Match', required: false })
  async remove(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.territories.delete(commandContext(context, ifMatch), checkId(id, 'Territory'));
    writeHeaders(reply, { revision: -1, position: result.position });
    reply.removeHeader(ETAG_HEADER);
  }

  @Get(':id/history')
  @ApiOperation({ summary: "A territory's changes" })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.territories.history(context.tenantId, checkId(id, 'Territory')) };
  }
}

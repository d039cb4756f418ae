import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@crm/decider';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { DealBoard } from '../application/deal-board';
import { DealQueries } from '../application/deal-queries';
import { PipelineStageRemoval } from '../application/pipeline-stage-removal';
import { PipelinesService } from '../application/pipelines.service';
import { AsOfQueryDto } from './deal.dto';
import { AddStageDto, CreatePipelineDto, ListPipelinesQueryDto, RemoveStageQueryDto, ReorderStagesDto, UpdatePipelineDto, UpdateStageDto } from './pipeline.dto';

const PATH = '/api/v1/pipelines';

@ApiTags('pipelines')
@Controller('api/v1/pipelines')
export class PipelinesController {
  constructor(
    @Inject(PipelinesService) private readonly pipelines: PipelinesService,
    @Inject(PipelineStageRemoval) private readonly stageRemoval: PipelineStageRemoval,
    @Inject(DealQueries) private readonly queries: DealQueries,
    @Inject(DealBoard) private readonly boards: DealBoard,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a pipeline with its stages (a common B2B set when none are given)' })
  async create(@Context() context: RequestContext, @Body() body: CreatePipelineDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.pipelines.create(commandContext(context), body), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List pipelines, oldest first' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListPipelinesQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.queries.listPipelines(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a pipeline, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: AsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.pipelines.get(context.tenantId, checkId(id, 'Pipeline'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a pipeline; If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdatePipelineDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.pipelines.rename(commandContext(context, ifMatch), checkId(id, 'Pipeline'), body.name);
    writeHeaders(reply, result);
    return result.view;
  }

  @Get(':id/history')
  @ApiOperation({ summary: "A pipeline's changes: who, when, what" })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.pipelines.history(context.tenantId, checkId(id, 'Pipeline')) };
  }

  @Post(':id/stages')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a stage (at the end unless a position is given); answers the pipeline' })
  @ApiHeader({ name: 'If-Match', required: false })
  async addStage(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: AddStageDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { position, ...stage } = body;
    const result = await this.pipelines.addStage(commandContext(context, ifMatch), checkId(id, 'Pipeline'), stage, position);
    writeHeaders(reply, result);
    return result.view;
  }

  @Put(':id/stages/order')
  @ApiOperation({ summary: 'Reorder the stages: every stage id once, in the new order' })
  @ApiHeader({ name: 'If-Match', required: false })
  async reorder(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: ReorderStagesDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.pipelines.reorderStages(commandContext(context, ifMatch), checkId(id, 'Pipeline'), body.stageIds);
    writeHeaders(reply, result);
    return result.view;
  }

  @Patch(':id/stages/:stageId')
  @ApiOperation({ summary: 'Rename a stage or change its default probability' })
  @ApiHeader({ name: 'If-Match', required: false })
  async updateStage(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Param('stageId') stageId: string,
    @Body() body: UpdateStageDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.pipelines.changeStage(commandContext(context, ifMatch), checkId(id, 'Pipeline'), checkId(stageId, 'Stage'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Delete(':id/stages/:stageId')
  @ApiOperation({
    summary: 'Remove a stage; refused (409) while it holds open deals unless moveDealsTo names another open stage, where they are moved',
  })
  @ApiHeader({ name: 'If-Match', required: false })
  async removeStage(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Param('stageId') stageId: string,
    @Query() query: RemoveStageQueryDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.stageRemoval.removeStage(commandContext(context, ifMatch), checkId(id, 'Pipeline'), checkId(stageId, 'Stage'), query.moveDealsTo ?? null);
    writeHeaders(reply, result);
    return result.view;
  }

  @Get(':id/board')
  @ApiOperation({ summary: 'The board: per stage, in order, the number of deals and the exact sums of their amounts per currency' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async board(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const found = await this.pipelines.find(context.tenantId, checkId(id, 'Pipeline'));
    if (!found) throw new DomainError('not_found', 'Pipeline not found');
    await this.readYourWrites.waitFor(token, reply);
    return this.boards.board(context.tenantId, found.state);
  }
}

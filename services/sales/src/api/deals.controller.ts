import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { DealQueries } from '../application/deal-queries';
import { DealsService } from '../application/deals.service';
import { AsOfQueryDto, CloseDealDto, CommentDealDto, CreateDealDto, DealFieldsDto, ListDealsQueryDto, MoveDealDto, ReopenDealDto } from './deal.dto';

const PATH = '/api/v1/deals';

@ApiTags('deals')
@Controller('api/v1/deals')
export class DealsController {
  constructor(
    @Inject(DealsService) private readonly deals: DealsService,
    @Inject(DealQueries) private readonly queries: DealQueries,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a deal: amount as a decimal string with an ISO 4217 currency; links checked against the contacts directory' })
  async create(@Context() context: RequestContext, @Body() body: CreateDealDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.deals.create(commandContext(context), body), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List deals with filters (pipeline, stage, owner, status, amount and expected close ranges, contact, company)' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListDealsQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.queries.listDeals(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a deal, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: AsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.deals.get(context.tenantId, checkId(id, 'Deal'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change fields of a deal (not its stage: see move); If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: DealFieldsDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.deals.update(commandContext(context, ifMatch), checkId(id, 'Deal'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiHeader({ name: 'If-Match', required: false })
  async remove(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.deals.delete(commandContext(context, ifMatch), checkId(id, 'Deal'));
    writeHeaders(reply, { revision: -1, position: result.position });
    reply.removeHeader(ETAG_HEADER);
  }

  @Post(':id/move')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a deal to another stage of its pipeline, with a comment; a won or lost stage needs a reason' })
  @ApiHeader({ name: 'If-Match', required: false })
  async move(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: MoveDealDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.deals.move(commandContext(context, ifMatch), checkId(id, 'Deal'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/won')
  @HttpCode(200)
  @ApiOperation({ summary: "Win a deal, with a reason (into the pipeline's first won stage unless one is named)" })
  @ApiHeader({ name: 'If-Match', required: false })
  async won(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: CloseDealDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.deals.close(commandContext(context, ifMatch), checkId(id, 'Deal'), 'won', body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/lost')
  @HttpCode(200)
  @ApiOperation({ summary: "Lose a deal, with a reason (into the pipeline's first lost stage unless one is named)" })
  @ApiHeader({ name: 'If-Match', required: false })
  async lost(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: CloseDealDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.deals.close(commandContext(context, ifMatch), checkId(id, 'Deal'), 'lost', body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reopen a won or lost deal into an open stage' })
  @ApiHeader({ name: 'If-Match', required: false })
  async reopen(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: ReopenDealDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.deals.reopen(commandContext(context, ifMatch), checkId(id, 'Deal'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/comments')
  @ApiOperation({ summary: 'Comment on a deal (part of its history)' })
  async comment(@Context() context: RequestContext, @Param('id') id: string, @Body() body: CommentDealDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.deals.comment(commandContext(context), checkId(id, 'Deal'), body.text);
    writeHeaders(reply, result);
    reply.status(201);
    return { commentId: result.commentId, dealId: id, text: body.text.trim(), authorId: context.actorId };
  }

  @Get(':id/comments')
  @ApiOperation({ summary: "A deal's comments, oldest first" })
  async comments(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.deals.comments(context.tenantId, checkId(id, 'Deal')) };
  }

  @Get(':id/history')
  @ApiOperation({ summary: "A deal's changes: who, when, what" })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.deals.history(context.tenantId, checkId(id, 'Deal')) };
  }

  @Get(':id/stage-history')
  @ApiOperation({ summary: "A deal's stage moves: who, from, to, when, comment, and the time spent in each stage" })
  async stageHistory(@Context() context: RequestContext, @Param('id') id: string) {
    return this.deals.stageHistory(context.tenantId, checkId(id, 'Deal'));
  }
}

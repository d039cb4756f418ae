import { Body, Controller, Get, Headers, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { QueuesService } from '../application/queues.service';
import { CreateQueueDto, PageQueryDto, UpdateQueueDto } from './queue.dto';

const PATH = '/api/v1/queues';

@ApiTags('queues')
@Controller('api/v1/queues')
export class QueuesController {
  constructor(
    @Inject(QueuesService) private readonly queues: QueuesService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a queue with its assignment strategy (manual, round_robin, least_loaded) and the categories it takes' })
  async create(@Context() context: RequestContext, @Body() body: CreateQueueDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.queues.create(commandContext(context), body), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List queues, with their CSAT (responses and average score)' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: PageQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.queues.list(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a queue' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.queues.get(context.tenantId, checkId(id, 'Queue'));
    reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a queue or change its strategy or categories; If-Match makes it conditional' })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateQueueDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.queues.update(commandContext(context, ifMatch), checkId(id, 'Queue'), body);
    writeHeaders(reply, result);
    return result.view;
  }
}

import { Body, Controller, Get, Headers, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { AgentsService } from '../application/agents.service';
import { CreateAgentDto, ListAgentsQueryDto, UpdateAgentDto } from './agent.dto';

const PATH = '/api/v1/agents';

@ApiTags('agents')
@Controller('api/v1/agents')
export class AgentsController {
  constructor(
    @Inject(AgentsService) private readonly agents: AgentsService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register an agent: the queues they work and their skills (ticket categories)' })
  async create(@Context() context: RequestContext, @Body() body: CreateAgentDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.agents.register(commandContext(context), body), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List agents, with their CSAT (responses and average score)' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListAgentsQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.agents.list(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an agent' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.agents.get(context.tenantId, checkId(id, 'Agent'));
    reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change an agent's details, skills, queues or activity; If-Match makes it conditional" })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateAgentDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.agents.update(commandContext(context, ifMatch), checkId(id, 'Agent'), body);
    writeHeaders(reply, result);
    return result.view;
  }
}

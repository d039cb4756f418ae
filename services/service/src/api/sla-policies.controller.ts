import { Body, Controller, Get, Headers, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { SlaPoliciesService } from '../application/sla-policies.service';
import type { SlaPolicyInput } from '../domain/sla-policy';
import { DefinitionListQueryDto, RevisionQueryDto } from './calendar.dto';
import { SlaPolicyBodyDto } from './sla.dto';

const PATH = '/api/v1/sla/policies';

@ApiTags('sla')
@Controller('api/v1/sla/policies')
export class SlaPoliciesController {
  constructor(
    @Inject(SlaPoliciesService) private readonly policies: SlaPoliciesService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an SLA policy: conditions, targets per priority, the calendar, the warning share' })
  async create(@Context() context: RequestContext, @Body() body: SlaPolicyBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.policies.create(commandContext(context), body as SlaPolicyInput), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List SLA policies in the order they are tried' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: DefinitionListQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.policies.list(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a policy, now or at a past revision' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: RevisionQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.policies.get(context.tenantId, checkId(id, 'SLA policy'), query.revision);
    if (query.revision === undefined) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a policy (a new revision); running clocks keep theirs until the ticket\'s priority or category changes' })
  @ApiHeader({ name: 'If-Match', required: false })
  async revise(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: SlaPolicyBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.policies.revise(commandContext(context, ifMatch), checkId(id, 'SLA policy'), body as SlaPolicyInput);
    writeHeaders(reply, result);
    return result.view;
  }

  @Get(':id/revisions')
  @ApiOperation({ summary: 'Every revision of a policy, who made it and when' })
  async revisions(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.policies.revisions(context.tenantId, checkId(id, 'SLA policy')) };
  }
}

import { Body, Controller, Get, Headers, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { EscalationRulesService } from '../application/sla-escalation-rules.service';
import type { EscalationRuleInput } from '../domain/escalation-rule';
import { DefinitionListQueryDto, RevisionQueryDto } from './calendar.dto';
import { EscalationRuleBodyDto } from './escalation.dto';

const PATH = '/api/v1/escalation-rules';

@ApiTags('sla')
@Controller('api/v1/escalation-rules')
export class EscalationRulesController {
  constructor(
    @Inject(EscalationRulesService) private readonly rules: EscalationRulesService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an escalation rule: on an SLA warning or breach, raise the priority, reassign or notify' })
  async create(@Context() context: RequestContext, @Body() body: EscalationRuleBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.rules.create(commandContext(context), body as EscalationRuleInput), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List escalation rules' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: DefinitionListQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.rules.list(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an escalation rule, now or at a past revision' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: RevisionQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.rules.get(context.tenantId, checkId(id, 'Escalation rule'), query.revision);
    if (query.revision === undefined) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace an escalation rule (a new revision); it applies to warnings and breaches announced from then on' })
  @ApiHeader({ name: 'If-Match', required: false })
  async revise(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: EscalationRuleBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.rules.revise(commandContext(context, ifMatch), checkId(id, 'Escalation rule'), body as EscalationRuleInput);
    writeHeaders(reply, result);
    return result.view;
  }

  @Get(':id/revisions')
  @ApiOperation({ summary: 'Every revision of an escalation rule' })
  async revisions(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.rules.revisions(context.tenantId, checkId(id, 'Escalation rule')) };
  }
}

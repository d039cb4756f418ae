import { Body, Controller, Get, Headers, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { BusinessCalendarsService } from '../application/business-calendars.service';
import type { BusinessCalendarInput } from '../domain/business-calendar';
import { BusinessCalendarBodyDto, DefinitionListQueryDto, RevisionQueryDto } from './calendar.dto';

const PATH = '/api/v1/business-calendars';

@ApiTags('sla')
@Controller('api/v1/business-calendars')
export class BusinessCalendarsController {
  constructor(
    @Inject(BusinessCalendarsService) private readonly calendars: BusinessCalendarsService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a business-hours calendar (time zone, working hours per weekday, holidays)' })
  async create(@Context() context: RequestContext, @Body() body: BusinessCalendarBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.calendars.create(commandContext(context), body as BusinessCalendarInput), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List business calendars, oldest first' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: DefinitionListQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.calendars.list(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a calendar, now or at a past revision' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: RevisionQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.calendars.get(context.tenantId, checkId(id, 'Business calendar'), query.revision);
    if (query.revision === undefined) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a calendar (a new revision); running SLA clocks keep the revision they started with' })
  @ApiHeader({ name: 'If-Match', required: false })
  async revise(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: BusinessCalendarBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.calendars.revise(commandContext(context, ifMatch), checkId(id, 'Business calendar'), body as BusinessCalendarInput);
    writeHeaders(reply, result);
    return result.view;
  }

  @Get(':id/revisions')
  @ApiOperation({ summary: 'Every revision of a calendar, who made it and when' })
  async revisions(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.calendars.revisions(context.tenantId, checkId(id, 'Business calendar')) };
  }
}

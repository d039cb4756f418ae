import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { TicketQueries } from '../application/ticket-queries';
import { TicketsService, type TicketWriteResult } from '../application/tickets.service';
import {
  AsOfQueryDto,
  AssignTicketDto,
  ChangePriorityDto,
  ChangeStatusDto,
  FlagDto,
  ListTicketsQueryDto,
  NoteDto,
  OpenTicketDto,
  ReplyDto,
  UpdateTicketDto,
} from './ticket.dto';

const PATH = '/api/v1/tickets';

@ApiTags('tickets')
@Controller('api/v1/tickets')
export class TicketsController {
  constructor(
    @Inject(TicketsService) private readonly tickets: TicketsService,
    @Inject(TicketQueries) private readonly queries: TicketQueries,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Open a ticket (web form, phone, chat or API; email arrives through POST /inbound/email)' })
  async open(@Context() context: RequestContext, @Body() body: OpenTicketDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.tickets.open(commandContext(context), body), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List tickets by queue, assignee, status, priority, requester, SLA state and text' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListTicketsQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.queries.listTickets(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a ticket with its conversation (replies and internal notes), now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: AsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.tickets.getTicket(context.tenantId, checkId(id, 'Ticket'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change subject, description, category, tags or requester; If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateTicketDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.written(reply, await this.tickets.update(commandContext(context, ifMatch), checkId(id, 'Ticket'), body));
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every change of the ticket: who, when, what' })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.tickets.history(context.tenantId, checkId(id, 'Ticket')) };
  }

  @Post(':id/status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move the ticket along new → open → pending → on_hold → solved → closed (solved → open reopens); 409 when not allowed' })
  @ApiHeader({ name: 'If-Match', required: false })
  async status(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: ChangeStatusDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.written(reply, await this.tickets.changeStatus(commandContext(context, ifMatch), checkId(id, 'Ticket'), body.status, body.reason ?? null));
  }

  @Post(':id/priority')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change the priority' })
  @ApiHeader({ name: 'If-Match', required: false })
  async priority(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: ChangePriorityDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.written(reply, await this.tickets.changePriority(commandContext(context, ifMatch), checkId(id, 'Ticket'), body.priority, body.reason ?? null));
  }

  @Post(':id/assign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put the ticket in a queue and assign it: to a named agent, or by round-robin / least-loaded among skilled agents' })
  @ApiHeader({ name: 'If-Match', required: false })
  async assign(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: AssignTicketDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.written(reply, await this.tickets.assign(commandContext(context, ifMatch), checkId(id, 'Ticket'), body));
  }

  @Post(':id/replies')
  @ApiOperation({ summary: 'Add a public reply (attachments by reference); the first agent reply is the first response' })
  async replyTo(@Context() context: RequestContext, @Param('id') id: string, @Body() body: ReplyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.tickets.reply(commandContext(context), checkId(id, 'Ticket'), { authorType: body.authorType ?? 'agent', body: body.body, attachments: body.attachments });
    reply.status(201);
    return this.written(reply, result);
  }

  @Post(':id/notes')
  @ApiOperation({ summary: 'Add an internal note (never shown to the requester)' })
  async note(@Context() context: RequestContext, @Param('id') id: string, @Body() body: NoteDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.tickets.addNote(commandContext(context), checkId(id, 'Ticket'), body);
    reply.status(201);
    return this.written(reply, result);
  }

  @Post(':id/flags')
  @HttpCode(200)
  @ApiOperation({ summary: 'Flag the ticket (e.g. contract_expired); flagging twice changes nothing' })
  async flag(@Context() context: RequestContext, @Param('id') id: string, @Body() body: FlagDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.written(reply, await this.tickets.flag(commandContext(context), checkId(id, 'Ticket'), body.flag, body.reason ?? null));
  }

  @Delete(':id/flags/:flag')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a flag' })
  async unflag(@Context() context: RequestContext, @Param('id') id: string, @Param('flag') flag: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.written(reply, await this.tickets.unflag(commandContext(context), checkId(id, 'Ticket'), flag));
  }

  private written(reply: FastifyReply, result: TicketWriteResult) {
    writeHeaders(reply, result);
    return result.view;
  }
}

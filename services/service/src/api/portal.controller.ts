import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, type RequestContext } from '@crm/platform';
import { checkId, commandContext, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { PortalService } from '../application/portal.service';
import { PortalListQueryDto, PortalReplyDto, PortalSessionDto, PortalTicketDto } from './portal.dto';

/**
 * Self-service: a requester with a portal session (`Authorization: Bearer <token>`) sees and answers
 * only their own tickets. The tenant comes from the token, not from X-Tenant-Id.
 */
@ApiTags('portal')
@Controller('api/v1/portal')
export class PortalController {
  constructor(
    @Inject(PortalService) private readonly portal: PortalService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post('sessions')
  @ApiOperation({ summary: 'Issue a portal session token for a contact (called by an agent, e.g. to send a portal link)' })
  async session(@Context() context: RequestContext, @Body() body: PortalSessionDto, @Res({ passthrough: true }) reply: FastifyReply) {
    reply.status(201);
    return this.portal.issueSession(context.tenantId, body.contactId);
  }

  @Post('tickets')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Submit a ticket as the signed-in requester' })
  async open(
    @Context() context: RequestContext,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: PortalTicketDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const identity = await this.portal.authenticate(authorization);
    const result = await this.portal.open(commandContext(context), identity, body);
    writeHeaders(reply, result);
    reply.header('location', `/api/v1/portal/tickets/${result.view.id}`);
    reply.status(201);
    return result.portalView;
  }

  @Get('tickets')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The signed-in requester's own tickets and their states" })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Headers('authorization') authorization: string | undefined,
    @Query() query: PortalListQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const identity = await this.portal.authenticate(authorization);
    await this.readYourWrites.waitFor(token, reply);
    return this.portal.list(identity, query);
  }

  @Get('tickets/:id')
  @ApiBearerAuth()
  @ApiOperation({ summary: "One of the requester's own tickets with the public conversation (someone else's ticket is 404)" })
  async get(@Headers('authorization') authorization: string | undefined, @Param('id') id: string) {
    const identity = await this.portal.authenticate(authorization);
    return this.portal.get(identity, checkId(id, 'Ticket'));
  }

  @Post('tickets/:id/replies')
  @ApiBearerAuth()
  @ApiOperation({ summary: "Reply on one of the requester's own tickets (reopens a solved one)" })
  async reply(
    @Context() context: RequestContext,
    @Headers('authorization') authorization: string | undefined,
    @Param('id') id: string,
    @Body() body: PortalReplyDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const identity = await this.portal.authenticate(authorization);
    const result = await this.portal.reply(commandContext(context), identity, checkId(id, 'Ticket'), body);
    writeHeaders(reply, result);
    reply.status(201);
    return result.portalView;
  }
}

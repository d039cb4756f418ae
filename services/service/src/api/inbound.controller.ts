import { Body, Controller, Inject, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, type RequestContext } from '@crm/platform';
import { commandContext, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { InboundEmailService } from '../application/inbound-email.service';
import { InboundEmailDto } from './inbound.dto';

@ApiTags('inbound')
@Controller('api/v1/inbound')
export class InboundController {
  constructor(@Inject(InboundEmailService) private readonly inbound: InboundEmailService) {}

  @Post('email')
  @ApiOperation({
    summary:
      'Take a parsed inbound email: a reply threads onto its ticket (In-Reply-To/References or the [#T-…] subject token), anything else opens a ticket; ' +
      'the sender is linked to a contact by email; the same Message-ID twice is ignored. 201 opened, 200 threaded or duplicate.',
  })
  async email(@Context() context: RequestContext, @Body() body: InboundEmailDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const { outcome, ticketId, result } = await this.inbound.receive(commandContext(context), body);
    if (result) writeHeaders(reply, result);
    const opened = outcome === 'opened' || outcome === 'follow_up';
    reply.status(opened ? 201 : 200);
    if (opened) reply.header('location', `/api/v1/tickets/${ticketId}`);
    return { outcome, ticketId };
  }
}

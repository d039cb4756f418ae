import { Body, Controller, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, type RequestContext } from '@crm/platform';
import { checkId, commandContext, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { CsatService } from '../application/csat.service';
import { CsatDto } from './ticket.dto';

@ApiTags('csat')
@Controller('api/v1/tickets')
export class CsatController {
  constructor(@Inject(CsatService) private readonly csat: CsatService) {}

  @Post(':id/csat')
  @ApiOperation({
    summary: 'Answer the satisfaction survey of a solved ticket with its signed single-use token (400 bad token, 409 already answered, 410 expired or superseded)',
  })
  async respond(@Context() context: RequestContext, @Param('id') id: string, @Body() body: CsatDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.csat.respond(commandContext(context), checkId(id, 'Ticket'), body);
    writeHeaders(reply, result);
    reply.status(201);
    return { ticketId: result.view.id, surveyId: result.view.csat?.surveyId, score: result.view.csat?.score };
  }
}

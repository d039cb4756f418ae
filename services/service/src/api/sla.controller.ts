import { Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, type RequestContext } from '@crm/platform';
import { checkId, ReadYourWrites } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { SlaService } from '../application/sla.service';
import { SlaRecomputeService } from '../application/sla-recompute.service';
import { OutcomesQueryDto, RecomputeQueryDto } from './sla.dto';

@ApiTags('sla')
@Controller('api/v1/sla')
export class SlaController {
  constructor(
    @Inject(SlaService) private readonly sla: SlaService,
    @Inject(SlaRecomputeService) private readonly recomputer: SlaRecomputeService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post('recompute')
  @HttpCode(200)
  @ApiOperation({
    summary: "Recompute past tickets' SLA outcomes with today's calendars and policies",
    description: 'Reads the tickets opened in [from, to) from their events; writes nothing to any stream. Results: GET /sla/outcomes?recomputed=true.',
  })
  async recompute(@Context() context: RequestContext, @Query() query: RecomputeQueryDto) {
    return this.recomputer.recompute(context.tenantId, { from: new Date(query.from).toISOString(), to: query.to ? new Date(query.to).toISOString() : undefined }, new Date());
  }

  @Get('outcomes')
  @ApiOperation({ summary: 'SLA outcomes per ticket: as recorded by the live clocks, or as recomputed' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async outcomes(
    @Context() context: RequestContext,
    @Query() query: OutcomesQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (query.recomputed) return this.recomputer.list(context.tenantId, query);
    await this.readYourWrites.waitFor(token, reply);
    return this.sla.statuses(context.tenantId, {
      limit: query.limit,
      cursor: query.cursor,
      from: query.from ? new Date(query.from).toISOString() : undefined,
      to: query.to ? new Date(query.to).toISOString() : undefined,
    });
  }
}

/** Only `GET /tickets/{id}/sla`: the tickets feature serves the rest of /tickets (Nest merges the two). */
@ApiTags('sla')
@Controller('api/v1/tickets')
export class TicketSlaController {
  constructor(@Inject(SlaService) private readonly sla: SlaService) {}

  @Get(':id/sla')
  @ApiOperation({
    summary: "Explain a ticket's SLA clocks",
    description: 'The policy and calendar used (with revisions), and per metric the target, the business minutes elapsed, every interval counted, every pause, and the warning and breach instants.',
  })
  async explain(@Context() context: RequestContext, @Param('id') id: string) {
    return this.sla.explain(context.tenantId, checkId(id, 'Ticket'), new Date());
  }
}

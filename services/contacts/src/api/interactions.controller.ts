import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseConsistencyToken, type RequestContext, SERVICE_CONFIG, type ServiceConfig } from '@crm/platform';
import { ProjectionRunner } from '@crm/readstore';
import type { FastifyReply } from 'fastify';
import { InteractionsService } from '../application/interactions.service';
import { TIMELINE_RUNNER, TimelineService } from '../application/timeline';
import type { InteractionInput } from '../domain/interaction';
import { InteractionBodyDto, TimelineQueryDto } from './interaction.dto';
import { checkId, commandContext, writeHeaders } from './responses';

@ApiTags('contacts')
@Controller('api/v1/contacts')
export class InteractionsController {
  constructor(
    @Inject(InteractionsService) private readonly interactions: InteractionsService,
    @Inject(TimelineService) private readonly timeline: TimelineService,
    @Inject(TIMELINE_RUNNER) private readonly timelineProjection: ProjectionRunner,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Post(':id/interactions')
  @ApiOperation({ summary: 'Record a note, call, email, meeting or message with the contact' })
  @ApiResponse({
    status: 201,
    description: 'Recorded; participants matched to contacts are linked (the interaction shows on their timelines too), the others are listed in unmatchedParticipants',
  })
  async record(@Context() context: RequestContext, @Param('id') id: string, @Body() body: InteractionBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const contactId = checkId(id, 'Contact');
    const result = await this.interactions.record(commandContext(context), contactId, body as InteractionInput);
    writeHeaders(reply, result);
    reply.header('location', `/api/v1/contacts/${contactId}/interactions/${result.view.id}`);
    reply.status(201);
    return result.view;
  }

  @Get(':id/interactions/:interactionId')
  @ApiOperation({ summary: 'Read an interaction of the contact' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Param('interactionId') interactionId: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.interactions.get(context.tenantId, checkId(id, 'Contact'), checkId(interactionId, 'Interaction'));
    reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: "The contact's history and interactions (and, later, other services' events), newest first, paginated" })
  @ApiHeader({ name: 'X-Consistency-Token', required: false, description: 'Token from a write: waits up to 2 s until the timeline includes it' })
  async timelineOf(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Query() query: TimelineQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const position = parseConsistencyToken(token);
    if (position !== undefined && !(await this.timelineProjection.waitForPosition(position, this.config.consistencyWaitMs))) {
      reply.header('x-consistency', 'stale');
    }
    return this.timeline.page(context.tenantId, checkId(id, 'Contact'), query);
  }
}

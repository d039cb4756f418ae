import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProjectionRunner } from '@crm/readstore';
import { TIMELINE_RUNNER } from '../application/timeline';
import { TIMELINE_PROJECTION } from '../infrastructure/timeline.projection';

/** Operator route beside `/admin/read-models/rebuild`, outside `/api/v1`, so the gateway never exposes it. */
@ApiTags('admin')
@Controller('admin')
export class TimelineAdminController {
  constructor(@Inject(TIMELINE_RUNNER) private readonly timeline: ProjectionRunner) {}

  @Post('read-models/timeline/rebuild')
  @HttpCode(200)
  @ApiOperation({ summary: 'Drop the contact timelines and participant handles and replay them from event 0' })
  async rebuildTimeline() {
    const result = await this.timeline.rebuild();
    return { projection: TIMELINE_PROJECTION, ...result };
  }
}

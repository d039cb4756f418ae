import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProjectionRunner } from '@crm/readstore';

/**
 * Operator routes on the service itself, outside `/api/v1`, so the gateway never exposes them to frontends.
 * Protect them at the network level (they listen on the service's internal port).
 */
@ApiTags('admin')
@Controller('admin')
export class AdminController {
  constructor(@Inject(ProjectionRunner) private readonly readModel: ProjectionRunner) {}

  @Post('read-models/rebuild')
  @HttpCode(200)
  @ApiOperation({ summary: 'Drop the contact and company lists and replay them from event 0' })
  async rebuildReadModels() {
    const result = await this.readModel.rebuild();
    return { projection: 'contacts-read-model.v1', ...result };
  }
}

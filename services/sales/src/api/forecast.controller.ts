import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, type RequestContext } from '@crm/platform';
import { ReadYourWrites } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { ForecastQueries } from '../application/forecast.service';
import { ForecastDto, ForecastQueryDto } from './forecast.dto';

@ApiTags('forecast')
@Controller('api/v1/forecast')
export class ForecastController {
  constructor(
    @Inject(ForecastQueries) private readonly forecasts: ForecastQueries,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Forecast of a month or quarter: weighted pipeline, commit, best case and closed won per currency, optionally per owner or pipeline',
    description:
      'Open deals count in the period of their expected close date, won and lost deals in the period of their closing day. ' +
      'With asOf, every deal counts as it stood at that moment, computed from its events.',
  })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  @ApiOkResponse({ type: ForecastDto })
  async forecast(
    @Context() context: RequestContext,
    @Query() query: ForecastQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.forecasts.forecast(context.tenantId, query);
  }
}

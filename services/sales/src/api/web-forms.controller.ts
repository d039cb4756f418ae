import { Body, Controller, ForbiddenException, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, type RequestContext, requestContextFromHeaders, TENANT_HEADER } from '@crm/platform';
import { checkId, commandContext, created } from '@crm/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebFormInput } from '../domain/web-form';
import { OriginNotAllowedError, WebFormsService } from '../application/web-forms.service';
import { WebFormBodyDto } from './web-form.dto';

const PATH = '/api/v1/web-forms';

@ApiTags('web-forms')
@Controller('api/v1/web-forms')
export class WebFormsController {
  constructor(@Inject(WebFormsService) private readonly forms: WebFormsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a web form: how its fields map into a lead, its default source and campaign, the origins that may submit' })
  async create(@Context() context: RequestContext, @Body() body: WebFormBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.forms.create(commandContext(context), body as WebFormInput), PATH);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a web form' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.forms.get(context.tenantId, checkId(id, 'Web form'));
    reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  /**
   * Public: the page's own form posts here. Plain HTML forms send no headers of their choosing, so the
   * tenant may come as `?tenant=`; the Origin header is checked against the form's allowed origins.
   */
  @Post(':id/submissions')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Submit a web form (public): JSON or form-encoded fields become a lead',
    description: 'Answers 202 with a submission id, also for submissions dropped as spam (honeypot filled), so bots learn nothing.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ schema: { type: 'object', additionalProperties: { type: 'string' }, example: { 'your-name': 'Ada Lovelace', 'your-email': 'ada@example.com', utm_source: 'newsletter' } } })
  @ApiQuery({ name: 'tenant', required: false, description: 'The tenant, for forms that cannot send X-Tenant-Id (the header wins)' })
  @ApiHeader({ name: 'Origin', required: false })
  async submit(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
    @Query('tenant') tenant: string | undefined,
    @Body() body: unknown,
    @Headers('origin') origin: string | undefined,
  ) {
    const headers = request.headers as Record<string, string | string[] | undefined>;
    const context = requestContextFromHeaders({ ...headers, [TENANT_HEADER]: headers[TENANT_HEADER] ?? tenant }, request.id);
    try {
      return await this.forms.submit(commandContext(context), checkId(id, 'Web form'), body, origin);
    } catch (error) {
      if (error instanceof OriginNotAllowedError) throw new ForbiddenException(error.message);
      throw error;
    }
  }
}

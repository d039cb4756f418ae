import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { QuoteDocuments } from '../application/quote-documents';
import { QuotesService } from '../application/quotes.service';
import { CatalogAsOfQueryDto } from './product.dto';
import { CreateQuoteBodyDto, DeclineQuoteBodyDto, ListQuotesQueryDto, ReviseQuoteBodyDto } from './quote.dto';

const PATH = '/api/v1/quotes';

@ApiTags('quotes')
@Controller('api/v1/quotes')
export class QuotesController {
  constructor(
    @Inject(QuotesService) private readonly quotes: QuotesService,
    @Inject(QuoteDocuments) private readonly documents: QuoteDocuments,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: "Draft a quote from a deal's line items or from explicit lines; totals are computed exactly" })
  async create(@Context() context: RequestContext, @Body() body: CreateQuoteBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.quotes.create(commandContext(context), body), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List quotes, by deal, status or customer' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListQuotesQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.quotes.listQuotes(context.tenantId, query);
  }

  // `/quotes/{id}.pdf` and `/quotes/{id}` are told apart by the router (find-my-way matches the static suffix first).
  @Get(':id.pdf')
  @ApiOperation({ summary: 'The quote as a PDF document, now or as of an instant' })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The quote as a PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } })
  async pdf(@Context() context: RequestContext, @Param('id') id: string, @Query() query: CatalogAsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const { quote, document } = await this.documents.render(context.tenantId, checkId(id, 'Quote'), asOf);
    reply.header('content-type', this.documents.contentType);
    reply.header('content-disposition', `inline; filename="${quote.number}.pdf"`);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(quote.revision));
    return document;
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a quote with its lines and totals, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: CatalogAsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.quotes.getQuote(context.tenantId, checkId(id, 'Quote'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Revise a draft (409 once sent); If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async revise(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: ReviseQuoteBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.quotes.revise(commandContext(context, ifMatch), checkId(id, 'Quote'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/send')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a draft to the customer: it can then be accepted, declined, or expire' })
  @ApiHeader({ name: 'If-Match', required: false })
  async send(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.quotes.send(commandContext(context, ifMatch), checkId(id, 'Quote'));
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept a sent quote within its validity: places an order (see orderId)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async accept(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.quotes.accept(commandContext(context, ifMatch), checkId(id, 'Quote'));
    writeHeaders(reply, result);
    reply.header('link', `</api/v1/orders/${result.order.id}>; rel="order"`);
    return result.view;
  }

  @Post(':id/decline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record that the customer declined a sent quote' })
  @ApiHeader({ name: 'If-Match', required: false })
  async decline(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: DeclineQuoteBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.quotes.decline(commandContext(context, ifMatch), checkId(id, 'Quote'), body.reason);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/expire')
  @HttpCode(200)
  @ApiOperation({ summary: 'Expire a sent quote whose validity has passed (a timer also does it on its own)' })
  async expire(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.quotes.expire(commandContext(context, ifMatch), checkId(id, 'Quote'));
    writeHeaders(reply, result);
    return result.view;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every revision and status change of a quote: who, when, what' })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.quotes.quoteHistory(context.tenantId, checkId(id, 'Quote')) };
  }
}

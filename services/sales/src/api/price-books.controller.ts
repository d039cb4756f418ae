import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { CatalogQueries, CatalogService } from '../application/catalog.service';
import { ListPriceBooksQueryDto, PriceBookBodyDto, PriceBookEntryBodyDto } from './price-book.dto';
import { CatalogAsOfQueryDto } from './product.dto';

const PATH = '/api/v1/price-books';

@ApiTags('price-books')
@Controller('api/v1/price-books')
export class PriceBooksController {
  constructor(
    @Inject(CatalogService) private readonly catalog: CatalogService,
    @Inject(CatalogQueries) private readonly queries: CatalogQueries,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a price book in one currency (ISO 4217), e.g. "EU 2026" in EUR' })
  async create(@Context() context: RequestContext, @Body() body: PriceBookBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.catalog.createPriceBook(commandContext(context), body), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List price books (without their prices)' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListPriceBooksQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.queries.listPriceBooks(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a price book with its prices, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: CatalogAsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.catalog.getPriceBook(context.tenantId, checkId(id, 'Price book'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: "Rename or describe a price book (its currency is fixed); If-Match makes it conditional" })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: PriceBookBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.catalog.updatePriceBook(commandContext(context, ifMatch), checkId(id, 'Price book'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Put(':id/entries/:productId')
  @ApiOperation({ summary: "Set a product's unit price in the book (in the book's currency)" })
  @ApiHeader({ name: 'If-Match', required: false })
  async setPrice(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Param('productId') productId: string,
    @Body() body: PriceBookEntryBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.catalog.setPrice(commandContext(context, ifMatch), checkId(id, 'Price book'), checkId(productId, 'Product'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Delete(':id/entries/:productId')
  @ApiOperation({ summary: "Remove a product's price from the book (answers the book)" })
  @ApiHeader({ name: 'If-Match', required: false })
  async removePrice(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Param('productId') productId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.catalog.removePrice(commandContext(context, ifMatch), checkId(id, 'Price book'), checkId(productId, 'Product'));
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive a price book: its prices freeze and new quotes cannot use it' })
  async archive(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.catalog.archivePriceBook(commandContext(context, ifMatch), checkId(id, 'Price book'));
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restore an archived price book' })
  async restore(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.catalog.restorePriceBook(commandContext(context, ifMatch), checkId(id, 'Price book'));
    writeHeaders(reply, result);
    return result.view;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every change of a price book, prices included' })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.catalog.priceBookHistory(context.tenantId, checkId(id, 'Price book')) };
  }
}

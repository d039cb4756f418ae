import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { CatalogQueries, CatalogService } from '../application/catalog.service';
import { CatalogAsOfQueryDto, ListProductsQueryDto, ProductBodyDto } from './product.dto';

const PATH = '/api/v1/products';

@ApiTags('products')
@Controller('api/v1/products')
export class ProductsController {
  constructor(
    @Inject(CatalogService) private readonly catalog: CatalogService,
    @Inject(CatalogQueries) private readonly queries: CatalogQueries,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Add a product to the catalogue (SKU unique per tenant: 409 when taken)' })
  async create(@Context() context: RequestContext, @Body() body: ProductBodyDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.catalog.createProduct(commandContext(context), body), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List and search products' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListProductsQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.queries.listProducts(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a product, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: CatalogAsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.catalog.getProduct(context.tenantId, checkId(id, 'Product'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change fields of a product; If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: ProductBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.catalog.updateProduct(commandContext(context, ifMatch), checkId(id, 'Product'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive a product: it leaves lists and can no longer be quoted or priced' })
  async archive(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.catalog.archiveProduct(commandContext(context, ifMatch), checkId(id, 'Product'));
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restore an archived product' })
  async restore(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.catalog.restoreProduct(commandContext(context, ifMatch), checkId(id, 'Product'));
    writeHeaders(reply, result);
    return result.view;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every change of a product: who, when, what' })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.catalog.productHistory(context.tenantId, checkId(id, 'Product')) };
  }
}

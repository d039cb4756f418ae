import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, ReadYourWrites } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { OrdersService } from '../application/orders.service';
import { ListOrdersQueryDto } from './order.dto';
import { CatalogAsOfQueryDto } from './product.dto';

/** Orders are placed by accepting quotes; the API only reads them. */
@ApiTags('orders')
@Controller('api/v1/orders')
export class OrdersController {
  constructor(
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List orders, by deal, quote or customer' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListOrdersQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.orders.listOrders(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an order with the lines and totals of its accepted quote' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: CatalogAsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.orders.getOrder(context.tenantId, checkId(id, 'Order'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'The events of an order' })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.orders.orderHistory(context.tenantId, checkId(id, 'Order')) };
  }
}

import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { ServiceContractsService } from '../application/service-contracts.service';
import {
  AsOfQueryDto,
  CancelServiceContractDto,
  ContractConsumptionDto,
  CreateServiceContractDto,
  ListServiceContractsQueryDto,
  RenewServiceContractDto,
  UpdateServiceContractDto,
} from './service-contract.dto';

const PATH = '/api/v1/service-contracts';

@ApiTags('service-contracts')
@Controller('api/v1/service-contracts')
export class ServiceContractsController {
  constructor(
    @Inject(ServiceContractsService) private readonly contracts: ServiceContractsService,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a service contract for a contact and/or company' })
  async create(@Context() context: RequestContext, @Body() body: CreateServiceContractDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.contracts.create(commandContext(context), body), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List service contracts by customer, standing (as of today), tier or end date' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListServiceContractsQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.contracts.list(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a service contract with its usage, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: AsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.contracts.get(context.tenantId, checkId(id, 'Service contract'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change tier, start date, covered assets, entitlements or reminder offsets; If-Match makes it conditional' })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateServiceContractDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.contracts.update(commandContext(context, ifMatch), checkId(id, 'Service contract'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/renew')
  @HttpCode(200)
  @ApiOperation({ summary: 'Renew: a new end date and a new term (usage starts again); renewal reminders are re-armed' })
  @ApiHeader({ name: 'If-Match', required: false })
  async renew(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: RenewServiceContractDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.contracts.renew(commandContext(context, ifMatch), checkId(id, 'Service contract'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel as of today; tickets opened afterwards are flagged contract_expired' })
  @ApiHeader({ name: 'If-Match', required: false })
  async cancel(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: CancelServiceContractDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.contracts.cancel(commandContext(context, ifMatch), checkId(id, 'Service contract'), body.reason ?? null);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/consumption')
  @HttpCode(200)
  @ApiOperation({ summary: "Record support hours spent on a ticket against the contract's current term" })
  async consume(@Context() context: RequestContext, @Param('id') id: string, @Body() body: ContractConsumptionDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.contracts.recordHours(commandContext(context), checkId(id, 'Service contract'), body);
    writeHeaders(reply, result);
    return result.view;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every change of the contract: who, when, what' })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.contracts.history(context.tenantId, checkId(id, 'Service contract')) };
  }
}

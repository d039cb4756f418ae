import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Put, Res, UseFilters } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@crm/decider';
import { Context, ETAG_HEADER, etagFor, type RequestContext } from '@crm/platform';
import type { FastifyReply } from 'fastify';
import { ContactMergeService } from '../application/contact-merge.service';
import { ContactsService } from '../application/contacts.service';
import { DuplicateRules } from '../application/duplicate-rules.service';
import { DuplicateFinder } from '../application/duplicates';
import { type FieldChoices, MERGE_CHOICE_FIELDS } from '../domain/contact-merge';
import type { DuplicateRuleSet, MatchField } from '../domain/duplicate-rules';
import { DuplicateListDto, DuplicateRulesBodyDto, MergeBodyDto, UnmergeBodyDto } from './merge.dto';
import { MergedContactRedirect } from './merged-contact.filter';
import { checkId, commandContext, writeHeaders } from './responses';

function checkFieldChoices(choices: Record<string, string> | undefined): FieldChoices {
  const result: FieldChoices = {};
  for (const [field, side] of Object.entries(choices ?? {})) {
    if (!(MERGE_CHOICE_FIELDS as readonly string[]).includes(field)) {
      throw new DomainError('invalid', `Invalid fieldChoices.${field}`, [{ field: `fieldChoices.${field}`, reason: `not a field to choose; one of ${MERGE_CHOICE_FIELDS.join(', ')}` }]);
    }
    if (side !== 'target' && side !== 'source') {
      throw new DomainError('invalid', `Invalid fieldChoices.${field}`, [{ field: `fieldChoices.${field}`, reason: 'must be target or source' }]);
    }
    result[field as keyof FieldChoices] = side;
  }
  return result;
}

@ApiTags('contacts')
@Controller('api/v1/contacts/duplicate-rules')
export class DuplicateRulesController {
  constructor(@Inject(DuplicateRules) private readonly rules: DuplicateRules) {}

  @Get()
  @ApiOperation({ summary: "The tenant's duplicate rules (the defaults until saved); ETag is the rule set's version" })
  async get(@Context() context: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.rules.get(context.tenantId);
    reply.header(ETAG_HEADER, etagFor(view.version));
    return view;
  }

  @Put()
  @ApiOperation({ summary: 'Replace the duplicate rules; If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag from GET, e.g. "0" for the defaults' })
  async replace(
    @Context() context: RequestContext,
    @Body() body: DuplicateRulesBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const rules: DuplicateRuleSet = {
      defaultRegion: body.defaultRegion ?? null,
      rules: body.rules.map((rule) => ({ name: rule.name, fields: rule.fields as MatchField[], enabled: rule.enabled !== false })),
    };
    const result = await this.rules.replace(commandContext(context, ifMatch), rules);
    writeHeaders(reply, result);
    return result.view;
  }
}

@ApiTags('contacts')
@Controller('api/v1/contacts')
@UseFilters(MergedContactRedirect)
export class ContactMergeController {
  constructor(
    @Inject(ContactsService) private readonly contacts: ContactsService,
    @Inject(ContactMergeService) private readonly merges: ContactMergeService,
    @Inject(DuplicateFinder) private readonly finder: DuplicateFinder,
  ) {}

  @Get(':id/duplicates')
  @ApiOperation({ summary: 'Likely duplicates of the contact under the tenant\'s rules, with the rule that matched' })
  @ApiOkResponse({ type: DuplicateListDto })
  async duplicates(@Context() context: RequestContext, @Param('id') id: string) {
    const contact = await this.contacts.getContact(context.tenantId, checkId(id, 'Contact'));
    return { items: await this.finder.findDuplicates(context.tenantId, contact, { excludeIds: [contact.id] }) };
  }

  @Post(':id/merge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Merge sourceId into this contact: lists are unioned, fieldChoices pick scalars; the source is kept and redirects here' })
  @ApiHeader({ name: 'If-Match', required: false, description: "This contact's ETag (412 when stale)" })
  @ApiResponse({ status: 200, description: 'The survivor after the merge' })
  @ApiResponse({ status: 409, description: 'The source or this contact is already merged elsewhere' })
  async merge(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: MergeBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.merges.merge(commandContext(context, ifMatch), checkId(id, 'Contact'), body.sourceId, checkFieldChoices(body.fieldChoices));
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/unmerge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Undo the merge of sourceId: both records come back as before it, later edits of the survivor stay' })
  @ApiHeader({ name: 'If-Match', required: false, description: "This contact's ETag (412 when stale)" })
  async unmerge(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: UnmergeBodyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.merges.unmerge(commandContext(context, ifMatch), checkId(id, 'Contact'), body.sourceId);
    writeHeaders(reply, result);
    return result.view;
  }
}

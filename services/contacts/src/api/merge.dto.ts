import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsObject, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { MERGE_CHOICE_FIELDS } from '../domain/contact-merge';
import { MATCH_FIELDS, MAX_RULES } from '../domain/duplicate-rules';
import { ID_PATTERN } from './common.dto';
import { OptionalNotNull, OptionalNullable } from './validation';

export const ON_DUPLICATE = ['allow', 'reject'] as const;

/** Query of POST /contacts. */
export class CreateContactQueryDto {
  @ApiPropertyOptional({ enum: ON_DUPLICATE, default: 'allow', description: 'reject: 409 naming the likely duplicates, and nothing is written' })
  @OptionalNotNull()
  @IsIn(ON_DUPLICATE, { message: `onDuplicate must be one of ${ON_DUPLICATE.join(', ')}` })
  onDuplicate?: (typeof ON_DUPLICATE)[number];
}

export class DuplicateCandidateDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'Name of the first rule that matched', example: 'same-primary-email' }) rule!: string;
}

export class DuplicateListDto {
  @ApiProperty({ type: [DuplicateCandidateDto] }) items!: DuplicateCandidateDto[];
}

/** Body of POST /contacts/{id}/merge. */
export class MergeBodyDto {
  @ApiProperty({ description: 'The contact merged into this one; it is kept, marked as merged, and its reads redirect here' })
  @IsString()
  @Matches(ID_PATTERN, { message: 'sourceId must be a contact id' })
  sourceId!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', enum: ['target', 'source'] },
    example: { title: 'source', primaryEmail: 'target' },
    description: `Which side's value the survivor keeps, for ${MERGE_CHOICE_FIELDS.join(', ')}. Without a choice the survivor keeps its own value, or takes the source's where it has none. Emails, phones and tags are always unioned.`,
  })
  @OptionalNotNull()
  @IsObject()
  fieldChoices?: Record<string, string>;
}

/** Body of POST /contacts/{id}/unmerge. */
export class UnmergeBodyDto {
  @ApiProperty() @IsString() @Matches(ID_PATTERN, { message: 'sourceId must be a contact id' }) sourceId!: string;
}

const FIELD_MESSAGE = `fields must be ${MATCH_FIELDS.join(', ')} or customFields.<name>`;

export class DuplicateRuleDto {
  @ApiProperty({ example: 'same-primary-email' }) @IsString() @MaxLength(64) name!: string;
  @ApiProperty({ type: [String], example: ['name', 'companyId'], description: `Every field must match: ${MATCH_FIELDS.join(', ')} or customFields.<name>` })
  @IsArray()
  @ArrayMaxSize(5)
  @IsString({ each: true, message: FIELD_MESSAGE })
  fields!: string[];
  @ApiPropertyOptional({ default: true }) @OptionalNotNull() @IsBoolean() enabled?: boolean;
}

/** Body of PUT /contacts/duplicate-rules: the whole rule set. */
export class DuplicateRulesBodyDto {
  @ApiPropertyOptional({ example: 'LT', nullable: true, description: 'Region for phone numbers written without a country code' })
  @OptionalNullable()
  @IsString()
  @MaxLength(2)
  defaultRegion?: string | null;

  @ApiProperty({ type: [DuplicateRuleDto] })
  @IsArray()
  @ArrayMaxSize(MAX_RULES)
  @ValidateNested({ each: true })
  @Type(() => DuplicateRuleDto)
  rules!: DuplicateRuleDto[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { LEAD_STATUSES, type LeadStatus } from '../domain/lead';

/** Optional, and null is allowed: it clears the field on PATCH. */
const OptionalNullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

/** A lead's fields. On create a name (or firstName/lastName) or an email is required; on PATCH absent leaves a field and null clears it. */
export class LeadBodyDto {
  @ApiPropertyOptional({ example: 'Ada Lovelace', description: 'Full name, split into firstName and lastName when those are not given' })
  @OptionalNullable() @IsString() @MaxLength(200) name?: string | null;
  @ApiPropertyOptional({ example: 'Ada', nullable: true }) @OptionalNullable() @IsString() @MaxLength(100) firstName?: string | null;
  @ApiPropertyOptional({ example: 'Lovelace', nullable: true }) @OptionalNullable() @IsString() @MaxLength(100) lastName?: string | null;
  @ApiPropertyOptional({ example: 'ada@example.com', nullable: true }) @OptionalNullable() @IsString() @MaxLength(254) email?: string | null;
  @ApiPropertyOptional({ example: '+37060012345', nullable: true, description: 'International format, or national in the lead\'s country' })
  @OptionalNullable() @IsString() @MaxLength(50) phone?: string | null;
  @ApiPropertyOptional({ example: 'Analytical Engines Ltd', nullable: true }) @OptionalNullable() @IsString() @MaxLength(200) companyName?: string | null;
  @ApiPropertyOptional({ example: 'CTO', nullable: true }) @OptionalNullable() @IsString() @MaxLength(200) title?: string | null;
  @ApiPropertyOptional({ example: 'EMEA', nullable: true }) @OptionalNullable() @IsString() @MaxLength(200) region?: string | null;
  @ApiPropertyOptional({ example: 'Software', nullable: true }) @OptionalNullable() @IsString() @MaxLength(200) industry?: string | null;
  @ApiPropertyOptional({ example: 'LT', nullable: true, description: 'ISO 3166-1 alpha-2' }) @OptionalNullable() @IsString() @MaxLength(2) country?: string | null;
  @ApiPropertyOptional({ example: 'trade-show', nullable: true }) @OptionalNullable() @IsString() @MaxLength(200) source?: string | null;
  @ApiPropertyOptional({ example: 'newsletter', nullable: true, description: 'utm_source' }) @OptionalNullable() @IsString() @MaxLength(200) utmSource?: string | null;
  @ApiPropertyOptional({ example: 'email', nullable: true, description: 'utm_medium' }) @OptionalNullable() @IsString() @MaxLength(200) utmMedium?: string | null;
  @ApiPropertyOptional({ example: 'spring-launch', nullable: true, description: 'utm_campaign' }) @OptionalNullable() @IsString() @MaxLength(200) utmCampaign?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'utm_term' }) @OptionalNullable() @IsString() @MaxLength(200) utmTerm?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'utm_content' }) @OptionalNullable() @IsString() @MaxLength(200) utmContent?: string | null;
  @ApiPropertyOptional({ example: 'spring-26', nullable: true }) @OptionalNullable() @IsString() @MaxLength(64) campaignId?: string | null;
  @ApiPropertyOptional({ example: 'olga', nullable: true, description: 'When absent on create, the territory rules pick one' })
  @OptionalNullable() @IsString() @MaxLength(128) ownerId?: string | null;
}

export class ListLeadsQueryDto {
  @ApiPropertyOptional({ enum: LEAD_STATUSES }) @IsOptional() @IsIn(LEAD_STATUSES, { message: `status must be one of ${LEAD_STATUSES.join(', ')}` }) status?: LeadStatus;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) ownerId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) source?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) campaignId?: string;
  @ApiPropertyOptional({ description: 'Prefix of a name, the email or the company name; case-insensitive' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

export class AsOfQueryDto {
  @ApiPropertyOptional({ description: 'ISO-8601 instant: the record as it was then', example: '2026-11-23T10:00:00Z' }) @IsOptional() @IsString() asOf?: string;
}

export class QualifyLeadBodyDto {
  @ApiPropertyOptional({ example: 'Budget confirmed' }) @IsOptional() @IsString() @MaxLength(1000) reason?: string;
}

export class DisqualifyLeadBodyDto {
  @ApiProperty({ example: 'No budget this year' }) @IsString() @IsNotEmpty({ message: 'reason is required to disqualify a lead' }) @MaxLength(1000) reason!: string;
}

export class ConvertLeadDealDto {
  @ApiProperty({ example: 'Engines for Acme' }) @IsString() @MaxLength(200) title!: string;
  @ApiProperty() @IsString() @MaxLength(64) pipelineId!: string;
  @ApiProperty({ description: 'An open stage of the pipeline' }) @IsString() @MaxLength(64) stageId!: string;
  @ApiProperty({ example: '12500.00', description: 'Exact decimal, as a string' }) @IsString({ message: 'amount must be a decimal number written as a string, e.g. "1234.50"' }) @MaxLength(40) amount!: string;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217' }) @IsString() @MaxLength(3) currency!: string;
  @ApiPropertyOptional({ example: '2026-12-31', nullable: true }) @OptionalNullable() @IsString() @MaxLength(10) expectedCloseDate?: string | null;
}

export class ConvertLeadBodyDto {
  @ApiPropertyOptional({ default: false, description: "Also create a company from the lead's company name" }) @IsOptional() @IsBoolean() createCompany?: boolean;
  @ApiPropertyOptional({ type: ConvertLeadDealDto, description: 'The deal to create here; none when absent' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ConvertLeadDealDto) deal?: ConvertLeadDealDto;
}

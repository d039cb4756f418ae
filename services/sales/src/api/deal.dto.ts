import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { DEAL_SORTS, type DealSort } from '../application/deal-queries';
import { FORECAST_CATEGORIES, type ForecastCategory } from '../domain/deal';

/** Optional, but when present it must not be null (lists and enums cannot be "cleared" with null). */
export const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

/** Optional, and null is allowed: it clears the field on PATCH. */
export const OptionalNullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

export const ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;
const idMessage = (field: string) => ({ message: `${field} must be a record id (letters, digits, _ or -)` });
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const decimalMessage = (field: string) => ({ message: `${field} must be a decimal number written as a string, e.g. "1234.50"` });

export class DealLineItemDto {
  @ApiPropertyOptional({ description: 'Assigned when missing; keep it to identify the line across changes' }) @IsOptional() @IsString() @Matches(ID_PATTERN, idMessage('lineId')) lineId?: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @Matches(ID_PATTERN, idMessage('productId')) productId?: string | null;
  @ApiProperty({ example: 'Annual licence' }) @IsString() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ example: '2', default: '1', description: 'Decimal string' }) @OptionalNotNull() @IsString(decimalMessage('quantity')) quantity?: string;
  @ApiProperty({ example: '1200.00', description: "Decimal string, in the deal's currency" }) @IsString(decimalMessage('unitPrice')) unitPrice!: string;
  @ApiPropertyOptional({ example: '10', default: '0', description: 'Decimal string, 0-100' }) @OptionalNotNull() @IsString(decimalMessage('discountPercent')) discountPercent?: string;
  @ApiPropertyOptional({ example: '21', default: '0', description: 'Decimal string, 0-100' }) @OptionalNotNull() @IsString(decimalMessage('taxPercent')) taxPercent?: string;
}

/** The fields of a deal that POST and PATCH share; on PATCH null clears a field and line items replace. */
export class DealFieldsDto {
  @ApiPropertyOptional({ example: 'Acme renewal 2027', description: 'Required on create' }) @OptionalNotNull() @IsString() @MaxLength(200) title?: string;
  @ApiPropertyOptional({
    example: '12500.00',
    description: 'Decimal string (never a JSON number), at most the currency minor units. On create, defaults to the net total of the line items',
  })
  @OptionalNotNull()
  @IsString(decimalMessage('amount'))
  amount?: string;
  @ApiPropertyOptional({ example: 'EUR', description: 'ISO 4217 code; required on create' }) @OptionalNotNull() @IsString() @MaxLength(3) currency?: string;
  @ApiPropertyOptional({ example: '2026-12-15', nullable: true }) @OptionalNullable() @Matches(DATE_PATTERN, { message: 'expectedCloseDate must be a date as YYYY-MM-DD' }) expectedCloseDate?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Picked by territory rules when missing on create' }) @OptionalNullable() @IsString() @MaxLength(128) ownerId?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'A contact known to the contacts service' }) @OptionalNullable() @IsString() @Matches(ID_PATTERN, idMessage('contactId')) contactId?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'A company known to the contacts service' }) @OptionalNullable() @IsString() @Matches(ID_PATTERN, idMessage('companyId')) companyId?: string | null;
  @ApiPropertyOptional({ enum: FORECAST_CATEGORIES, default: 'pipeline' })
  @OptionalNotNull()
  @IsIn(FORECAST_CATEGORIES, { message: `forecastCategory must be one of ${FORECAST_CATEGORIES.join(', ')}` })
  forecastCategory?: ForecastCategory;
  @ApiPropertyOptional({ type: [DealLineItemDto] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => DealLineItemDto) lineItems?: DealLineItemDto[];
}

export class CreateDealDto extends DealFieldsDto {
  @ApiProperty({ description: 'The pipeline the deal belongs to (for good)' }) @IsString() @Matches(ID_PATTERN, idMessage('pipelineId')) pipelineId!: string;
  @ApiPropertyOptional({ description: "The pipeline's first open stage when omitted" }) @IsOptional() @IsString() @Matches(ID_PATTERN, idMessage('stageId')) stageId?: string;
}

export class MoveDealDto {
  @ApiProperty({ description: "A stage of the deal's pipeline" }) @IsString() @Matches(ID_PATTERN, idMessage('stageId')) stageId!: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(10_000) comment?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Required when the stage is a won or lost stage' }) @OptionalNullable() @IsString() @MaxLength(1_000) reason?: string | null;
}

export class CloseDealDto {
  @ApiProperty({ example: 'Best price and a reference customer' }) @IsString() @MaxLength(1_000) reason!: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(10_000) comment?: string | null;
  @ApiPropertyOptional({ description: "The pipeline's first won (lost) stage when omitted" }) @IsOptional() @IsString() @Matches(ID_PATTERN, idMessage('stageId')) stageId?: string;
  @ApiPropertyOptional({ example: '2026-11-20', description: 'Today (UTC) when omitted; not in the future' }) @IsOptional() @Matches(DATE_PATTERN, { message: 'closedOn must be a date as YYYY-MM-DD' }) closedOn?: string;
}

export class ReopenDealDto {
  @ApiPropertyOptional({ description: "An open stage of the deal's pipeline; the first open stage when omitted" }) @IsOptional() @IsString() @Matches(ID_PATTERN, idMessage('stageId')) stageId?: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(10_000) comment?: string | null;
}

export class CommentDealDto {
  @ApiProperty({ example: 'Called the CFO: budget approved' }) @IsString() @MaxLength(10_000) text!: string;
}

export class AsOfQueryDto {
  @ApiPropertyOptional({ description: 'ISO-8601 instant: the record as it was then', example: '2026-11-23T10:00:00Z' }) @IsOptional() @IsString() asOf?: string;
}

export class ListDealsQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) pipelineId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) stageId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) ownerId?: string;
  @ApiPropertyOptional({ enum: ['open', 'won', 'lost'] }) @IsOptional() @IsIn(['open', 'won', 'lost'], { message: 'status must be one of open, won, lost' }) status?: 'open' | 'won' | 'lost';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) contactId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) companyId?: string;
  @ApiPropertyOptional({ example: 'EUR', description: 'Only deals in this currency' }) @IsOptional() @IsString() @MaxLength(3) currency?: string;
  @ApiPropertyOptional({ example: '1000', description: 'Inclusive; compared exactly as a decimal' }) @IsOptional() @IsString() @MaxLength(40) amountMin?: string;
  @ApiPropertyOptional({ example: '50000.50', description: 'Inclusive; compared exactly as a decimal' }) @IsOptional() @IsString() @MaxLength(40) amountMax?: string;
  @ApiPropertyOptional({ example: '2026-10-01', description: 'Inclusive, YYYY-MM-DD' }) @IsOptional() @IsString() expectedCloseFrom?: string;
  @ApiPropertyOptional({ example: '2026-12-31', description: 'Inclusive, YYYY-MM-DD' }) @IsOptional() @IsString() expectedCloseTo?: string;
  @ApiPropertyOptional({ enum: DEAL_SORTS, default: '-createdAt' }) @IsOptional() @IsIn(DEAL_SORTS, { message: `sort must be one of ${DEAL_SORTS.join(', ')}` }) sort?: DealSort;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

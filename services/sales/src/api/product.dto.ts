import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/** Optional, but when present it must not be null (it cannot be "cleared"). */
export const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

/** Optional, and null is allowed: it clears the field on PATCH. */
export const OptionalNullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

/** `?archived=true` arrives as a string. */
export const BooleanQuery = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

const DECIMAL_HINT = 'an exact decimal written as a string, e.g. "21" or "12.50"';

export class ProductBodyDto {
  @ApiPropertyOptional({ example: 'WID-100', description: 'Required on create; unique per tenant, regardless of letter case' })
  @OptionalNotNull()
  @IsString()
  @MaxLength(64)
  sku?: string;

  @ApiPropertyOptional({ example: 'Widget', description: 'Required on create' }) @OptionalNotNull() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(4000) description?: string | null;
  @ApiPropertyOptional({ example: 'each', default: 'each', description: 'What one quantity is: each, hour, licence/month...' })
  @OptionalNotNull()
  @IsString()
  @MaxLength(40)
  unit?: string;

  @ApiPropertyOptional({ default: true, description: 'An inactive product cannot go on new quotes or into price books' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ example: 'standard', nullable: true }) @OptionalNullable() @IsString() @MaxLength(50) taxCategory?: string | null;
  @ApiPropertyOptional({ example: '21', default: '0', description: `Tax percent (0-100) of quote lines of this product; ${DECIMAL_HINT}` })
  @OptionalNotNull()
  @IsString()
  @MaxLength(20)
  defaultTaxPercent?: string;
}

export class ListProductsQueryDto {
  @ApiPropertyOptional({ description: 'Prefix of the name or SKU; case-insensitive' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
  @ApiPropertyOptional({ description: 'Exact SKU, any letter case' }) @IsOptional() @IsString() @MaxLength(64) sku?: string;
  @ApiPropertyOptional() @IsOptional() @BooleanQuery() @IsBoolean({ message: 'active must be true or false' }) active?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @BooleanQuery() @IsBoolean({ message: 'archived must be true or false' }) archived?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) taxCategory?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(200, { message: 'limit must not be greater than 200' })
  limit?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

export class CatalogAsOfQueryDto {
  @ApiPropertyOptional({ description: 'Read the record as it was at this instant (ISO-8601)', example: '2026-11-23T10:00:00Z' })
  @IsOptional()
  @IsString()
  asOf?: string;
}

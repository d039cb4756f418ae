import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { QUOTE_STATUSES, type QuoteStatus } from '../domain/quote';
import { OptionalNotNull, OptionalNullable } from './product.dto';

export class QuoteLineDto {
  @ApiPropertyOptional({ description: 'Kept across revisions when given; generated otherwise' }) @OptionalNotNull() @IsString() @MaxLength(64) lineId?: string;
  @ApiPropertyOptional({ nullable: true, description: 'A catalogue product; null or absent for a free-text line' })
  @OptionalNullable()
  @IsString()
  @MaxLength(64)
  productId?: string | null;

  @ApiPropertyOptional({ description: "Defaults to the product's name" }) @OptionalNotNull() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(2000) description?: string | null;
  @ApiPropertyOptional({ example: '3', default: '1', description: 'Exact decimal string, > 0, at most 6 decimals' }) @OptionalNotNull() @IsString() @MaxLength(40) quantity?: string;
  @ApiPropertyOptional({ example: '33.33', description: "In the quote's currency; defaults to the product's price in the quote's price book" })
  @OptionalNotNull()
  @IsString()
  @MaxLength(40)
  unitPrice?: string;

  @ApiPropertyOptional({ example: '10', default: '0', description: 'Percent, 0-100' }) @OptionalNotNull() @IsString() @MaxLength(20) discountPercent?: string;
  @ApiPropertyOptional({ example: '21', description: "Percent, 0-100; defaults to the product's default tax, 0 for free-text lines" })
  @OptionalNotNull()
  @IsString()
  @MaxLength(20)
  taxPercent?: string;
}

class QuoteFieldsDto {
  @ApiPropertyOptional({ nullable: true, description: "Defaults to the deal's title" }) @OptionalNullable() @IsString() @MaxLength(200) title?: string | null;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(10000) notes?: string | null;
  @ApiPropertyOptional({ example: 'Europe/Vilnius', default: 'UTC', description: 'IANA zone in which a validUntil date ends' })
  @OptionalNotNull()
  @IsString()
  @MaxLength(64)
  timeZone?: string;

  @ApiPropertyOptional({ example: 'EUR', description: "Only for a quote without a deal (a deal's quote is in the deal's currency)" })
  @OptionalNotNull()
  @IsString()
  @MaxLength(3)
  currency?: string;

  @ApiPropertyOptional({ type: [QuoteLineDto], description: "Replaces all lines; on create, defaults to the deal's line items" })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @IsObject({ each: true })
  @Type(() => QuoteLineDto)
  lines?: QuoteLineDto[];

  @ApiPropertyOptional({ nullable: true, description: 'Only for a quote without a deal' }) @OptionalNullable() @IsString() @MaxLength(64) contactId?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Only for a quote without a deal' }) @OptionalNullable() @IsString() @MaxLength(64) companyId?: string | null;
}

export class CreateQuoteBodyDto extends QuoteFieldsDto {
  @ApiPropertyOptional({ description: "The deal: the quote takes its currency, customer and (unless lines are given) line items" })
  @OptionalNotNull()
  @IsString()
  @MaxLength(64)
  dealId?: string;

  @ApiPropertyOptional({ description: "Prices product lines that give no unit price; must be in the quote's currency" })
  @OptionalNotNull()
  @IsString()
  @MaxLength(64)
  priceBookId?: string;

  @ApiProperty({ example: '2026-12-31', description: 'A date (valid through the end of that day in timeZone) or an ISO-8601 instant' })
  @IsString()
  @MaxLength(40)
  validUntil!: string;
}

export class ReviseQuoteBodyDto extends QuoteFieldsDto {
  @ApiPropertyOptional({ nullable: true, description: 'null removes the price book' }) @OptionalNullable() @IsString() @MaxLength(64) priceBookId?: string | null;
  @ApiPropertyOptional({ example: '2026-12-31' }) @OptionalNotNull() @IsString() @MaxLength(40) validUntil?: string;
}

export class DeclineQuoteBodyDto {
  @ApiPropertyOptional({ nullable: true, example: 'Too expensive' }) @OptionalNullable() @IsString() @MaxLength(1000) reason?: string | null;
}

export class ListQuotesQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) dealId?: string;
  @ApiPropertyOptional({ enum: QUOTE_STATUSES })
  @IsOptional()
  @IsIn(QUOTE_STATUSES, { message: `status must be one of ${QUOTE_STATUSES.join(', ')}` })
  status?: QuoteStatus;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) contactId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) companyId?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(200, { message: 'limit must not be greater than 200' })
  limit?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

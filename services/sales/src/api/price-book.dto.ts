import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { BooleanQuery, OptionalNotNull, OptionalNullable } from './product.dto';

export class PriceBookBodyDto {
  @ApiPropertyOptional({ example: 'EU 2026', description: 'Required on create' }) @OptionalNotNull() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ example: 'EUR', description: 'ISO 4217; required on create and fixed afterwards' }) @OptionalNotNull() @IsString() @MaxLength(3) currency?: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(2000) description?: string | null;
}

export class PriceBookEntryBodyDto {
  @ApiProperty({ example: '12.50', description: "Unit price in the book's currency: an exact decimal string, at most 6 decimals" })
  @IsString()
  @MaxLength(40)
  unitPrice!: string;

  @ApiPropertyOptional({ example: 'EUR', description: "When given, must be the book's currency" }) @IsOptional() @IsString() @MaxLength(3) currency?: string;
}

export class ListPriceBooksQueryDto {
  @ApiPropertyOptional({ example: 'EUR' }) @IsOptional() @IsString() @MaxLength(3) currency?: string;
  @ApiPropertyOptional({ default: false }) @IsOptional() @BooleanQuery() @IsBoolean({ message: 'archived must be true or false' }) archived?: boolean;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(200, { message: 'limit must not be greater than 200' })
  limit?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { COMPANY_SIZES, type CompanySize } from '../domain/company';
import { AddressDto } from './common.dto';
import { OptionalNotNull, OptionalNullable } from './validation';

export class CompanyBodyDto {
  @ApiPropertyOptional({ example: 'Acme', description: 'Required on create' }) @OptionalNotNull() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ example: 'acme.com', nullable: true }) @OptionalNullable() @IsString() @MaxLength(253) domain?: string | null;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(100) industry?: string | null;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(100) region?: string | null;
  @ApiPropertyOptional({ enum: COMPANY_SIZES, nullable: true }) @OptionalNullable() @IsIn(COMPANY_SIZES, { message: `size must be one of ${COMPANY_SIZES.join(', ')}` }) size?: CompanySize | null;
  @ApiPropertyOptional({ type: AddressDto, nullable: true }) @OptionalNullable() @IsObject() @ValidateNested() @Type(() => AddressDto) address?: AddressDto | null;
  @ApiPropertyOptional({ type: [String] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(50, { each: true }) tags?: string[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @OptionalNotNull() @IsObject() customFields?: Record<string, unknown>;
}

export const COMPANY_SORTS = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'name', '-name'] as const;

export class ListCompaniesQueryDto {
  @ApiPropertyOptional({ description: 'Prefix of the name or domain; case-insensitive' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(253) domain?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) tag?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) industry?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) region?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean({ message: 'archived must be true or false' }) archived?: boolean;
  @ApiPropertyOptional({ enum: COMPANY_SORTS, default: '-createdAt' }) @IsOptional() @IsIn(COMPANY_SORTS, { message: `sort must be one of ${COMPANY_SORTS.join(', ')}` }) sort?: (typeof COMPANY_SORTS)[number];
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CONTACT_STATUSES, type ContactStatus } from '../domain/contact';
import { AddressDto } from './common.dto';
import { OptionalNotNull, OptionalNullable } from './validation';

export class EmailDto {
  @ApiProperty({ example: 'ada@example.com' }) @IsEmail({}, { message: 'address must be a valid email address' }) @MaxLength(254) address!: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() primary?: boolean;
}

export class PhoneDto {
  @ApiProperty({ example: '+37060012345' }) @IsString() @MaxLength(32) number!: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() primary?: boolean;
}

/** Body of POST /contacts, and of PATCH /contacts/{id} where null clears a field and lists replace. */
export class ContactBodyDto {
  @ApiPropertyOptional({ example: 'Ada', description: 'A first or a last name is required' }) @OptionalNullable() @IsString() @MaxLength(100) firstName?: string | null;
  @ApiPropertyOptional({ example: 'Lovelace' }) @OptionalNullable() @IsString() @MaxLength(100) lastName?: string | null;
  @ApiPropertyOptional({ type: [EmailDto] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => EmailDto) emails?: EmailDto[];
  @ApiPropertyOptional({ type: [PhoneDto] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => PhoneDto) phones?: PhoneDto[];
  @ApiPropertyOptional({ example: 'CTO', nullable: true }) @OptionalNullable() @IsString() @MaxLength(100) title?: string | null;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @Matches(/^[0-9A-Za-z_-]{1,64}$/) companyId?: string | null;
  @ApiPropertyOptional({ type: AddressDto, nullable: true }) @OptionalNullable() @IsObject() @ValidateNested() @Type(() => AddressDto) address?: AddressDto | null;
  @ApiPropertyOptional({ example: 'Software', nullable: true }) @OptionalNullable() @IsString() @MaxLength(100) industry?: string | null;
  @ApiPropertyOptional({ example: 'EMEA', nullable: true }) @OptionalNullable() @IsString() @MaxLength(100) region?: string | null;
  @ApiPropertyOptional({ enum: CONTACT_STATUSES }) @OptionalNotNull() @IsIn(CONTACT_STATUSES, { message: `status must be one of ${CONTACT_STATUSES.join(', ')}` }) status?: ContactStatus;
  @ApiPropertyOptional({ type: [String], example: ['vip'] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(50, { each: true }) tags?: string[];
  @ApiPropertyOptional({ example: '1815-12-10', nullable: true }) @OptionalNullable() @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthday must be a date as YYYY-MM-DD' }) birthday?: string | null;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(128) ownerId?: string | null;
  @ApiPropertyOptional({ example: 'web-form', nullable: true }) @OptionalNullable() @IsString() @MaxLength(100) source?: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Any JSON values; on PATCH null removes a key' })
  @OptionalNotNull()
  @IsObject()
  customFields?: Record<string, unknown>;
}

const booleanQuery = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export const CONTACT_SORTS = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'lastName', '-lastName', 'firstName', '-firstName'] as const;

export class ListContactsQueryDto {
  @ApiPropertyOptional({ description: 'Prefix of a first name, last name, full name or email; case-insensitive' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(254) email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) tag?: string;
  @ApiPropertyOptional({ enum: CONTACT_STATUSES }) @IsOptional() @IsIn(CONTACT_STATUSES, { message: `status must be one of ${CONTACT_STATUSES.join(', ')}` }) status?: ContactStatus;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) industry?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) region?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) companyId?: string;
  @ApiPropertyOptional({ description: 'true lists only archived contacts' }) @IsOptional() @Transform(booleanQuery) @IsBoolean({ message: 'archived must be true or false' }) archived?: boolean;
  @ApiPropertyOptional({ enum: CONTACT_SORTS, default: '-createdAt' }) @IsOptional() @IsIn(CONTACT_SORTS, { message: `sort must be one of ${CONTACT_SORTS.join(', ')}` }) sort?: (typeof CONTACT_SORTS)[number];
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

export class AsOfQueryDto {
  @ApiPropertyOptional({ description: 'ISO-8601 instant: the record as it was then', example: '2026-11-23T10:00:00Z' }) @IsOptional() @IsString() asOf?: string;
}

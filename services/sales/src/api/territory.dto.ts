import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsString, MaxLength, ValidateIf } from 'class-validator';
import { TERRITORY_SUBJECTS } from '../domain/territory';

/** Optional, but when present it must not be null. */
const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

/**
 * A territory rule. Required on create: `name`, and `ownerId` (one owner) or `ownerIds` (a rotation).
 * Empty or absent criteria match anything.
 */
export class TerritoryBodyDto {
  @ApiPropertyOptional({ example: 'Nordics software' }) @OptionalNotNull() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ example: 10, default: 100, description: 'Lower ranks are tried first' }) @OptionalNotNull() @IsInt({ message: 'rank must be a whole number' }) rank?: number;
  @ApiPropertyOptional({ type: [String], example: ['EMEA'] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) regions?: string[];
  @ApiPropertyOptional({ type: [String], example: ['Software'] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) industries?: string[];
  @ApiPropertyOptional({ type: [String], example: ['LT', 'LV'], description: 'ISO 3166-1 alpha-2' }) @OptionalNotNull() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) countries?: string[];
  @ApiPropertyOptional({ enum: TERRITORY_SUBJECTS, isArray: true, default: TERRITORY_SUBJECTS })
  @OptionalNotNull() @IsArray() @IsIn(TERRITORY_SUBJECTS, { each: true, message: `appliesTo values must be ${TERRITORY_SUBJECTS.join(' or ')}` }) appliesTo?: string[];
  @ApiPropertyOptional({ example: 'olga', description: 'A single owner (not with ownerIds)' }) @OptionalNotNull() @IsString() @MaxLength(128) ownerId?: string;
  @ApiPropertyOptional({ type: [String], example: ['olga', 'piotr'], description: 'Owners handed out in turn (round-robin; not with ownerId)' })
  @OptionalNotNull() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) ownerIds?: string[];
}

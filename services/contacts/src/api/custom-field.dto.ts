import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { CUSTOM_FIELD_KEY } from '../domain/common';
import { CUSTOM_FIELD_TYPES, type CustomFieldType, MAX_OPTIONS } from '../domain/custom-field-definitions';
import { OptionalNotNull, OptionalNullable } from './validation';

const TYPE_MESSAGE = `type must be one of ${CUSTOM_FIELD_TYPES.join(', ')}`;

/** Body of POST …/custom-fields. */
export class CustomFieldDefinitionDto {
  @ApiProperty({ example: 'tier', description: 'The key in customFields: a letter or _ first, then up to 63 letters, digits or _' })
  @IsString()
  @Matches(CUSTOM_FIELD_KEY, { message: 'name must start with a letter or _ and hold at most 64 letters, digits or _' })
  name!: string;

  @ApiPropertyOptional({ example: 'Customer tier', description: 'Shown to people; the name when absent' }) @OptionalNullable() @IsString() @MaxLength(100) label?: string | null;
  @ApiProperty({ enum: CUSTOM_FIELD_TYPES, description: 'select: one of `options`' }) @IsIn(CUSTOM_FIELD_TYPES, { message: TYPE_MESSAGE }) type!: CustomFieldType;
  @ApiPropertyOptional({ type: [String], example: ['gold', 'silver'], description: 'The allowed values of a select field' })
  @OptionalNullable()
  @IsArray()
  @ArrayMaxSize(MAX_OPTIONS)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  options?: string[] | null;

  @ApiPropertyOptional({ default: false, description: 'Required fields must be given when a record is created' }) @OptionalNotNull() @IsBoolean() required?: boolean;
}

/** Body of PATCH …/custom-fields/{name}: the name cannot change (it is the key stored records use). */
export class CustomFieldChangesDto {
  @ApiPropertyOptional({ example: 'Tier' }) @OptionalNullable() @IsString() @MaxLength(100) label?: string | null;
  @ApiPropertyOptional({ enum: CUSTOM_FIELD_TYPES, description: 'Stored values are kept as they are; new writes follow the new type' })
  @OptionalNotNull()
  @IsIn(CUSTOM_FIELD_TYPES, { message: TYPE_MESSAGE })
  type?: CustomFieldType;

  @ApiPropertyOptional({ type: [String] }) @OptionalNullable() @IsArray() @ArrayMaxSize(MAX_OPTIONS) @IsString({ each: true }) @MaxLength(100, { each: true }) options?: string[] | null;
  @ApiPropertyOptional() @OptionalNotNull() @IsBoolean() required?: boolean;
}

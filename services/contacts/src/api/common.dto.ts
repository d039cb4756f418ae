import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO31661Alpha2, IsString, MaxLength } from 'class-validator';
import { OptionalNullable } from './validation';

export class AddressDto {
  @ApiPropertyOptional({ example: '1 Main St' }) @OptionalNullable() @IsString() @MaxLength(200) street?: string;
  @ApiPropertyOptional({ example: 'Vilnius' }) @OptionalNullable() @IsString() @MaxLength(100) city?: string;
  @ApiPropertyOptional({ example: 'Vilnius County' }) @OptionalNullable() @IsString() @MaxLength(100) region?: string;
  @ApiPropertyOptional({ example: 'LT', description: 'ISO 3166-1 alpha-2' }) @OptionalNullable() @IsISO31661Alpha2() country?: string;
  @ApiPropertyOptional({ example: 'LT-01100' }) @OptionalNullable() @IsString() @MaxLength(20) postalCode?: string;
}

export { RECORD_ID_PATTERN as ID_PATTERN } from '@crm/runtime';

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsObject, IsString, MaxLength, ValidateIf } from 'class-validator';
import { WEB_FORM_LEAD_FIELDS } from '../domain/web-form';

const OptionalNullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

export class WebFormBodyDto {
  @ApiProperty({ example: 'Contact us' }) @IsString() @MaxLength(200) name!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', enum: [...WEB_FORM_LEAD_FIELDS] },
    example: { 'your-name': 'name', 'your-email': 'email', company: 'companyName' },
    description: 'Submitted field name → lead field. Fields named like lead fields and utm_* parameters are taken without mapping.',
  })
  @IsObject()
  fields!: Record<string, string>;
  @ApiPropertyOptional({ example: 'website', default: 'web-form', nullable: true }) @OptionalNullable() @IsString() @MaxLength(200) defaultSource?: string | null;
  @ApiPropertyOptional({ example: 'spring-26', nullable: true }) @OptionalNullable() @IsString() @MaxLength(64) defaultCampaignId?: string | null;
  @ApiPropertyOptional({ type: [String], example: ['https://www.example.com'], description: 'Pages of these origins may submit; any when empty' })
  @OptionalNullable() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) allowedOrigins?: string[];
  @ApiPropertyOptional({ example: '_hp', default: '_hp', nullable: true, description: 'A field hidden from people: submissions that fill it are dropped quietly' })
  @OptionalNullable() @IsString() @MaxLength(100) honeypotField?: string | null;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DATE, ID, OptionalNotNull, OptionalNullable } from './service-contract.dto';

const dateMessage = (field: string) => ({ message: `${field} must be a date such as 2026-12-31` });

export class CreateAssetDto {
  @ApiProperty({ example: 'boiler', description: 'Maintenance rules apply per product type (without regard to case)' }) @IsString() @MaxLength(100) productType!: string;
  @ApiProperty({ example: 'Heatmaster 300' }) @IsString() @MaxLength(200) productName!: string;
  @ApiProperty({ example: 'HM300-2023-000117', description: 'Unique per tenant, without regard to case' }) @IsString() @MaxLength(100) serialNumber!: string;
  @ApiProperty({ example: '2023-11-23' }) @IsString() @Matches(DATE, dateMessage('purchaseDate')) purchaseDate!: string;
  @ApiPropertyOptional({ example: '2023-12-01', nullable: true }) @OptionalNullable() @IsString() @Matches(DATE, dateMessage('installDate')) installDate?: string | null;
  @ApiProperty({ example: '2028-11-23' }) @IsString() @Matches(DATE, dateMessage('warrantyEnd')) warrantyEnd!: string;
  @ApiProperty({ example: 'Gedimino pr. 1, Vilnius', description: 'Where the product is installed' }) @IsString() @MaxLength(500) location!: string;
  @ApiProperty({ description: 'The owning contact (known to the contacts service)' }) @IsString() @Matches(ID, { message: 'ownerContactId must be a record id' }) ownerContactId!: string;
  @ApiPropertyOptional({ nullable: true, description: "Defaults to the owner's company" }) @OptionalNullable() @IsString() @Matches(ID, { message: 'companyId must be a record id' }) companyId?: string | null;
  @ApiPropertyOptional({ default: false, description: "VIP customers follow the rule's vipEvery cadence; owners with a vip-tier contract count as VIP too" })
  @OptionalNotNull()
  @IsBoolean()
  vip?: boolean;
}

export class UpdateAssetDto {
  @ApiPropertyOptional({ example: 'boiler' }) @OptionalNotNull() @IsString() @MaxLength(100) productType?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(200) productName?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(100) serialNumber?: string;
  @ApiPropertyOptional({ example: '2023-11-23' }) @OptionalNotNull() @IsString() @Matches(DATE, dateMessage('purchaseDate')) purchaseDate?: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @Matches(DATE, dateMessage('installDate')) installDate?: string | null;
  @ApiPropertyOptional({ example: '2028-11-23' }) @OptionalNotNull() @IsString() @Matches(DATE, dateMessage('warrantyEnd')) warrantyEnd?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(500) location?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @Matches(ID, { message: 'ownerContactId must be a record id' }) ownerContactId?: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @Matches(ID, { message: 'companyId must be a record id' }) companyId?: string | null;
  @ApiPropertyOptional() @OptionalNotNull() @IsBoolean() vip?: boolean;
}

export const ASSET_SORTS = ['createdAt', '-createdAt', 'warrantyEnd', '-warrantyEnd', 'purchaseDate', '-purchaseDate'] as const;

export class ListAssetsQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(ID, { message: 'ownerContactId must be a record id' }) ownerContactId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(ID, { message: 'companyId must be a record id' }) companyId?: string;
  @ApiPropertyOptional({ example: 'boiler' }) @IsOptional() @IsString() @MaxLength(100) productType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) serialNumber?: string;
  @ApiPropertyOptional({ example: '2027-01-01', description: 'Assets whose warranty ends before this date' })
  @IsOptional()
  @IsString()
  @Matches(DATE, dateMessage('warrantyEndBefore'))
  warrantyEndBefore?: string;
  @ApiPropertyOptional({ enum: ASSET_SORTS, default: '-createdAt' }) @IsOptional() @IsIn(ASSET_SORTS, { message: `sort must be one of ${ASSET_SORTS.join(', ')}` }) sort?: (typeof ASSET_SORTS)[number];
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

export class AssetMaintenanceQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 20, default: 3, description: 'How many upcoming visits to list' })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? value : Number(value)))
  @IsInt({ message: 'upcoming must be a whole number' })
  @Min(1)
  @Max(20)
  upcoming?: number;
}

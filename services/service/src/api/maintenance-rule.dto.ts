import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { MAINTENANCE_ANCHORS, type MaintenanceAnchor } from '../domain/maintenance-schedule';
import { OptionalNotNull, OptionalNullable } from './service-contract.dto';

export class MaintenanceIntervalDto {
  @ApiPropertyOptional({ example: 3 }) @OptionalNotNull() @IsInt({ message: 'years must be a whole number' }) @Min(0) @Max(50) years?: number;
  @ApiPropertyOptional({ example: 6 }) @OptionalNotNull() @IsInt({ message: 'months must be a whole number' }) @Min(0) @Max(600) months?: number;
}

/** POST creates a rule; PUT replaces it as a whole (omitted optional parts are removed). */
export class MaintenanceRuleDto {
  @ApiProperty({ example: 'boiler', description: 'One rule per product type (without regard to case)' }) @IsString() @MaxLength(100) productType!: string;
  @ApiPropertyOptional({ type: MaintenanceIntervalDto, nullable: true, example: { years: 3 }, description: 'Cadence of anniversary visits' })
  @OptionalNullable()
  @IsObject()
  @ValidateNested()
  @Type(() => MaintenanceIntervalDto)
  every?: MaintenanceIntervalDto | null;
  @ApiPropertyOptional({ enum: MAINTENANCE_ANCHORS, default: 'purchaseDate', description: 'Anniversaries count from this date (installDate falls back to purchaseDate)' })
  @OptionalNotNull()
  @IsIn(MAINTENANCE_ANCHORS, { message: `anchor must be one of ${MAINTENANCE_ANCHORS.join(', ')}` })
  anchor?: MaintenanceAnchor;
  @ApiPropertyOptional({ type: MaintenanceIntervalDto, nullable: true, example: { years: 1 }, description: 'Cadence for VIP customers; without it they follow every' })
  @OptionalNullable()
  @IsObject()
  @ValidateNested()
  @Type(() => MaintenanceIntervalDto)
  vipEvery?: MaintenanceIntervalDto | null;
  @ApiPropertyOptional({ example: 30, nullable: true, description: 'One visit this many days before the warranty ends' })
  @OptionalNullable()
  @IsInt({ message: 'beforeWarrantyEndDays must be a whole number' })
  @Min(0)
  @Max(3650)
  beforeWarrantyEndDays?: number | null;
}

export class ListMaintenanceRulesQueryDto {
  @ApiPropertyOptional({ example: 'boiler' }) @IsOptional() @IsString() @MaxLength(100) productType?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

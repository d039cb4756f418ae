import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DEFAULT_CONTRACT_TIERS } from '../domain/service-contract';

export const ID = /^[0-9A-Za-z_-]{1,64}$/;
export const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HOURS = /^\d{1,6}(\.\d{1,2})?$/;
const dateMessage = (field: string) => ({ message: `${field} must be a date such as 2026-12-31` });
const idMessage = (field: string) => ({ message: `${field} must be a record id` });

/** Optional, but when present it must not be null. */
export const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);
/** Optional, and null is allowed (it clears the field). */
export const OptionalNullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

export class AsOfQueryDto {
  @ApiPropertyOptional({ description: 'ISO-8601 instant: the record as it was then', example: '2026-11-23T10:00:00Z' }) @IsOptional() @IsString() asOf?: string;
}

export class ContractCustomerDto {
  @ApiPropertyOptional({ description: 'A contact known to the contacts service' }) @OptionalNullable() @IsString() @Matches(ID, idMessage('contactId')) contactId?: string | null;
  @ApiPropertyOptional({ description: 'A company known to the contacts service' }) @OptionalNullable() @IsString() @Matches(ID, idMessage('companyId')) companyId?: string | null;
}

export class EntitlementsDto {
  @ApiPropertyOptional({ example: '40.00', nullable: true, description: 'Support hours per term, a decimal string; null: not limited' })
  @OptionalNullable()
  @IsString()
  @Matches(HOURS, { message: 'hours must be a decimal string such as "40.00" (at most 2 decimals)' })
  hours?: string | null;

  @ApiPropertyOptional({ example: 10, nullable: true, description: 'Tickets per term; null: not limited' })
  @OptionalNullable()
  @IsInt({ message: 'tickets must be a whole number' })
  @Min(0)
  @Max(1_000_000)
  tickets?: number | null;
}

export class CreateServiceContractDto {
  @ApiProperty({ type: ContractCustomerDto, description: 'A contact, a company, or both' }) @IsObject() @ValidateNested() @Type(() => ContractCustomerDto) customer!: ContractCustomerDto;
  @ApiPropertyOptional({ example: 'premium', default: 'standard', description: `Lower-case name; usual ones: ${DEFAULT_CONTRACT_TIERS.join(', ')}` })
  @OptionalNotNull()
  @IsString()
  @MaxLength(32)
  tier?: string;
  @ApiProperty({ example: '2026-01-01' }) @IsString() @Matches(DATE, dateMessage('startDate')) startDate!: string;
  @ApiProperty({ example: '2026-12-31', description: 'Last day of cover, included' }) @IsString() @Matches(DATE, dateMessage('endDate')) endDate!: string;
  @ApiPropertyOptional({ type: [String] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(500) @Matches(ID, { each: true, message: 'coveredAssetIds must be asset ids' }) coveredAssetIds?: string[];
  @ApiPropertyOptional({ type: EntitlementsDto }) @OptionalNotNull() @IsObject() @ValidateNested() @Type(() => EntitlementsDto) entitlements?: EntitlementsDto;
  @ApiPropertyOptional({ type: [Number], example: [90, 30], default: [90, 30], description: 'Days before the end date on which a renewal reminder falls due' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true, message: 'renewalReminderOffsetsDays must be whole numbers of days' })
  @Min(0, { each: true })
  @Max(3650, { each: true })
  renewalReminderOffsetsDays?: number[];
}

export class UpdateServiceContractDto {
  @ApiPropertyOptional({ example: 'vip' }) @OptionalNotNull() @IsString() @MaxLength(32) tier?: string;
  @ApiPropertyOptional({ example: '2026-01-01' }) @OptionalNotNull() @IsString() @Matches(DATE, dateMessage('startDate')) startDate?: string;
  @ApiPropertyOptional({ type: [String] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(500) @Matches(ID, { each: true, message: 'coveredAssetIds must be asset ids' }) coveredAssetIds?: string[];
  @ApiPropertyOptional({ type: EntitlementsDto }) @OptionalNotNull() @IsObject() @ValidateNested() @Type(() => EntitlementsDto) entitlements?: EntitlementsDto;
  @ApiPropertyOptional({ type: [Number], example: [60, 14] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true, message: 'renewalReminderOffsetsDays must be whole numbers of days' })
  @Min(0, { each: true })
  @Max(3650, { each: true })
  renewalReminderOffsetsDays?: number[];
}

export class RenewServiceContractDto {
  @ApiProperty({ example: '2027-12-31', description: 'The new last day of cover; a new term starts the day after the current end date' })
  @IsString()
  @Matches(DATE, dateMessage('endDate'))
  endDate!: string;
  @ApiPropertyOptional({ type: EntitlementsDto, description: 'Entitlements of the new term; the current ones when absent' })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => EntitlementsDto)
  entitlements?: EntitlementsDto;
  @ApiPropertyOptional({ example: 'vip' }) @OptionalNotNull() @IsString() @MaxLength(32) tier?: string;
}

export class CancelServiceContractDto {
  @ApiPropertyOptional({ example: 'Customer moved to a competitor' }) @OptionalNullable() @IsString() @MaxLength(1000) reason?: string | null;
}

export class ContractConsumptionDto {
  @ApiProperty({ description: 'The ticket the hours were spent on' }) @IsString() @Matches(ID, idMessage('ticketId')) ticketId!: string;
  @ApiProperty({ example: '1.50', description: 'Hours spent, a decimal string' })
  @IsString()
  @Matches(HOURS, { message: 'hours must be a decimal string such as "1.50" (at most 2 decimals)' })
  hours!: string;
}

export const CONTRACT_STATUSES = ['scheduled', 'active', 'expired', 'cancelled'] as const;
export const CONTRACT_SORTS = ['createdAt', '-createdAt', 'endDate', '-endDate', 'startDate', '-startDate'] as const;

export class ListServiceContractsQueryDto {
  @ApiPropertyOptional({ description: 'A contact or company id: contracts of that customer' }) @IsOptional() @IsString() @Matches(ID, idMessage('customer')) customer?: string;
  @ApiPropertyOptional({ enum: CONTRACT_STATUSES, description: 'Standing as of today' })
  @IsOptional()
  @IsIn(CONTRACT_STATUSES, { message: `status must be one of ${CONTRACT_STATUSES.join(', ')}` })
  status?: (typeof CONTRACT_STATUSES)[number];
  @ApiPropertyOptional({ example: 'vip' }) @IsOptional() @IsString() @MaxLength(32) tier?: string;
  @ApiPropertyOptional({ example: '2027-01-01', description: 'Contracts whose end date is before this date' })
  @IsOptional()
  @IsString()
  @Matches(DATE, dateMessage('expiringBefore'))
  expiringBefore?: string;
  @ApiPropertyOptional({ enum: CONTRACT_SORTS, default: '-createdAt' }) @IsOptional() @IsIn(CONTRACT_SORTS, { message: `sort must be one of ${CONTRACT_SORTS.join(', ')}` }) sort?: (typeof CONTRACT_SORTS)[number];
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

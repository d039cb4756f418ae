import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { AS_OF_DESCRIPTION, PERIOD_DESCRIPTION } from './forecast.dto';

const CURRENCY = /^[A-Za-z]{3}$/;
const CURRENCY_MESSAGE = 'currency must be an ISO 4217 code such as EUR';
const AMOUNT_DESCRIPTION = 'Exact decimal as a string, greater than zero, with at most the currency’s minor units';

export class QuotaBodyDto {
  @ApiProperty({ example: 'ana', description: 'The user the quota is for' }) @IsString() @MaxLength(128) ownerId!: string;
  @ApiProperty({ example: '2026-Q4', description: PERIOD_DESCRIPTION }) @IsString() @MaxLength(16) period!: string;
  @ApiProperty({ example: '50000.00', description: AMOUNT_DESCRIPTION }) @IsString({ message: 'amount must be a decimal written as a string, e.g. "50000.00"' }) @MaxLength(40) amount!: string;
  @ApiProperty({ example: 'EUR' }) @Matches(CURRENCY, { message: CURRENCY_MESSAGE }) currency!: string;
}

export class QuotaChangeDto {
  @ApiProperty({ example: '60000.00', description: AMOUNT_DESCRIPTION }) @IsString({ message: 'amount must be a decimal written as a string, e.g. "50000.00"' }) @MaxLength(40) amount!: string;
  @ApiProperty({ example: 'EUR' }) @Matches(CURRENCY, { message: CURRENCY_MESSAGE }) currency!: string;
}

export class ListQuotasQueryDto {
  @ApiPropertyOptional({ example: '2026-Q4', description: PERIOD_DESCRIPTION }) @IsOptional() @IsString() @MaxLength(16) period?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) ownerId?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(200, { message: 'limit must not be greater than 200' })
  limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

export class AttainmentQueryDto {
  @ApiProperty({ example: '2026-Q4', description: PERIOD_DESCRIPTION }) @IsString({ message: 'period is required, e.g. 2026-Q4 or 2026-11' }) @MaxLength(16) period!: string;
  @ApiPropertyOptional({ description: 'Only this owner' }) @IsOptional() @IsString() @MaxLength(128) ownerId?: string;
  @ApiPropertyOptional({ example: '2026-11-15', description: `${AS_OF_DESCRIPTION} Quotas are then also taken as they stood at that moment.` })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  asOf?: string;
}

export class QuotaAsOfQueryDto {
  @ApiPropertyOptional({ example: '2026-10-01T12:00:00Z', description: 'Read the quota as it was at this ISO-8601 instant' }) @IsOptional() @IsString() asOf?: string;
}

export class QuotaDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'ana' }) ownerId!: string;
  @ApiProperty({ example: '2026-Q4' }) period!: string;
  @ApiProperty({ example: '50000.00' }) amount!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ description: 'Stream revision; also the ETag' }) revision!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class QuotaListDto {
  @ApiProperty({ type: [QuotaDto] }) items!: QuotaDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

class MoneyDto {
  @ApiProperty({ example: '30000.00' }) amount!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
}

class OtherCurrencyWonDto {
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: '999.00' }) amount!: string;
  @ApiProperty() wonDeals!: number;
}

export class QuotaAttainmentDto {
  @ApiProperty() quotaId!: string;
  @ApiProperty({ example: 'ana' }) ownerId!: string;
  @ApiProperty({ example: '2026-Q4' }) period!: string;
  @ApiProperty({ type: MoneyDto }) quota!: MoneyDto;
  @ApiProperty({ example: '25000.00', description: 'Σ amount of the owner’s deals won in the period, in the quota’s currency' }) closedWon!: string;
  @ApiProperty() wonDeals!: number;
  @ApiProperty({ example: '83.33', description: 'closedWon / quota × 100, rounded half-up to 2 decimals (not capped at 100)' }) attainmentPercent!: string;
  @ApiProperty({ type: [OtherCurrencyWonDto], description: 'Won deals in other currencies: listed, never converted' })
  closedWonInOtherCurrencies!: OtherCurrencyWonDto[];
}

export class AttainmentReportDto {
  @ApiProperty({ example: '2026-Q4' }) period!: string;
  @ApiProperty({ example: '2026-10-01' }) start!: string;
  @ApiProperty({ example: '2026-12-31' }) end!: string;
  @ApiProperty({ type: String, nullable: true }) asOf!: string | null;
  @ApiProperty({ type: [QuotaAttainmentDto] }) items!: QuotaAttainmentDto[];
}

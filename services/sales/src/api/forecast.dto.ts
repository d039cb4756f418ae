import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { FORECAST_GROUP_BY, type ForecastGroupBy } from '../domain/forecast';

export const PERIOD_DESCRIPTION = 'A calendar month (2026-11) or quarter (2026-Q4)';
export const AS_OF_DESCRIPTION =
  'What the figures were at a past moment: a date (2026-10-01, meaning the end of that day in UTC) or an ISO-8601 instant (UTC when it names no offset). Omit for now.';

export class ForecastQueryDto {
  @ApiProperty({ example: '2026-Q4', description: PERIOD_DESCRIPTION }) @IsString({ message: 'period is required, e.g. 2026-Q4 or 2026-11' }) @MaxLength(16) period!: string;
  @ApiPropertyOptional({ enum: FORECAST_GROUP_BY, description: 'Adds one group of figures per owner or per pipeline' })
  @IsOptional()
  @IsIn(FORECAST_GROUP_BY, { message: `groupBy must be one of ${FORECAST_GROUP_BY.join(', ')}` })
  groupBy?: ForecastGroupBy;
  @ApiPropertyOptional({ description: 'Only deals of this owner' }) @IsOptional() @IsString() @MaxLength(128) ownerId?: string;
  @ApiPropertyOptional({ description: 'Only deals of this pipeline' }) @IsOptional() @IsString() @MaxLength(64) pipelineId?: string;
  @ApiPropertyOptional({ example: 'EUR', description: 'Only deals in this ISO 4217 currency' })
  @IsOptional()
  @Matches(/^[A-Za-z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency?: string;
  @ApiPropertyOptional({ example: '2026-10-01', description: AS_OF_DESCRIPTION }) @IsOptional() @IsString() @MaxLength(40) asOf?: string;
}

export class ForecastFiguresDto {
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: '6333.333', description: 'Σ amount × stage probability / 100 of the open deals expected to close in the period (exact decimal)' })
  weightedPipeline!: string;
  @ApiProperty({ example: '21333.33', description: 'Σ amount of the same open deals, unweighted' }) openPipeline!: string;
  @ApiProperty({ example: '5000.50', description: 'Σ amount of those open deals in forecast category commit' }) commit!: string;
  @ApiProperty({ example: '8000.00', description: 'Σ amount of those open deals in forecast category best_case or commit' }) bestCase!: string;
  @ApiProperty({ example: '12000.00', description: 'Σ amount of the deals won with closedOn in the period' }) closedWon!: string;
  @ApiProperty({ example: '0.00', description: 'Σ amount of the deals lost with closedOn in the period' }) closedLost!: string;
  @ApiProperty() openDeals!: number;
  @ApiProperty() commitDeals!: number;
  @ApiProperty() bestCaseDeals!: number;
  @ApiProperty() wonDeals!: number;
  @ApiProperty() lostDeals!: number;
}

export class ForecastGroupDto {
  @ApiProperty({ type: String, nullable: true, description: 'The owner id or pipeline id; null for deals without an owner' }) key!: string | null;
  @ApiProperty({ type: [ForecastFiguresDto], description: 'One entry per currency' }) totals!: ForecastFiguresDto[];
}

export class ForecastDto {
  @ApiProperty({ example: '2026-Q4' }) period!: string;
  @ApiProperty({ example: '2026-10-01' }) start!: string;
  @ApiProperty({ example: '2026-12-31' }) end!: string;
  @ApiProperty({ type: String, nullable: true, example: '2026-10-01T23:59:59.999Z', description: 'The instant the figures are as of; null for now' })
  asOf!: string | null;
  @ApiProperty({ enum: FORECAST_GROUP_BY, nullable: true }) groupBy!: ForecastGroupBy | null;
  @ApiProperty({ type: [ForecastFiguresDto], description: 'One entry per currency, sorted by code; currencies are never added together' })
  totals!: ForecastFiguresDto[];
  @ApiPropertyOptional({ type: [ForecastGroupDto], description: 'With groupBy: one entry per owner or pipeline' }) groups?: ForecastGroupDto[];
}

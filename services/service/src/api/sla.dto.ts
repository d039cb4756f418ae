import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsNumber, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { PAUSABLE_STATUSES, type PausableStatus, SLA_PRIORITIES, type SlaPriority } from '../domain/sla-clock';
import { MAX_TARGET_MINUTES, MIN_TARGET_MINUTES } from '../domain/sla-policy';

const booleanQuery = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class PriorityTargetsDto {
  @ApiPropertyOptional({ example: 60, minimum: MIN_TARGET_MINUTES, description: 'Business minutes to the first agent reply; fractional allowed (0.05 = 3 s)' })
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(MIN_TARGET_MINUTES)
  @Max(MAX_TARGET_MINUTES)
  firstResponseMinutes?: number | null;
  @ApiPropertyOptional({ example: 480, minimum: MIN_TARGET_MINUTES, description: 'Business minutes to solved' })
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(MIN_TARGET_MINUTES)
  @Max(MAX_TARGET_MINUTES)
  resolutionMinutes?: number | null;
}

export class PolicyTargetsDto {
  @ApiPropertyOptional({ type: PriorityTargetsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto) low?: PriorityTargetsDto;
  @ApiPropertyOptional({ type: PriorityTargetsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto) normal?: PriorityTargetsDto;
  @ApiPropertyOptional({ type: PriorityTargetsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto) high?: PriorityTargetsDto;
  @ApiPropertyOptional({ type: PriorityTargetsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PriorityTargetsDto) urgent?: PriorityTargetsDto;
}

export class PolicyConditionsDto {
  @ApiPropertyOptional({ enum: SLA_PRIORITIES, isArray: true, description: 'Empty or absent: any priority' })
  @IsOptional()
  @IsArray()
  @IsIn(SLA_PRIORITIES, { each: true, message: `priorities must be among ${SLA_PRIORITIES.join(', ')}` })
  priorities?: SlaPriority[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) categories?: string[];
  @ApiPropertyOptional({ type: [String], description: "The customer's service-contract tier" }) @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) contractTiers?: string[];
}

/** A whole policy: POST creates one, PUT replaces one (a new revision). */
export class SlaPolicyBodyDto {
  @ApiProperty({ example: 'Gold customers' }) @IsString() @MaxLength(200) name!: string;
  @ApiProperty({ description: 'The business calendar the clock counts on' }) @IsString() @MaxLength(64) calendarId!: string;
  @ApiPropertyOptional({ default: 100, description: 'Policies are tried in ascending rank, then oldest first; the first that matches applies' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  rank?: number;
  @ApiPropertyOptional({ type: PolicyConditionsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PolicyConditionsDto) conditions?: PolicyConditionsDto;
  @ApiProperty({ type: PolicyTargetsDto, description: 'Targets per priority; a policy applies only to priorities it has targets for' })
  @IsObject()
  @ValidateNested()
  @Type(() => PolicyTargetsDto)
  targets!: PolicyTargetsDto;
  @ApiPropertyOptional({ default: 0.75, description: 'Share of the target at which the warning is issued (0 < warningAt < 1)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(0.999)
  warningAt?: number;
  @ApiPropertyOptional({ enum: PAUSABLE_STATUSES, isArray: true, default: ['pending'], description: 'Statuses in which the clocks pause' })
  @IsOptional()
  @IsArray()
  @IsIn(PAUSABLE_STATUSES, { each: true, message: `pauseOn must be among ${PAUSABLE_STATUSES.join(', ')}` })
  pauseOn?: PausableStatus[];
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

export class RecomputeQueryDto {
  @ApiProperty({ example: '2026-11-01T00:00:00Z', description: 'Tickets opened at or after this instant' }) @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 instant' }) from!: string;
  @ApiPropertyOptional({ description: 'Tickets opened before this instant; absent: up to now' }) @IsOptional() @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 instant' }) to?: string;
}

export class OutcomesQueryDto {
  @ApiPropertyOptional({ description: 'true: the results of the last recompute; false (default): what the live clocks recorded' })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean({ message: 'recomputed must be true or false' })
  recomputed?: boolean;
  @ApiPropertyOptional({ description: 'Recomputed only: just the tickets whose outcome differs from the recorded one (or not)' })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean({ message: 'changed must be true or false' })
  changed?: boolean;
  @ApiPropertyOptional({ description: 'Live only: tickets opened at or after' }) @IsOptional() @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 instant' }) from?: string;
  @ApiPropertyOptional({ description: 'Live only: tickets opened before' }) @IsOptional() @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 instant' }) to?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

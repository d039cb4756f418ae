import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { MAX_HOLIDAYS, type Weekday, WEEKDAYS } from '../domain/business-hours';

export class WorkingHoursDto {
  @ApiProperty({ enum: WEEKDAYS, example: 'mon' }) @IsIn(WEEKDAYS, { message: `day must be one of ${WEEKDAYS.join(', ')}` }) day!: Weekday;
  @ApiProperty({ example: '09:00', description: 'Local time HH:mm, inclusive' }) @IsString() @MaxLength(5) from!: string;
  @ApiProperty({ example: '17:00', description: 'Local time HH:mm, exclusive; 24:00 is the end of the day' }) @IsString() @MaxLength(5) to!: string;
}

/** A whole calendar: POST creates one, PUT replaces one (a new revision; the old ones stay readable). */
export class BusinessCalendarBodyDto {
  @ApiProperty({ example: 'Vilnius office' }) @IsString() @MaxLength(200) name!: string;
  @ApiProperty({ example: 'Europe/Vilnius', description: 'IANA time zone; working hours and holidays are local to it' }) @IsString() @MaxLength(100) timeZone!: string;
  @ApiProperty({
    type: [WorkingHoursDto],
    description: 'Working intervals per weekday; several a day are allowed (not overlapping). 24/7: every day 00:00-24:00',
  })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => WorkingHoursDto)
  workingHours!: WorkingHoursDto[];
  @ApiPropertyOptional({ type: [String], example: ['2026-12-24', '2026-12-25'], description: 'Whole local days off (YYYY-MM-DD)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_HOLIDAYS)
  @IsString({ each: true })
  holidays?: string[];
}

export class DefinitionListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

export class RevisionQueryDto {
  @ApiPropertyOptional({ description: 'A past revision (0-based, as in ETag): the definition as it was then' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'revision must be a whole number' })
  @Min(0)
  revision?: number;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { QUEUE_ASSIGNMENT_STRATEGIES } from '../domain/assignment';

const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

export class CreateQueueDto {
  @ApiProperty({ example: 'Hardware support' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ enum: QUEUE_ASSIGNMENT_STRATEGIES, default: 'manual' })
  @OptionalNotNull()
  @IsIn(QUEUE_ASSIGNMENT_STRATEGIES, { message: `assignment must be one of ${QUEUE_ASSIGNMENT_STRATEGIES.join(', ')}` })
  assignment?: (typeof QUEUE_ASSIGNMENT_STRATEGIES)[number];
  @ApiPropertyOptional({ type: [String], description: 'Ticket categories routed here when a ticket names no queue' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  categories?: string[];
}

export class UpdateQueueDto {
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ enum: QUEUE_ASSIGNMENT_STRATEGIES })
  @OptionalNotNull()
  @IsIn(QUEUE_ASSIGNMENT_STRATEGIES, { message: `assignment must be one of ${QUEUE_ASSIGNMENT_STRATEGIES.join(', ')}` })
  assignment?: (typeof QUEUE_ASSIGNMENT_STRATEGIES)[number];
  @ApiPropertyOptional({ type: [String] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(100, { each: true }) categories?: string[];
}

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

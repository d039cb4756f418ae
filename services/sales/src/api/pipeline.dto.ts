import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { STAGE_TYPES, type StageType } from '../domain/deal';
import { ID_PATTERN, OptionalNotNull } from './deal.dto';

export class StageDto {
  @ApiProperty({ example: 'Proposal' }) @IsString() @MaxLength(100) name!: string;
  @ApiPropertyOptional({ example: 50, description: 'Whole percentage 0-100; won stages are 100 and lost stages 0' })
  @OptionalNotNull()
  @IsInt({ message: 'probability must be a whole number' })
  @Min(0)
  @Max(100)
  probability?: number;
  @ApiPropertyOptional({ enum: STAGE_TYPES, default: 'open' }) @OptionalNotNull() @IsIn(STAGE_TYPES, { message: `type must be one of ${STAGE_TYPES.join(', ')}` }) type?: StageType;
}

export class CreatePipelineDto {
  @ApiProperty({ example: 'New business' }) @IsString() @MaxLength(100) name!: string;
  @ApiPropertyOptional({ type: [StageDto], description: 'In board order; at least one open stage. A common B2B set when omitted' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => StageDto)
  stages?: StageDto[];
}

export class UpdatePipelineDto {
  @ApiProperty({ example: 'Renewals' }) @IsString() @MaxLength(100) name!: string;
}

export class AddStageDto extends StageDto {
  @ApiPropertyOptional({ description: '0-based place in the order; at the end when omitted' }) @IsOptional() @IsInt({ message: 'position must be a whole number' }) @Min(0) position?: number;
}

export class UpdateStageDto {
  @ApiPropertyOptional({ example: 'Proposal sent' }) @OptionalNotNull() @IsString() @MaxLength(100) name?: string;
  @ApiPropertyOptional({ example: 60 }) @OptionalNotNull() @IsInt({ message: 'probability must be a whole number' }) @Min(0) @Max(100) probability?: number;
}

export class ReorderStagesDto {
  @ApiProperty({ type: [String], description: 'Every stage id of the pipeline, once, in the new order' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(ID_PATTERN, { each: true, message: 'stageIds must be stage ids' })
  stageIds!: string[];
}

export class RemoveStageQueryDto {
  @ApiPropertyOptional({ description: 'Another open stage of the pipeline: required while the stage holds open deals' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: 'moveDealsTo must be a stage id' })
  moveDealsTo?: string;
}

export class ListPipelinesQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

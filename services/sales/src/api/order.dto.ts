import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ListOrdersQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) dealId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) quoteId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) contactId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) companyId?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(200, { message: 'limit must not be greater than 200' })
  limit?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

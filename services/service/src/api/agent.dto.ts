import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);
const ID = /^[0-9A-Za-z_-]{1,64}$/;

export class CreateAgentDto {
  @ApiProperty({ example: 'Grace Hopper' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ example: 'grace@example.com' }) @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(320) email!: string;
  @ApiPropertyOptional({ type: [String], description: 'Ticket categories the agent handles' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  skills?: string[];
  @ApiPropertyOptional({ type: [String] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(100) @Matches(ID, { each: true, message: 'queueIds must be ids' }) queueIds?: string[];
  @ApiPropertyOptional({ default: true }) @OptionalNotNull() @IsBoolean() active?: boolean;
}

export class UpdateAgentDto {
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(320) email?: string;
  @ApiPropertyOptional({ type: [String] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(100, { each: true }) skills?: string[];
  @ApiPropertyOptional({ type: [String] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(100) @Matches(ID, { each: true, message: 'queueIds must be ids' }) queueIds?: string[];
  @ApiPropertyOptional() @OptionalNotNull() @IsBoolean() active?: boolean;
}

export class ListAgentsQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(ID, { message: 'queueId must be an id' }) queueId?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean({ message: 'active must be true or false' }) active?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) skill?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

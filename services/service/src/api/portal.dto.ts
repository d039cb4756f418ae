import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../domain/ticket';
import { AttachmentDto } from './ticket.dto';

const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);
const OptionalNullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

export class PortalSessionDto {
  @ApiProperty({ description: 'The contact the session speaks for' }) @Matches(/^[0-9A-Za-z_-]{1,64}$/, { message: 'contactId must be an id' }) contactId!: string;
}

export class PortalTicketDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(500) subject!: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(100_000) description?: string;
  @ApiPropertyOptional({ enum: TICKET_PRIORITIES }) @OptionalNotNull() @IsIn(TICKET_PRIORITIES, { message: `priority must be one of ${TICKET_PRIORITIES.join(', ')}` }) priority?: (typeof TICKET_PRIORITIES)[number];
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(100) category?: string | null;
  @ApiPropertyOptional({ type: [AttachmentDto] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => AttachmentDto) attachments?: AttachmentDto[];
}

export class PortalReplyDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(100_000) body!: string;
  @ApiPropertyOptional({ type: [AttachmentDto] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => AttachmentDto) attachments?: AttachmentDto[];
}

export class PortalListQueryDto {
  @ApiPropertyOptional({ enum: TICKET_STATUSES }) @IsOptional() @IsIn(TICKET_STATUSES, { message: `status must be one of ${TICKET_STATUSES.join(', ')}` }) status?: (typeof TICKET_STATUSES)[number];
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

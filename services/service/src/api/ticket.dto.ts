import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { SLA_STATES } from '../application/ticket-read-models';
import { ASSIGNMENT_METHODS, TICKET_CHANNELS, TICKET_PRIORITIES, TICKET_STATUSES } from '../domain/ticket';

/** Optional, but when present it must not be null. */
const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);
/** Optional, and null is allowed (it clears the field). */
const OptionalNullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

const ID = /^[0-9A-Za-z_-]{1,64}$/;
const ID_MESSAGE = 'must be an id (letters, digits, _ or -, at most 64)';

export class AttachmentDto {
  @ApiProperty({ example: 'invoice.pdf' }) @IsString() @IsNotEmpty() @MaxLength(255) name!: string;
  @ApiProperty({ example: 'https://files.example.com/abc/invoice.pdf', description: 'Where the file is stored: tickets keep references only' })
  @IsString()
  @Matches(/^https?:\/\/\S+$/i, { message: 'url must be an http(s) URL' })
  @MaxLength(2000)
  url!: string;
  @ApiProperty({ example: 'application/pdf' }) @IsString() @IsNotEmpty() @MaxLength(255) contentType!: string;
  @ApiProperty({ example: 48213, description: 'Bytes' }) @IsInt() @Min(0) size!: number;
}

export class OpenTicketDto {
  @ApiProperty({ enum: TICKET_CHANNELS }) @IsIn(TICKET_CHANNELS, { message: `channel must be one of ${TICKET_CHANNELS.join(', ')}` }) channel!: (typeof TICKET_CHANNELS)[number];
  @ApiProperty({ example: 'Printer jams on every page' }) @IsString() @IsNotEmpty() @MaxLength(500) subject!: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(100_000) description?: string;
  @ApiPropertyOptional({ nullable: true, description: 'The requesting contact (must be known to the service desk)' })
  @OptionalNullable()
  @Matches(ID, { message: `requesterContactId ${ID_MESSAGE}` })
  requesterContactId?: string | null;
  @ApiPropertyOptional({ nullable: true, example: 'ada@example.com' }) @OptionalNullable() @IsString() @Matches(/^[^\s@]+@[^\s@]+$/, { message: 'requesterEmail must be an email address' }) @MaxLength(320) requesterEmail?: string | null;
  @ApiPropertyOptional({ nullable: true, description: "Defaults to the requester's company" }) @OptionalNullable() @Matches(ID, { message: `companyId ${ID_MESSAGE}` }) companyId?: string | null;
  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, default: 'normal' }) @OptionalNotNull() @IsIn(TICKET_PRIORITIES, { message: `priority must be one of ${TICKET_PRIORITIES.join(', ')}` }) priority?: (typeof TICKET_PRIORITIES)[number];
  @ApiPropertyOptional({ nullable: true, example: 'hardware' }) @OptionalNullable() @IsString() @MaxLength(100) category?: string | null;
  @ApiPropertyOptional({ type: [String] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(50, { each: true }) tags?: string[];
  @ApiPropertyOptional({ nullable: true, description: "Defaults to the queue of the ticket's category, if any" }) @OptionalNullable() @Matches(ID, { message: `queueId ${ID_MESSAGE}` }) queueId?: string | null;
  @ApiPropertyOptional({ type: [AttachmentDto] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => AttachmentDto) attachments?: AttachmentDto[];
}

export class UpdateTicketDto {
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @IsNotEmpty() @MaxLength(500) subject?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(100_000) description?: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(100) category?: string | null;
  @ApiPropertyOptional({ type: [String] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(50, { each: true }) tags?: string[];
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @Matches(ID, { message: `requesterContactId ${ID_MESSAGE}` }) requesterContactId?: string | null;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @Matches(/^[^\s@]+@[^\s@]+$/, { message: 'requesterEmail must be an email address' }) @MaxLength(320) requesterEmail?: string | null;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @Matches(ID, { message: `companyId ${ID_MESSAGE}` }) companyId?: string | null;
}

export class ChangeStatusDto {
  @ApiProperty({ enum: TICKET_STATUSES, description: 'new → open → pending (waiting on the customer) → on_hold → solved → closed; solved → open reopens; closed is final' })
  @IsIn(TICKET_STATUSES, { message: `status must be one of ${TICKET_STATUSES.join(', ')}` })
  status!: (typeof TICKET_STATUSES)[number];
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(500) reason?: string | null;
}

export class ChangePriorityDto {
  @ApiProperty({ enum: TICKET_PRIORITIES }) @IsIn(TICKET_PRIORITIES, { message: `priority must be one of ${TICKET_PRIORITIES.join(', ')}` }) priority!: (typeof TICKET_PRIORITIES)[number];
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(500) reason?: string | null;
}

export class AssignTicketDto {
  @ApiProperty() @Matches(ID, { message: `queueId ${ID_MESSAGE}` }) queueId!: string;
  @ApiPropertyOptional({ nullable: true, description: 'Omit to let the strategy pick (or to leave the ticket unassigned in the queue with method manual)' })
  @OptionalNullable()
  @Matches(ID, { message: `assigneeId ${ID_MESSAGE}` })
  assigneeId?: string | null;
  @ApiPropertyOptional({ enum: ASSIGNMENT_METHODS, description: "Defaults to manual with an assignee, else the queue's strategy" })
  @OptionalNotNull()
  @IsIn(ASSIGNMENT_METHODS, { message: `method must be one of ${ASSIGNMENT_METHODS.join(', ')}` })
  method?: (typeof ASSIGNMENT_METHODS)[number];
}

export class ReplyDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(100_000) body!: string;
  @ApiPropertyOptional({ enum: ['agent', 'requester'], default: 'agent', description: 'requester: an agent records what the customer said (e.g. on the phone)' })
  @OptionalNotNull()
  @IsIn(['agent', 'requester'], { message: 'authorType must be agent or requester' })
  authorType?: 'agent' | 'requester';
  @ApiPropertyOptional({ type: [AttachmentDto] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => AttachmentDto) attachments?: AttachmentDto[];
}

export class NoteDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(100_000) body!: string;
  @ApiPropertyOptional({ type: [AttachmentDto] }) @OptionalNotNull() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => AttachmentDto) attachments?: AttachmentDto[];
}

export class FlagDto {
  @ApiProperty({ example: 'vip_complaint' }) @Matches(/^[a-z][a-z0-9_]{0,63}$/, { message: 'flag must be lower-case letters, digits and _, starting with a letter' }) flag!: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(500) reason?: string | null;
}

export class CsatDto {
  @ApiProperty({ description: 'The signed single-use token from the survey link' }) @IsString() @IsNotEmpty() @MaxLength(500) token!: string;
  @ApiProperty({ minimum: 1, maximum: 5 }) @IsInt({ message: 'score must be a whole number from 1 to 5' }) @Min(1) @Max(5) score!: number;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @MaxLength(10_000) comment?: string | null;
}

export const TICKET_SORTS = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt'] as const;

export class ListTicketsQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(ID, { message: `queueId ${ID_MESSAGE}` }) queueId?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(ID, { message: `assigneeId ${ID_MESSAGE}` }) assigneeId?: string;
  @ApiPropertyOptional({ enum: TICKET_STATUSES }) @IsOptional() @IsIn(TICKET_STATUSES, { message: `status must be one of ${TICKET_STATUSES.join(', ')}` }) status?: (typeof TICKET_STATUSES)[number];
  @ApiPropertyOptional({ enum: TICKET_PRIORITIES }) @IsOptional() @IsIn(TICKET_PRIORITIES, { message: `priority must be one of ${TICKET_PRIORITIES.join(', ')}` }) priority?: (typeof TICKET_PRIORITIES)[number];
  @ApiPropertyOptional() @IsOptional() @Matches(ID, { message: `requesterContactId ${ID_MESSAGE}` }) requesterContactId?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(ID, { message: `companyId ${ID_MESSAGE}` }) companyId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) category?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) tag?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) flag?: string;
  @ApiPropertyOptional({ enum: SLA_STATES }) @IsOptional() @IsIn(SLA_STATES, { message: `slaState must be one of ${SLA_STATES.join(', ')}` }) slaState?: (typeof SLA_STATES)[number];
  @ApiPropertyOptional({ description: 'Words of the subject or description (all must appear); case-insensitive' }) @IsOptional() @IsString() @MaxLength(200) q?: string;
  @ApiPropertyOptional({ enum: TICKET_SORTS, default: '-createdAt' }) @IsOptional() @IsIn(TICKET_SORTS, { message: `sort must be one of ${TICKET_SORTS.join(', ')}` }) sort?: (typeof TICKET_SORTS)[number];
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200, { message: 'limit must not be greater than 200' }) limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

export class AsOfQueryDto {
  @ApiPropertyOptional({ description: 'ISO-8601 instant: the ticket as it was then', example: '2026-11-23T10:00:00Z' }) @IsOptional() @IsString() asOf?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { TIMELINE_ORDERS, type TimelineOrder } from '../application/timeline';
import {
  INTERACTION_DIRECTIONS,
  INTERACTION_KINDS,
  type InteractionDirection,
  type InteractionKind,
  MAX_DURATION_SECONDS,
  MAX_PARTICIPANTS,
} from '../domain/interaction';
import { ID_PATTERN } from './common.dto';
import { OptionalNotNull, OptionalNullable } from './validation';

/** Exactly one of email, phone or contactId. */
export class ParticipantDto {
  @ApiPropertyOptional({ example: 'grace@navy.example' }) @OptionalNullable() @IsEmail({}, { message: 'email must be a valid email address' }) @MaxLength(254) email?: string | null;
  @ApiPropertyOptional({ example: '+37060012345', description: 'International format, or national when the contact has an address country' })
  @OptionalNullable()
  @IsString()
  @MaxLength(32)
  phone?: string | null;

  @ApiPropertyOptional({ description: 'A contact of the tenant' }) @OptionalNullable() @IsString() @Matches(ID_PATTERN, { message: 'contactId is not a contact id' }) contactId?: string | null;
  @ApiPropertyOptional({ example: 'Grace Hopper' }) @OptionalNullable() @IsString() @MaxLength(200) name?: string | null;
}

/** Body of POST /contacts/{id}/interactions. */
export class InteractionBodyDto {
  @ApiProperty({ enum: INTERACTION_KINDS }) @IsIn(INTERACTION_KINDS, { message: `kind must be one of ${INTERACTION_KINDS.join(', ')}` }) kind!: InteractionKind;
  @ApiPropertyOptional({ enum: INTERACTION_DIRECTIONS, description: 'Calls, emails and messages only' })
  @OptionalNullable()
  @IsIn(INTERACTION_DIRECTIONS, { message: 'direction must be inbound or outbound' })
  direction?: InteractionDirection | null;

  @ApiPropertyOptional({ example: 'phone', description: 'How it happened: phone, zoom, sms, whatsapp, in-person…' }) @OptionalNullable() @IsString() @MaxLength(50) channel?: string | null;
  @ApiPropertyOptional({ example: 'Renewal' }) @OptionalNullable() @IsString() @MaxLength(500) subject?: string | null;
  @ApiPropertyOptional({ description: 'Required for notes' }) @OptionalNullable() @IsString() @MaxLength(100_000) body?: string | null;
  @ApiPropertyOptional({ example: '2026-11-23T10:00:00Z', description: 'When it happened; now when absent' })
  @OptionalNullable()
  @IsISO8601({ strict: true }, { message: 'occurredAt must be an ISO-8601 instant, e.g. 2026-11-23T10:00:00Z' })
  occurredAt?: string | null;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_DURATION_SECONDS, description: 'Calls and meetings only' })
  @OptionalNullable()
  @IsInt({ message: 'durationSeconds must be a whole number' })
  @Min(0)
  @Max(MAX_DURATION_SECONDS)
  durationSeconds?: number | null;

  @ApiPropertyOptional({ type: [ParticipantDto], description: 'Matched to the tenant\'s contacts by email or phone; the unmatched are reported back' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_PARTICIPANTS)
  @ValidateNested({ each: true })
  @Type(() => ParticipantDto)
  participants?: ParticipantDto[];
}

export class TimelineQueryDto {
  @ApiPropertyOptional({ enum: TIMELINE_ORDERS, default: 'desc', description: 'desc: newest first' })
  @IsOptional()
  @IsIn(TIMELINE_ORDERS, { message: 'order must be asc or desc' })
  order?: TimelineOrder;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(200, { message: 'limit must not be greater than 200' })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page (same order and source)' }) @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
  @ApiPropertyOptional({ example: 'interaction', description: 'Only entries of one source: contact, interaction, or another service such as deals' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{1,31}$/, { message: 'source must be a source name such as interaction' })
  source?: string;
}

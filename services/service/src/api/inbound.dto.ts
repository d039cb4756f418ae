import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsNotEmpty, IsObject, IsString, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { AttachmentDto } from './ticket.dto';

const Optional = () => ValidateIf((_object, value) => value !== undefined && value !== null);

export class EmailAddressDto {
  @ApiProperty({ example: 'ada@example.com' }) @IsEmail({}, { message: 'from.email must be an email address' }) @MaxLength(320) email!: string;
  @ApiPropertyOptional({ nullable: true, example: 'Ada Lovelace' }) @Optional() @IsString() @MaxLength(320) name?: string | null;
}

/** A parsed inbound email (MIME decoding and attachment storage are the mail gateway's job). */
export class InboundEmailDto {
  @ApiProperty({ example: '<CAF1234@mail.example.com>', description: 'The Message-ID header' }) @IsString() @IsNotEmpty() @MaxLength(998) messageId!: string;
  @ApiPropertyOptional({ nullable: true, description: 'The In-Reply-To header' }) @Optional() @IsString() @MaxLength(998) inReplyTo?: string | null;
  @ApiPropertyOptional({ type: [String], description: 'The References header, one Message-ID per item, oldest first' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(998, { each: true })
  references?: string[];
  @ApiProperty({ type: EmailAddressDto }) @IsObject() @ValidateNested() @Type(() => EmailAddressDto) from!: EmailAddressDto;
  @ApiPropertyOptional({ description: 'Recipient address(es)', oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }) @Optional() @IsString({ each: true, message: 'to must be an address or a list of addresses' }) to?: string | string[];
  @ApiProperty({ example: 'Printer jams' }) @IsString() @MaxLength(998) subject!: string;
  @ApiPropertyOptional({ nullable: true }) @Optional() @IsString() @MaxLength(100_000) text?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Used (as text) when there is no text part' }) @Optional() @IsString() @MaxLength(500_000) html?: string | null;
  @ApiPropertyOptional({ type: [AttachmentDto] }) @Optional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => AttachmentDto) attachments?: AttachmentDto[];
}

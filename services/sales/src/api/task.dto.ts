import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { RECORD_ID_PATTERN } from '@crm/runtime';
import { TASK_DUE_FILTERS, type TaskDueFilter } from '../application/task-list.queries';
import { MAX_COMMENT_LENGTH, MAX_REMINDER_OFFSET_MINUTES, MAX_REMINDERS, MAX_TITLE_LENGTH, TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus } from '../domain/task';

/** Optional, but when present it must not be null. */
const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);
/** Optional, and null clears the field. */
const OptionalNullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

/** Assignees are user ids, spelled like the X-Actor-Id header. */
const USER_ID_PATTERN = /^[\w.@:+-]{1,128}$/;
const idMessage = (field: string) => ({ message: `${field} must be a record id (letters, digits, _ or -)` });

const DUE_AT_DESCRIPTION =
  'A local date-time read in `timeZone` (`2026-12-01T09:00`), or an instant with an offset (`2026-12-01T09:00:00+02:00`). ' +
  'On change, a local date-time is read in the task zone unless `timeZone` is sent too.';
const TIME_ZONE_DESCRIPTION = 'IANA time zone, e.g. Europe/Vilnius. Required with a local `dueAt` on create; UTC by default for an instant.';
const REMINDERS_DESCRIPTION = `Minutes before the due time at which TaskReminderDue fires: up to ${MAX_REMINDERS} offsets from 0 to ${MAX_REMINDER_OFFSET_MINUTES}.`;

export class CreateTaskDto {
  @ApiProperty({ example: 'Call Ada about the renewal', maxLength: MAX_TITLE_LENGTH }) @IsString() @MaxLength(MAX_TITLE_LENGTH) title!: string;
  @ApiPropertyOptional({ nullable: true, maxLength: 10_000 }) @OptionalNullable() @IsString() @MaxLength(10_000) description?: string | null;
  @ApiPropertyOptional({ nullable: true, example: 'sam', description: 'Defaults to the caller (X-Actor-Id); null leaves the task unassigned' })
  @OptionalNullable()
  @Matches(USER_ID_PATTERN, { message: 'assigneeId must be a user id of 1-128 word characters or .@:+-' })
  assigneeId?: string | null;
  @ApiProperty({ example: '2026-12-01T09:00', description: DUE_AT_DESCRIPTION }) @IsString() @MaxLength(40) dueAt!: string;
  @ApiPropertyOptional({ example: 'Europe/Vilnius', description: TIME_ZONE_DESCRIPTION }) @OptionalNotNull() @IsString() @MaxLength(64) timeZone?: string;
  @ApiPropertyOptional({ enum: TASK_PRIORITIES, default: 'normal' })
  @OptionalNotNull()
  @IsIn(TASK_PRIORITIES, { message: `priority must be one of ${TASK_PRIORITIES.join(', ')}` })
  priority?: TaskPriority;
  @ApiPropertyOptional({ nullable: true, description: 'A deal of this tenant' }) @OptionalNullable() @IsString() @Matches(RECORD_ID_PATTERN, idMessage('dealId')) dealId?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'A contact known to sales (a merged contact links to its survivor)' })
  @OptionalNullable()
  @IsString()
  @Matches(RECORD_ID_PATTERN, idMessage('contactId'))
  contactId?: string | null;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @Matches(RECORD_ID_PATTERN, idMessage('companyId')) companyId?: string | null;
  @ApiPropertyOptional({ type: [Number], example: [1440, 60], description: REMINDERS_DESCRIPTION })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_REMINDERS)
  @IsInt({ each: true, message: 'each reminder offset must be a whole number of minutes' })
  @Min(0, { each: true })
  @Max(MAX_REMINDER_OFFSET_MINUTES, { each: true })
  reminderOffsetsMinutes?: number[];
}

/** PATCH: absent fields stay as they are, null clears the nullable ones. */
export class UpdateTaskDto {
  @ApiPropertyOptional({ maxLength: MAX_TITLE_LENGTH }) @OptionalNotNull() @IsString() @MaxLength(MAX_TITLE_LENGTH) title?: string;
  @ApiPropertyOptional({ nullable: true, maxLength: 10_000 }) @OptionalNullable() @IsString() @MaxLength(10_000) description?: string | null;
  @ApiPropertyOptional({ nullable: true })
  @OptionalNullable()
  @Matches(USER_ID_PATTERN, { message: 'assigneeId must be a user id of 1-128 word characters or .@:+-' })
  assigneeId?: string | null;
  @ApiPropertyOptional({ example: '2026-12-02T10:30', description: `${DUE_AT_DESCRIPTION} Moving it re-arms the reminders.` }) @OptionalNotNull() @IsString() @MaxLength(40) dueAt?: string;
  @ApiPropertyOptional({ example: 'Europe/Vilnius', description: 'Only together with dueAt' }) @OptionalNotNull() @IsString() @MaxLength(64) timeZone?: string;
  @ApiPropertyOptional({ enum: TASK_PRIORITIES })
  @OptionalNotNull()
  @IsIn(TASK_PRIORITIES, { message: `priority must be one of ${TASK_PRIORITIES.join(', ')}` })
  priority?: TaskPriority;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @Matches(RECORD_ID_PATTERN, idMessage('dealId')) dealId?: string | null;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @Matches(RECORD_ID_PATTERN, idMessage('contactId')) contactId?: string | null;
  @ApiPropertyOptional({ nullable: true }) @OptionalNullable() @IsString() @Matches(RECORD_ID_PATTERN, idMessage('companyId')) companyId?: string | null;
  @ApiPropertyOptional({ type: [Number], example: [60], description: REMINDERS_DESCRIPTION })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_REMINDERS)
  @IsInt({ each: true, message: 'each reminder offset must be a whole number of minutes' })
  @Min(0, { each: true })
  @Max(MAX_REMINDER_OFFSET_MINUTES, { each: true })
  reminderOffsetsMinutes?: number[];
}

export class ChangeTaskStatusDto {
  @ApiProperty({ enum: TASK_STATUSES, description: 'done and cancelled come back only to open (reopen)' })
  @IsIn(TASK_STATUSES, { message: `status must be one of ${TASK_STATUSES.join(', ')}` })
  status!: TaskStatus;
}

export class CommentOnTaskDto {
  @ApiProperty({ example: 'Left a voicemail; trying again tomorrow.', maxLength: MAX_COMMENT_LENGTH }) @IsString() @MaxLength(MAX_COMMENT_LENGTH) body!: string;
}

export class TaskAsOfQueryDto {
  @ApiPropertyOptional({ description: 'ISO-8601 instant: the task as it was then', example: '2026-11-23T10:00:00Z' }) @IsOptional() @IsString() asOf?: string;
}

const commaSeparated = ({ value }: { value: unknown }) =>
  [value]
    .flat()
    .flatMap((item) => String(item).split(','))
    .map((item) => item.trim())
    .filter(Boolean);

export class ListTasksQueryDto {
  @ApiPropertyOptional({ description: 'Assignee user id' }) @IsOptional() @Matches(USER_ID_PATTERN, { message: 'assignee must be a user id' }) assignee?: string;
  @ApiPropertyOptional({
    enum: TASK_DUE_FILTERS,
    description: "today / week (ISO week, Monday first): the caller's day or week in `tz`; overdue: due before now and not done or cancelled",
  })
  @IsOptional()
  @IsIn(TASK_DUE_FILTERS, { message: `due must be one of ${TASK_DUE_FILTERS.join(', ')}` })
  due?: TaskDueFilter;
  @ApiPropertyOptional({ example: 'Europe/Vilnius', default: 'UTC', description: "The caller's IANA time zone, for due=today and due=week" })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  tz?: string;
  @ApiPropertyOptional({ type: String, example: 'open,in_progress', description: `Comma-separated statuses: ${TASK_STATUSES.join(', ')}` })
  @IsOptional()
  @Transform(commaSeparated)
  @IsArray()
  @ArrayMaxSize(TASK_STATUSES.length)
  @IsIn(TASK_STATUSES, { each: true, message: `status must list some of ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus[];
  @ApiPropertyOptional({ enum: TASK_PRIORITIES })
  @IsOptional()
  @IsIn(TASK_PRIORITIES, { message: `priority must be one of ${TASK_PRIORITIES.join(', ')}` })
  priority?: TaskPriority;
  @ApiPropertyOptional() @IsOptional() @Matches(RECORD_ID_PATTERN, idMessage('dealId')) dealId?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(RECORD_ID_PATTERN, idMessage('contactId')) contactId?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(RECORD_ID_PATTERN, idMessage('companyId')) companyId?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(200, { message: 'limit must not be greater than 200' })
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(2000) cursor?: string;
}

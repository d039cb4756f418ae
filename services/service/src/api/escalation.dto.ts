import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { ESCALATION_ACTION_TYPES, ESCALATION_TRIGGERS, type EscalationActionType, type EscalationTrigger, MAX_ESCALATION_ACTIONS } from '../domain/escalation-rule';
import { SLA_METRICS, SLA_PRIORITIES, type SlaMetric, type SlaPriority } from '../domain/sla-clock';

export class EscalationActionDto {
  @ApiProperty({ enum: ESCALATION_ACTION_TYPES, description: 'raise_priority: one step up; reassign: to queueId (and assigneeId); notify: an integration event for target' })
  @IsIn(ESCALATION_ACTION_TYPES, { message: `type must be one of ${ESCALATION_ACTION_TYPES.join(', ')}` })
  type!: EscalationActionType;
  @ApiPropertyOptional({ description: 'reassign: the queue' }) @IsOptional() @IsString() @MaxLength(64) queueId?: string;
  @ApiPropertyOptional({ description: 'reassign: the agent (optional)', nullable: true }) @ValidateIf((_object, value) => value !== undefined && value !== null) @IsString() @MaxLength(64) assigneeId?: string | null;
  @ApiPropertyOptional({ description: 'notify: who to tell (a role, agent:<id>, an address)', example: 'team-lead' }) @IsOptional() @IsString() @MaxLength(200) target?: string;
}

export class EscalationConditionsDto {
  @ApiPropertyOptional({ enum: SLA_PRIORITIES, isArray: true })
  @IsOptional()
  @IsArray()
  @IsIn(SLA_PRIORITIES, { each: true, message: `priorities must be among ${SLA_PRIORITIES.join(', ')}` })
  priorities?: SlaPriority[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) categories?: string[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) queueIds?: string[];
}

export class EscalationRuleBodyDto {
  @ApiProperty({ example: 'Breached urgent tickets go to the leads' }) @IsString() @MaxLength(200) name!: string;
  @ApiProperty({ enum: ESCALATION_TRIGGERS }) @IsIn(ESCALATION_TRIGGERS, { message: `on must be one of ${ESCALATION_TRIGGERS.join(', ')}` }) on!: EscalationTrigger;
  @ApiPropertyOptional({ enum: SLA_METRICS, nullable: true, description: 'Absent or null: either metric' })
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @IsIn(SLA_METRICS, { message: `metric must be one of ${SLA_METRICS.join(', ')}` })
  metric?: SlaMetric | null;
  @ApiPropertyOptional({ type: EscalationConditionsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => EscalationConditionsDto) conditions?: EscalationConditionsDto;
  @ApiProperty({ type: [EscalationActionDto], description: 'Each rule acts at most once per ticket and metric' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ESCALATION_ACTIONS)
  @ValidateNested({ each: true })
  @Type(() => EscalationActionDto)
  actions!: EscalationActionDto[];
  @ApiPropertyOptional({ default: 100 }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000) rank?: number;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

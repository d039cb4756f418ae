import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Context, ETAG_HEADER, etagFor, parseAsOf, type RequestContext } from '@crm/platform';
import { checkId, commandContext, created, ReadYourWrites, writeHeaders } from '@crm/runtime';
import type { FastifyReply } from 'fastify';
import { TaskListQueries } from '../application/task-list.queries';
import { TasksService } from '../application/tasks.service';
import type { TaskInput } from '../domain/task';
import { ChangeTaskStatusDto, CommentOnTaskDto, CreateTaskDto, ListTasksQueryDto, TaskAsOfQueryDto, UpdateTaskDto } from './task.dto';

const PATH = '/api/v1/tasks';

@ApiTags('tasks')
@Controller('api/v1/tasks')
export class TasksController {
  constructor(
    @Inject(TasksService) private readonly tasks: TasksService,
    @Inject(TaskListQueries) private readonly lists: TaskListQueries,
    @Inject(ReadYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a task (due time with a time zone, reminders, links to a deal, contact or company)' })
  async create(@Context() context: RequestContext, @Body() body: CreateTaskDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return created(reply, await this.tasks.createTask(commandContext(context), body as TaskInput), PATH);
  }

  @Get()
  @ApiOperation({ summary: 'List tasks by due time: personal schedules with assignee and due=today|week|overdue in the caller\'s zone (tz)' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false })
  async list(
    @Context() context: RequestContext,
    @Query() query: ListTasksQueryDto,
    @Headers('x-consistency-token') token: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites.waitFor(token, reply);
    return this.lists.list(context.tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a task with its comments, now or as of an instant' })
  async get(@Context() context: RequestContext, @Param('id') id: string, @Query() query: TaskAsOfQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const asOf = parseAsOf(query.asOf);
    const view = await this.tasks.getTask(context.tenantId, checkId(id, 'Task'), asOf);
    if (!asOf) reply.header(ETAG_HEADER, etagFor(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change fields of a task; a new due time re-arms its reminders. If-Match makes it conditional (412 when stale)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async update(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateTaskDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.tasks.updateTask(commandContext(context, ifMatch), checkId(id, 'Task'), body as TaskInput);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a task to another status (done and cancelled stop its reminders; reopen with status open)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async changeStatus(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: ChangeTaskStatusDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.tasks.changeStatus(commandContext(context, ifMatch), checkId(id, 'Task'), body.status);
    writeHeaders(reply, result);
    return result.view;
  }

  @Post(':id/comments')
  @ApiOperation({ summary: 'Comment on a task (the author is the caller)' })
  @ApiHeader({ name: 'If-Match', required: false })
  async comment(
    @Context() context: RequestContext,
    @Param('id') id: string,
    @Body() body: CommentOnTaskDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.tasks.comment(commandContext(context, ifMatch), checkId(id, 'Task'), body.body);
    // The ETag is the task's: comments have no address of their own.
    writeHeaders(reply, result);
    reply.status(201);
    return result.view;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a task; its reminders are cancelled' })
  @ApiHeader({ name: 'If-Match', required: false })
  async remove(@Context() context: RequestContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.tasks.deleteTask(commandContext(context, ifMatch), checkId(id, 'Task'));
    writeHeaders(reply, { revision: -1, position: result.position });
    reply.removeHeader(ETAG_HEADER);
  }

  @Get(':id/history')
  @ApiOperation({ summary: "A task's events: who changed what and when, reminders and overdue marks included" })
  async history(@Context() context: RequestContext, @Param('id') id: string) {
    return { items: await this.tasks.history(context.tenantId, checkId(id, 'Task')) };
  }
}

import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { CommandContext } from '@crm/decider';
import {
  CONSISTENCY_TOKEN_HEADER,
  consistencyTokenFor,
  ETAG_HEADER,
  etagFor,
  parseConsistencyToken,
  parseIfMatch,
  type RequestContext,
  SERVICE_CONFIG,
  type ServiceConfig,
} from '@crm/platform';
import type { FastifyReply } from 'fastify';
import { PROJECTION_PROGRESS, type ProjectionProgress } from '../application/read-models';
import type { WriteResult } from '../application/views';
import { ID_PATTERN } from './common.dto';

export function commandContext(context: RequestContext, ifMatch?: string | string[]): CommandContext {
  return {
    tenantId: context.tenantId,
    actorId: context.actorId,
    correlationId: context.correlationId,
    causationId: context.requestId,
    expectedRevision: parseIfMatch(ifMatch),
  };
}

/** Ids become part of stream names: anything outside the id alphabet cannot exist, so it is simply not found. */
export function checkId(id: string, what: string): string {
  if (!ID_PATTERN.test(id)) throw new NotFoundException(`${what} not found`);
  return id;
}

export function writeHeaders(reply: FastifyReply, result: { revision: number; position: number }): void {
  reply.header(ETAG_HEADER, etagFor(result.revision));
  if (result.position >= 0) reply.header(CONSISTENCY_TOKEN_HEADER, consistencyTokenFor(result.position));
}

export function created<View extends { id: string }>(reply: FastifyReply, result: WriteResult<View>, collectionPath: string): View {
  writeHeaders(reply, result);
  reply.header('location', `${collectionPath}/${result.view.id}`);
  reply.status(201);
  return result.view;
}

/** Waits (bounded) until the list read models have applied the caller's last write. */
@Injectable()
export class ReadYourWrites {
  constructor(
    @Inject(PROJECTION_PROGRESS) private readonly progress: ProjectionProgress,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async waitFor(token: string | string[] | undefined, reply: FastifyReply): Promise<void> {
    const position = parseConsistencyToken(token);
    if (position === undefined) return;
    const caughtUp = await this.progress.waitForPosition(position, this.config.consistencyWaitMs);
    if (!caughtUp) reply.header('x-consistency', 'stale');
  }
}

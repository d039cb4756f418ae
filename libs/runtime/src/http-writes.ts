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
import { PROJECTION_PROGRESS, type ProjectionProgress } from './projection-host';
import type { WriteResult } from './record-views';

/** Record ids: they become part of stream names, so anything outside this alphabet cannot exist. */
export const RECORD_ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;

export function commandContext(context: RequestContext, ifMatch?: string | string[], idempotencyKey?: string): CommandContext {
  return {
    tenantId: context.tenantId,
    actorId: context.actorId,
    correlationId: context.correlationId,
    causationId: context.requestId,
    expectedRevision: parseIfMatch(ifMatch),
    idempotencyKey,
  };
}

/** An id outside the id alphabet is simply not found (404), never a 500 from a bad stream name. */
export function checkId(id: string, what: string): string {
  if (!RECORD_ID_PATTERN.test(id)) throw new NotFoundException(`${what} not found`);
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

/** Waits (bounded) until the service's read models have applied the caller's last write (`X-Consistency-Token`). */
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

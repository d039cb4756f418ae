import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

/** Who is calling, for which tenant, within which conversation. */
export interface RequestContext {
  tenantId: string;
  actorId: string;
  requestId: string;
  correlationId: string;
}

export const TENANT_HEADER = 'x-tenant-id';
export const ACTOR_HEADER = 'x-actor-id';
export const REQUEST_ID_HEADER = 'x-request-id';
export const CORRELATION_ID_HEADER = 'x-correlation-id';

// Tenant ids become stream-name prefixes and file names: keep them to a safe alphabet.
const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const ACTOR_PATTERN = /^[\w.@:+-]{1,128}$/;
const ID_PATTERN = /^[\w.:-]{1,128}$/;

type HeaderBag = Record<string, string | string[] | undefined>;
const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * The one place that turns headers into a tenant and an actor, so that JWT claims can replace
 * `X-Tenant-Id`/`X-Actor-Id` later without touching controllers.
 */
export function requestContextFromHeaders(headers: HeaderBag, fallbackRequestId?: string): RequestContext {
  const tenantId = single(headers[TENANT_HEADER]) ?? 'default';
  const actorId = single(headers[ACTOR_HEADER]) ?? 'anonymous';
  const invalid: string[] = [];
  if (!TENANT_PATTERN.test(tenantId)) invalid.push('X-Tenant-Id must be 1-63 lowercase letters, digits, - or _');
  if (!ACTOR_PATTERN.test(actorId)) invalid.push('X-Actor-Id must be 1-128 word characters or .@:+-');
  if (invalid.length > 0) throw new BadRequestException({ message: 'Invalid identity headers', errors: invalid.map((reason) => ({ field: 'headers', messages: [reason] })) });
  const suppliedRequestId = single(headers[REQUEST_ID_HEADER]);
  const requestId = suppliedRequestId && ID_PATTERN.test(suppliedRequestId) ? suppliedRequestId : (fallbackRequestId ?? randomUUID());
  const suppliedCorrelationId = single(headers[CORRELATION_ID_HEADER]);
  const correlationId = suppliedCorrelationId && ID_PATTERN.test(suppliedCorrelationId) ? suppliedCorrelationId : requestId;
  return { tenantId, actorId, requestId, correlationId };
}

/** Controller parameter decorator: `@Context() context: RequestContext`. */
export const Context = createParamDecorator((_data: unknown, execution: ExecutionContext): RequestContext => {
  const request = execution.switchToHttp().getRequest<{ headers: HeaderBag; id?: string }>();
  return requestContextFromHeaders(request.headers, request.id);
});

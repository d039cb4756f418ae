import {
  type ArgumentsHost,
  BadRequestException,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  type ValidationError,
} from '@nestjs/common';
import { DomainError, StaleRevisionError } from '@crm/decider';
import { InvalidCursorError } from '@crm/readstore';
import { STATUS_CODES } from 'node:http';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, with the offending fields listed for validation failures. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { field: string; messages: string[] }[];
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://crm.dev/problems/';

export function problem(status: number, detail?: string, extra: Partial<ProblemDetails> = {}): ProblemDetails {
  const title = STATUS_CODES[status] ?? 'Error';
  return { type: `${TYPE_BASE}${title.toLowerCase().replace(/[^a-z]+/g, '-')}`, title, status, detail, ...extra };
}

/** Flattens class-validator errors into `{ field: 'address.city', messages: [...] }`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export class ValidationProblem extends BadRequestException {
  constructor(readonly errors: { field: string; messages: string[] }[]) {
    super({ message: `Invalid ${errors.map((error) => error.field).join(', ')}`, errors });
  }
}

const DOMAIN_STATUS: Record<DomainError['kind'], number> = {
  invalid: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  gone: HttpStatus.GONE,
};

/** Maps any thrown value to problem details; unknown errors become a 500 that leaks nothing. */
export function toProblem(error: unknown): ProblemDetails {
  if (error instanceof ValidationProblem) return problem(400, error.message, { errors: error.errors });
  if (error instanceof StaleRevisionError) {
    return problem(412, `The record changed: If-Match was "${error.expected}" but the current revision is "${error.actual}"`, {
      currentRevision: error.actual,
    });
  }
  if (error instanceof DomainError) {
    const errors = error.details.length
      ? error.details.map((detail) => ({ field: detail.field ?? '', messages: [detail.reason] }))
      : undefined;
    return problem(DOMAIN_STATUS[error.kind], error.message, errors ? { errors } : {});
  }
  if (error instanceof InvalidCursorError) return problem(400, error.message, { errors: [{ field: 'cursor', messages: [error.message] }] });
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const body = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
    const detail = typeof body.message === 'string' ? body.message : Array.isArray(body.message) ? body.message.join('; ') : error.message;
    return problem(error.getStatus(), detail, Array.isArray(body.errors) ? { errors: body.errors as ProblemDetails['errors'] } : {});
  }
  // Errors raised by Fastify itself (bad JSON, body too large, unsupported media type) carry a 4xx statusCode.
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message = (error as Error).message;
    const field = statusCode === 400 ? [{ field: 'body', messages: [message] }] : undefined;
    return problem(statusCode, message, field ? { errors: field } : {});
  }
  return problem(500, 'An unexpected error occurred; it has been logged.');
}

interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body: unknown): unknown;
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<ReplyLike>();
    const request = http.getRequest<{ url?: string; id?: string }>();
    const body = toProblem(error);
    if (body.status === 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    reply
      .status(body.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send({ ...body, instance: request.url, requestId: request.id });
  }
}

import replyFrom from '@fastify/reply-from';
import { PROBLEM_CONTENT_TYPE, problem, toProblem } from '@crm/platform';
import type { FastifyInstance } from 'fastify';
import { type ResolvedService, serviceFor } from '../application/service-routes';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** File uploads of contact imports: streamed through to the service, which writes them to disk, so they get their own limit. */
const IMPORT_UPLOAD_PATH = '/api/v1/contacts/imports';
export const isImportUpload = (method: string, url: string): boolean => method === 'POST' && url.split('?')[0].replace(/\/+$/, '') === IMPORT_UPLOAD_PATH;

/**
 * Forwards `/api/v1/*` to the owning service without parsing bodies (they stream through), adding the
 * request id so one id follows a call across processes. A service that is down answers 503, a slow
 * one 504, both as problem+json, instead of hanging the caller.
 */
export async function registerProxy(
  fastify: FastifyInstance,
  services: ResolvedService[],
  settings: { upstreamTimeoutMs: number; bodyLimitBytes: number; importBodyLimitBytes?: number },
): Promise<void> {
  const { upstreamTimeoutMs, bodyLimitBytes } = settings;
  const importBodyLimitBytes = settings.importBodyLimitBytes ?? bodyLimitBytes;
  await fastify.register(replyFrom, {
    undici: { connections: 128, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: 2_000, headersTimeout: upstreamTimeoutMs, bodyTimeout: upstreamTimeoutMs },
    // Writes must never be replayed by the proxy; retries are the client's decision (with If-Match).
    retryMethods: [],
    maxRetriesOn503: 0,
  });
  await fastify.register(async (scope) => {
    // Bodies are passed through as raw streams: the owning service parses and validates them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    // Errors raised by the proxy itself (e.g. a URL it refuses to forward) are problem+json too.
    scope.setErrorHandler((error, request, reply) => {
      const body = toProblem(error);
      if (body.status === 500) request.log.error({ err: error }, 'proxy error');
      reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send({ ...body, instance: request.url, requestId: request.id });
    });
    // Refuse oversized bodies here: a service that stops reading half-way through an upload would
    // otherwise break the proxied connection and turn a 413 into a 503.
    scope.addHook('onRequest', async (request, reply) => {
      const declaredLength = Number(request.headers['content-length'] ?? 0);
      const limit = isImportUpload(request.method, request.url) ? importBodyLimitBytes : bodyLimitBytes;
      if (declaredLength > limit) {
        return reply
          .status(413)
          .header('content-type', PROBLEM_CONTENT_TYPE)
          .send({ ...problem(413, `The body is ${declaredLength} bytes; the limit is ${limit}`), instance: request.url, requestId: request.id });
      }
    });
    scope.route({
      method: [...HTTP_METHODS],
      url: '/api/v1/*',
      handler: (request, reply) => {
        const service = serviceFor(request.url, services);
        if (!service) {
          return reply
            .status(404)
            .header('content-type', PROBLEM_CONTENT_TYPE)
            .send({ ...problem(404, `No service serves ${request.url.split('?')[0]}`), instance: request.url, requestId: request.id });
        }
        return reply.from(`${service.url}${request.url}`, {
          rewriteRequestHeaders: (_request, headers) => ({
            ...headers,
            'x-request-id': request.id,
            'x-correlation-id': (headers['x-correlation-id'] as string | undefined) ?? request.id,
            'x-forwarded-host': request.hostname,
          }),
          onError: (failedReply, { error }) => {
            const status = (error as { statusCode?: number }).statusCode === 504 ? 504 : 503;
            const detail =
              status === 503 ? `The ${service.service} service is unavailable; try again shortly` : `The ${service.service} service did not answer in time`;
            failedReply
              .status(status)
              .header('content-type', PROBLEM_CONTENT_TYPE)
              .header('retry-after', '1')
              .send({ ...problem(status, detail), service: service.service, instance: request.url, requestId: request.id });
          },
        });
      },
    });
  });
}

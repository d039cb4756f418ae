import 'reflect-metadata';
import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { ServiceConfig } from './config';
import { createLogger, PinoNestLogger } from './logging';
import { flattenValidationErrors, ProblemDetailsFilter, ValidationProblem } from './problem-details';
import { CORRELATION_ID_HEADER, REQUEST_ID_HEADER, TENANT_HEADER } from './request-context';

export interface ServiceBootstrapOptions {
  config: Pick<ServiceConfig, 'serviceName' | 'port' | 'host' | 'logLevel' | 'bodyLimitBytes'> & Partial<Pick<ServiceConfig, 'shutdownDeadlineMs'>>;
  title: string;
  description: string;
  /** Response headers browsers may read (ETag, Location, X-Consistency-Token…). */
  exposedHeaders?: string[];
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationProblem(flattenValidationErrors(errors)),
  });
}

export function buildOpenApiDocument(app: INestApplication, title: string, description: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(title)
    .setDescription(description)
    .setVersion('1')
    .addGlobalParameters(
      { name: 'X-Tenant-Id', in: 'header', required: false, schema: { type: 'string', default: 'default' } },
      { name: 'X-Actor-Id', in: 'header', required: false, schema: { type: 'string', default: 'anonymous' } },
    )
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Creates a Nest application on Fastify with the platform conventions: problem+json errors everywhere
 * (including Fastify's own parse errors and unknown routes), validation, structured logs with
 * request/correlation ids, and Swagger at /docs.
 */
export async function createServiceApp(module: unknown, options: ServiceBootstrapOptions): Promise<NestFastifyApplication> {
  const logger = createLogger(options.config.serviceName, options.config.logLevel);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One structured line per request (onResponse below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.config.bodyLimitBytes,
    requestIdHeader: REQUEST_ID_HEADER,
    genReqId: () => randomUUID(),
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // The API speaks JSON: other media types answer 415 instead of reaching validation as a string.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const correlationId = request.headers[CORRELATION_ID_HEADER] ?? request.id;
    reply.header('x-correlation-id', String(correlationId));
  });
  fastify.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        tenantId: request.headers[TENANT_HEADER] ?? 'default',
        correlationId: request.headers[CORRELATION_ID_HEADER] ?? request.id,
      },
      'request completed',
    );
  });
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableCors({ exposedHeaders: ['ETag', 'Location', 'X-Consistency-Token', 'X-Request-Id', ...(options.exposedHeaders ?? [])] });
  app.enableShutdownHooks();
  exitAfterShutdownDeadline(options.config.shutdownDeadlineMs ?? 10_000, logger);
  return app;
}

/**
 * On SIGTERM Nest closes the app in order (HTTP stops taking requests and drains, then consumers, relays
 * and stores stop). Orchestrators kill a pod that outstays its grace period, so a drain that hangs is cut
 * short here first, with a log line saying so; what was acknowledged is durable by then either way.
 */
function exitAfterShutdownDeadline(deadlineMs: number, logger: ReturnType<typeof createLogger>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        logger.error({ deadlineMs }, `graceful shutdown did not finish within ${deadlineMs} ms; exiting`);
        process.exit(1);
      }, deadlineMs).unref();
    });
  }
}

export function setupSwagger(app: INestApplication, document: OpenAPIObject | (() => OpenAPIObject), extra: Record<string, unknown> = {}) {
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', ...extra });
}

/**
 * Started by the launcher over IPC: when the launcher dies (even by kill -9) the channel closes and the
 * service exits too, so a new `npm start` never finds its ports taken by orphans.
 */
export function exitWhenParentDies(onExit: () => Promise<void>): void {
  if (!process.send) return;
  process.on('disconnect', () => {
    void onExit().finally(() => process.exit(0));
  });
}

export async function listen(app: NestFastifyApplication, port: number, host: string): Promise<string> {
  await app.listen({ port, host });
  return `http://${host}:${port}`;
}

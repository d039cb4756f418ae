import { BadRequestException, Controller, Get, HttpCode, Inject, Param, PayloadTooLargeException, Post, Query, Req, Res, StreamableFile, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@crm/decider';
import { consistencyTokenFor, CONSISTENCY_TOKEN_HEADER, Context, type RequestContext } from '@crm/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ContactImportRunner } from '../application/contact-import.runner';
import { ContactImports } from '../application/contact-imports.service';
import { checkMapping } from '../application/import-row-mapping';
import { type ContactListFilter, ListQueries } from '../application/list.queries';
import type { ContactView } from '../application/views';
import { IMPORT_FORMATS, IMPORT_MODES, type ImportFormat, type ImportMode } from '../domain/contact-import';
import { csvExport, vcardExport, xlsxExport } from '../infrastructure/contact-export-writers';
import { sniffProblem } from '../infrastructure/import-file-readers';
import { ExportContactsQueryDto, ImportErrorsQueryDto } from './contact-import.dto';
import { checkId, commandContext } from './responses';

const PATH = '/api/v1/contacts';

/** Where uploads go and how large they may be; provided by the module from the service config. */
export interface ImportUploadSettings {
  directory: string;
  maxBytes: number;
  pathOf(importId: string, format: ImportFormat): string;
}
export const IMPORT_UPLOADS = Symbol('IMPORT_UPLOADS');

const FORMAT_BY_EXTENSION: Record<string, ImportFormat> = { '.csv': 'csv', '.txt': 'csv', '.xlsx': 'xlsx', '.vcf': 'vcf', '.vcard': 'vcf' };
const FORMAT_BY_MEDIA_TYPE: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/vcard': 'vcf',
  'text/x-vcard': 'vcf',
};
const MEDIA_TYPES: Record<ImportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  vcf: 'text/vcard; charset=utf-8',
};

const invalidField = (field: string, reason: string) => new DomainError('invalid', `Invalid ${field}: ${reason}`, [{ field, reason }]);

@ApiTags('contacts')
@Controller('api/v1/contacts')
export class ContactImportController {
  constructor(
    @Inject(ContactImports) private readonly imports: ContactImports,
    @Inject(ContactImportRunner) private readonly runner: ContactImportRunner,
    @Inject(ListQueries) private readonly lists: ListQueries,
    @Inject(IMPORT_UPLOADS) private readonly uploads: ImportUploadSettings,
  ) {}

  @Post('imports')
  @HttpCode(202)
  @ApiOperation({ summary: 'Import contacts from a CSV, XLSX or vCard file: starts a durable job and answers at once' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: '.csv, .xlsx or .vcf' },
        mode: { type: 'string', enum: [...IMPORT_MODES], default: 'create' },
        mapping: { type: 'string', description: 'JSON object: column header → field (firstName, email, companyName, customFields.<name>, ignore…)' },
        externalIdColumn: { type: 'string', description: 'Column whose value identifies the contact for upsert' },
        format: { type: 'string', enum: [...IMPORT_FORMATS], description: 'Only when the file name does not tell' },
      },
    },
  })
  @ApiResponse({ status: 202, description: 'Accepted; Location names the job' })
  async start(@Context() context: RequestContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    if (!request.isMultipart()) throw new UnsupportedMediaTypeException('Send the file as multipart/form-data');
    const importId = this.imports.newImportId();
    await mkdir(this.uploads.directory, { recursive: true });
    const partPath = `${this.uploads.directory}/${importId}.part`;
    const fields: Record<string, string> = {};
    let file: { fileName: string; mediaType: string } | undefined;
    try {
      for await (const part of request.parts({ limits: { fileSize: this.uploads.maxBytes, files: 1, fields: 10 } })) {
        if (part.type === 'file') {
          if (file) throw invalidField('file', 'send one file');
          file = { fileName: part.filename, mediaType: part.mimetype };
          // Straight to disk: the upload is never held in memory.
          await pipeline(part.file, createWriteStream(partPath));
          if (part.file.truncated) throw new PayloadTooLargeException(`The file is larger than ${this.uploads.maxBytes} bytes`);
        } else {
          fields[part.fieldname] = String(part.value);
        }
      }
      if (!file) throw invalidField('file', 'a file is required');
      const format = this.formatOf(file.fileName, file.mediaType, fields.format);
      const mode = (fields.mode ?? 'create') as ImportMode;
      if (!(IMPORT_MODES as readonly string[]).includes(mode)) throw invalidField('mode', `must be one of ${IMPORT_MODES.join(', ')}`);
      const mapping = this.mappingOf(fields.mapping);
      const problem = await sniffProblem(partPath, format);
      if (problem) throw invalidField('file', problem);
      const { size } = await stat(partPath);
      await rename(partPath, this.uploads.pathOf(importId, format));
      const result = await this.imports.start(commandContext(context), {
        importId,
        fileName: file.fileName,
        format,
        mode,
        mapping,
        externalIdColumn: fields.externalIdColumn?.trim() || null,
        bytes: size,
      });
      this.runner.enqueue(context.tenantId, importId);
      reply.header('location', `${PATH}/imports/${importId}`);
      reply.header(CONSISTENCY_TOKEN_HEADER, consistencyTokenFor(result.position));
      return this.imports.status(context.tenantId, importId);
    } catch (error) {
      await rm(partPath, { force: true });
      const code = (error as { code?: string }).code;
      if (code === 'FST_FILES_LIMIT') throw invalidField('file', 'send one file');
      if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new BadRequestException('Too many form fields');
      throw error;
    }
  }

  @Get('imports/:id')
  @ApiOperation({ summary: 'Status of an import: rows done, failed, rate and ETA' })
  status(@Context() context: RequestContext, @Param('id') id: string) {
    return this.imports.status(context.tenantId, checkId(id, 'Import'));
  }

  @Get('imports/:id/errors')
  @ApiOperation({ summary: 'Rows an import refused, with row number, field and reason, in row order' })
  errors(@Context() context: RequestContext, @Param('id') id: string, @Query() query: ImportErrorsQueryDto) {
    return this.imports.errors(context.tenantId, checkId(id, 'Import'), query.cursor, query.limit ?? 100);
  }

  @Get('export')
  @ApiOperation({ summary: 'Export the contacts the list route would return (same filters), as CSV, XLSX or vCard, streamed' })
  @ApiProduces(...Object.values(MEDIA_TYPES))
  export(@Context() context: RequestContext, @Query() query: ExportContactsQueryDto) {
    const { format = 'csv', ...filter } = query;
    const pages = this.pages(context.tenantId, filter);
    const stream = format === 'xlsx' ? xlsxExport(pages) : format === 'vcf' ? vcardExport(pages) : csvExport(pages);
    const stamp = new Date().toISOString().slice(0, 10);
    return new StreamableFile(stream, { type: MEDIA_TYPES[format], disposition: `attachment; filename="contacts-${context.tenantId}-${stamp}.${format}"` });
  }

  private async *pages(tenantId: string, filter: ContactListFilter): AsyncGenerator<ContactView[]> {
    let cursor: string | undefined;
    do {
      const page = await this.lists.listContacts(tenantId, { ...filter, limit: 1000, cursor });
      yield page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  private formatOf(fileName: string, mediaType: string, declared: string | undefined): ImportFormat {
    if (declared !== undefined) {
      if (!(IMPORT_FORMATS as readonly string[]).includes(declared)) throw invalidField('format', `must be one of ${IMPORT_FORMATS.join(', ')}`);
      return declared as ImportFormat;
    }
    const format = FORMAT_BY_EXTENSION[extname(fileName).toLowerCase()] ?? FORMAT_BY_MEDIA_TYPE[mediaType.split(';')[0].trim().toLowerCase()];
    if (!format) throw new UnsupportedMediaTypeException(`Cannot tell the format of ${fileName}: send a .csv, .xlsx or .vcf file, or a format field`);
    return format;
  }

  private mappingOf(raw: string | undefined): Record<string, string> {
    if (!raw?.trim()) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw invalidField('mapping', 'must be a JSON object of column → field');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidField('mapping', 'must be a JSON object of column → field');
    return checkMapping(parsed as Record<string, unknown>);
  }
}

import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ContactMergedError } from '../application/contacts.service';

/**
 * A read of a merged source answers 308 Permanent Redirect to the same route on the survivor, so that
 * links and bookmarks to the source keep working; the small body says the same for clients that do not follow.
 */
@Catch(ContactMergedError)
export class MergedContactRedirect implements ExceptionFilter {
  catch(error: ContactMergedError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const location = request.url.replace(`/contacts/${error.contactId}`, `/contacts/${error.mergedInto}`);
    reply
      .status(308)
      .header('location', location)
      .send({ id: error.contactId, mergedInto: error.mergedInto, location, detail: error.message });
  }
}

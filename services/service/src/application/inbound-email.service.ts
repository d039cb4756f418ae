import type { CommandContext } from '@crm/decider';
import { normaliseMessageId, referencedMessageIds, shortIdInSubject, ticketIdForEmail, ticketIdInOutgoingMessageId } from '../domain/email-threading';
import type { TicketAttachment } from '../domain/ticket';
import type { ContactDirectory } from './contact-directory';
import type { TicketQueries } from './ticket-queries';
import type { TicketsService, TicketWriteResult } from './tickets.service';

/** An email as a mail gateway parsed it (MIME decoding and attachment storage happen before us). */
export interface InboundEmail {
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  from: { email: string; name?: string | null };
  to?: string[] | string | null;
  subject: string;
  text?: string | null;
  html?: string | null;
  attachments?: TicketAttachment[];
}

export type InboundOutcome = 'opened' | 'threaded' | 'follow_up' | 'duplicate';

export interface InboundResult {
  outcome: InboundOutcome;
  ticketId: string;
  result: TicketWriteResult | null;
}

/** Readable text of an HTML-only email: tags out, entities of everyday text decoded, blank runs collapsed. */
export function textOfHtml(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n\n')
    .trim();
}

/**
 * The email channel. A message that answers a ticket (by In-Reply-To/References, or by the subject
 * token when a client dropped those headers) becomes a reply on it; an answer to a closed ticket opens
 * a follow-up; anything else opens a ticket. The sender is linked to a contact by email address. The
 * same Message-ID twice changes nothing: a known one is recognised in the message index, and behind
 * that the ticket remembers the Message-IDs on it, and an email-opened ticket's id is derived from its
 * Message-ID, so a redelivery racing the first delivery lands on the same stream.
 */
export class InboundEmailService {
  constructor(
    private readonly tickets: TicketsService,
    private readonly queries: TicketQueries,
    private readonly directory: ContactDirectory,
  ) {}

  async receive(context: CommandContext, email: InboundEmail): Promise<InboundResult> {
    const tenantId = context.tenantId;
    const messageId = normaliseMessageId(email.messageId);
    const known = await this.queries.ticketOfMessage(tenantId, messageId);
    if (known) return { outcome: 'duplicate', ticketId: known, result: null };

    const body = email.text?.trim() || (email.html ? textOfHtml(email.html) : '');
    const sender = email.from.email.trim().toLowerCase();
    const contact = await this.directory.findContactByEmail(tenantId, sender);
    const threadId = await this.findThread(tenantId, email);

    if (threadId) {
      const ticket = await this.tickets.loadState(tenantId, threadId);
      if (ticket.status !== 'closed') {
        const result = await this.tickets.reply(context, threadId, {
          authorType: 'requester',
          authorId: contact?.recordId ?? sender,
          body: body || '(empty message)',
          attachments: email.attachments ?? [],
          externalMessageId: messageId,
        });
        return { outcome: result.changed ? 'threaded' : 'duplicate', ticketId: threadId, result };
      }
    }

    const ticketId = ticketIdForEmail(tenantId, messageId);
    const result = await this.tickets.open(context, {
      ticketId,
      channel: 'email',
      subject: email.subject.trim() || '(no subject)',
      description: body,
      requesterContactId: contact?.recordId ?? null,
      requesterEmail: sender,
      externalMessageId: messageId,
      attachments: email.attachments ?? [],
      ...(threadId ? { followUpOf: threadId } : {}),
    });
    if (!result.changed) return { outcome: 'duplicate', ticketId, result };
    return { outcome: threadId ? 'follow_up' : 'opened', ticketId, result };
  }

  /** The ticket an email answers: by the Message-IDs it references, then by the subject token. */
  private async findThread(tenantId: string, email: InboundEmail): Promise<string | null> {
    for (const referenced of referencedMessageIds(email)) {
      const own = ticketIdInOutgoingMessageId(referenced);
      if (own && (await this.tickets.exists(tenantId, own))) return own;
      const ticketId = await this.queries.ticketOfMessage(tenantId, referenced);
      if (ticketId) return ticketId;
    }
    const shortId = shortIdInSubject(email.subject);
    if (shortId) {
      const ticketId = await this.queries.ticketByShortId(tenantId, shortId);
      if (ticketId) return ticketId;
    }
    return null;
  }
}

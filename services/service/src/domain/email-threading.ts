import { createHash } from 'node:crypto';
import { ticketShortId } from './ticket';

/**
 * How an inbound email finds its ticket. Mail clients answer with `In-Reply-To` and `References`
 * naming earlier Message-IDs; the ones we send carry the ticket id, the ones we received are looked up.
 * When a client drops those headers, the `[#T-XXXXXXXX]` token we put in reply subjects still names
 * the ticket.
 */

/** The domain of the Message-IDs of outgoing replies; any value works as long as it stays the same. */
export const OUTGOING_MESSAGE_DOMAIN = 'tickets.crm.invalid';

/** `<Abc@Host>` and `abc@host` are the same message: brackets and blanks go, case is folded. */
export function normaliseMessageId(messageId: string): string {
  return messageId.trim().replace(/^<+/, '').replace(/>+$/, '').trim().toLowerCase();
}

/** The Message-ID header of an outgoing public reply: it names the ticket, so an answer to it threads without a lookup. */
export function outgoingMessageId(ticketId: string, messageId: string): string {
  return `<${messageId}.${ticketId}@${OUTGOING_MESSAGE_DOMAIN}>`.toLowerCase();
}

/** The ticket id inside one of our own Message-IDs (lower-cased, as message ids are compared), or null for anyone else's. */
export function ticketIdInOutgoingMessageId(messageId: string): string | null {
  const match = /^[0-9a-z_-]+\.([0-9a-z_-]+)@(.+)$/.exec(normaliseMessageId(messageId));
  // Our record ids are upper-case Crockford base-32; the header was folded to lower case for comparison.
  return match && match[2] === OUTGOING_MESSAGE_DOMAIN ? match[1].toUpperCase() : null;
}

/** Message-IDs an email answers, most specific first: In-Reply-To, then References from the newest back. */
export function referencedMessageIds(message: { inReplyTo?: string | null; references?: string[] | null }): string[] {
  const ids = [message.inReplyTo ?? '', ...[...(message.references ?? [])].reverse()]
    .flatMap((value) => value.split(/\s+/))
    .map(normaliseMessageId)
    .filter((id) => id.length > 0);
  return [...new Set(ids)];
}

export function subjectToken(ticketId: string): string {
  return `[#${ticketShortId(ticketId)}]`;
}

/** The subject of an outgoing reply: `Re: <subject> [#T-…]`, without piling up prefixes or tokens. */
export function replySubject(subject: string, ticketId: string): string {
  const token = subjectToken(ticketId);
  const base = subject.includes(token) ? subject : `${subject} ${token}`;
  return /^re:/i.test(base) ? base : `Re: ${base}`;
}

/** The short ticket reference (`T-XXXXXXXX`, upper case) in a subject, or null. */
export function shortIdInSubject(subject: string): string | null {
  const match = /\[#(T-[0-9A-Za-z]{8})\]/i.exec(subject);
  return match ? match[1].toUpperCase() : null;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The id of a ticket opened by an email: derived from the tenant and the Message-ID, so a redelivered
 * email (or two workers racing on it) lands on the same stream, where opening again changes nothing.
 * It has the shape of the other record ids (26 Crockford base-32 characters).
 */
export function ticketIdForEmail(tenantId: string, messageId: string): string {
  const digest = createHash('sha256').update(`${tenantId}\n${normaliseMessageId(messageId)}`).digest();
  let bits = 0;
  let value = 0;
  let id = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && id.length < 26) {
      id += CROCKFORD[(value >> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (id.length === 26) break;
  }
  return id;
}

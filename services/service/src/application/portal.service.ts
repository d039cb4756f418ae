import { UnauthorizedException } from '@nestjs/common';
import { type CommandContext, DomainError } from '@crm/decider';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TicketAttachment, TicketChannel, TicketPriority } from '../domain/ticket';
import type { ContactDirectory } from './contact-directory';
import type { TicketsConfig } from './ticket-config';
import type { TicketListFilter, TicketQueries } from './ticket-queries';
import type { ListResult, TicketListItem } from './ticket-read-models';
import { type PortalTicketView, toPortalTicketView } from './ticket-views';
import type { TicketsService, TicketWriteResult } from './tickets.service';

/** Who a portal request speaks for: one contact of one tenant, until the session expires. */
export interface PortalIdentity {
  tenantId: string;
  contactId: string;
  expiresAt: string;
}

export interface PortalSession extends PortalIdentity {
  token: string;
}

export interface PortalTicketInput {
  subject: string;
  description?: string;
  priority?: TicketPriority;
  category?: string | null;
  attachments?: TicketAttachment[];
}

export type PortalListItem = Pick<TicketListItem, 'id' | 'shortId' | 'subject' | 'status' | 'priority' | 'channel' | 'createdAt' | 'updatedAt'>;

const TOKEN_PREFIX = 'crmp1';

const unauthorized = () => new UnauthorizedException('A valid portal session token is required (Authorization: Bearer <token>)');
const notFound = () => new DomainError('not_found', 'Ticket not found');

/**
 * The self-service portal. A requester holds a session token `crmp1.<claims>.<signature>` (HMAC-SHA256
 * over tenant, contact and expiry) and sees only tickets whose requester is that contact: another
 * person's ticket is "not found", exactly like a ticket that does not exist, so ids cannot be probed.
 */
export class PortalService {
  constructor(
    private readonly tickets: TicketsService,
    private readonly queries: TicketQueries,
    private readonly directory: ContactDirectory,
    private readonly config: TicketsConfig,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Issued by an agent for a known contact (e.g. to send a portal link). */
  async issueSession(tenantId: string, contactId: string): Promise<PortalSession> {
    const contact = await this.directory.find('contact', tenantId, contactId);
    if (!contact) throw new DomainError('invalid', 'Invalid contactId: no such contact', [{ field: 'contactId', reason: 'no contact with this id' }]);
    const expiresAt = new Date(Math.floor(this.clock().getTime() / 1000) * 1000 + this.config.portalSessionTtlMinutes * 60_000).toISOString();
    const identity: PortalIdentity = { tenantId, contactId: contact.recordId, expiresAt };
    return { ...identity, token: this.sign(identity) };
  }

  /**
   * The identity behind a bearer token, or 401. The contact is looked up again: a deleted contact's
   * sessions end, and a merged one's continue as the survivor (whose tickets the merge relinked).
   */
  async authenticate(authorization: string | undefined): Promise<PortalIdentity> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw unauthorized();
    const identity = this.verify(match[1]);
    if (!identity || Date.parse(identity.expiresAt) <= this.clock().getTime()) throw unauthorized();
    const contact = await this.directory.find('contact', identity.tenantId, identity.contactId);
    if (!contact) throw unauthorized();
    return { ...identity, contactId: contact.recordId };
  }

  async open(context: CommandContext, identity: PortalIdentity, input: PortalTicketInput): Promise<TicketWriteResult & { portalView: PortalTicketView }> {
    const result = await this.tickets.open(this.asRequester(context, identity), {
      channel: 'web' as TicketChannel,
      subject: input.subject,
      description: input.description,
      priority: input.priority,
      category: input.category,
      attachments: input.attachments,
      requesterContactId: identity.contactId,
    });
    return { ...result, portalView: await this.portalView(identity, result.view.id) };
  }

  async list(identity: PortalIdentity, filter: Pick<TicketListFilter, 'status' | 'limit' | 'cursor'>): Promise<ListResult<PortalListItem>> {
    const page = await this.queries.listTickets(identity.tenantId, { ...filter, requesterContactId: identity.contactId });
    return {
      items: page.items.map(({ id, shortId, subject, status, priority, channel, createdAt, updatedAt }) => ({ id, shortId, subject, status, priority, channel, createdAt, updatedAt })),
      nextCursor: page.nextCursor,
    };
  }

  async get(identity: PortalIdentity, ticketId: string): Promise<PortalTicketView> {
    return this.portalView(identity, ticketId);
  }

  async reply(context: CommandContext, identity: PortalIdentity, ticketId: string, input: { body: string; attachments?: TicketAttachment[] }) {
    await this.requireOwn(identity, ticketId);
    const result = await this.tickets.reply(this.asRequester(context, identity), ticketId, { authorType: 'requester', authorId: identity.contactId, body: input.body, attachments: input.attachments });
    return { ...result, portalView: await this.portalView(identity, ticketId) };
  }

  private async portalView(identity: PortalIdentity, ticketId: string): Promise<PortalTicketView> {
    const state = await this.requireOwn(identity, ticketId);
    const view = await this.tickets.getTicket(identity.tenantId, ticketId);
    const survey = state.survey;
    const open = survey && !survey.answered && Date.parse(survey.expiresAt) > this.clock().getTime();
    return toPortalTicketView(view, open ? { surveyId: survey.surveyId, expiresAt: survey.expiresAt, token: this.tickets.surveyToken(identity.tenantId, ticketId, survey) } : null);
  }

  private async requireOwn(identity: PortalIdentity, ticketId: string) {
    const state = await this.tickets.loadState(identity.tenantId, ticketId);
    if (state.requesterContactId !== identity.contactId) throw notFound();
    return state;
  }

  /** Writes made through the portal name the requester as their actor. */
  private asRequester(context: CommandContext, identity: PortalIdentity): CommandContext {
    return { ...context, tenantId: identity.tenantId, actorId: `contact:${identity.contactId}`, expectedRevision: undefined };
  }

  private sign(identity: PortalIdentity): string {
    const claims = Buffer.from(JSON.stringify({ t: identity.tenantId, c: identity.contactId, e: Math.floor(Date.parse(identity.expiresAt) / 1000) })).toString('base64url');
    return `${TOKEN_PREFIX}.${claims}.${this.signature(claims).toString('base64url')}`;
  }

  private verify(token: string): PortalIdentity | null {
    const [prefix, claims, signatureText, ...rest] = token.split('.');
    if (prefix !== TOKEN_PREFIX || !claims || !signatureText || rest.length > 0) return null;
    const expected = this.signature(claims);
    const given = Buffer.from(signatureText, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const parsed = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { t?: unknown; c?: unknown; e?: unknown };
      if (typeof parsed.t !== 'string' || typeof parsed.c !== 'string' || typeof parsed.e !== 'number') return null;
      return { tenantId: parsed.t, contactId: parsed.c, expiresAt: new Date(parsed.e * 1000).toISOString() };
    } catch {
      return null;
    }
  }

  private signature(claims: string): Buffer {
    return createHmac('sha256', this.config.portalTokenSecret).update(`portal\n${claims}`).digest();
  }
}

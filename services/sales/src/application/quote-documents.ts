import type { ContactDirectory } from './contact-directory';
import type { QuoteView } from './quote-read-models';
import type { QuotesService } from './quotes.service';

/** Everything a printed quote shows. */
export interface QuoteDocumentContent {
  /** Printed in the header until tenants have a display name and address of their own. */
  tenantId: string;
  quote: QuoteView;
  customer: { companyName: string | null; contactName: string | null; contactEmail: string | null };
}

/** Turns a quote into a document (PDF); the infrastructure provides it. */
export interface QuoteDocumentRenderer {
  readonly contentType: string;
  render(content: QuoteDocumentContent): Promise<Buffer>;
}

export const QUOTE_DOCUMENT_RENDERER = Symbol('QUOTE_DOCUMENT_RENDERER');

/** Printable quotes: the quote as of now (or an instant), with its customer's names from the local copy of contacts. */
export class QuoteDocuments {
  constructor(
    private readonly quotes: Pick<QuotesService, 'getQuote'>,
    private readonly directory: Pick<ContactDirectory, 'find'>,
    private readonly renderer: QuoteDocumentRenderer,
  ) {}

  get contentType(): string {
    return this.renderer.contentType;
  }

  async render(tenantId: string, quoteId: string, asOf?: string): Promise<{ quote: QuoteView; document: Buffer }> {
    const quote = await this.quotes.getQuote(tenantId, quoteId, asOf);
    const contact = quote.contactId ? await this.directory.find('contact', tenantId, quote.contactId) : null;
    const company = quote.companyId ? await this.directory.find('company', tenantId, quote.companyId) : null;
    const contactData = (contact?.data ?? {}) as { firstName?: string; lastName?: string; emails?: { address: string; primary?: boolean }[] };
    const contactName = [contactData.firstName, contactData.lastName].filter(Boolean).join(' ').trim() || null;
    const contactEmail = contactData.emails?.find((email) => email.primary)?.address ?? contactData.emails?.[0]?.address ?? null;
    const companyName = ((company?.data ?? {}) as { name?: string }).name ?? null;
    const document = await this.renderer.render({ tenantId, quote, customer: { companyName, contactName, contactEmail } });
    return { quote, document };
  }
}

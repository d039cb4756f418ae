import { type CommandContext, DomainError, EventSourcedCommandHandler, newRecordId } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import { loadView, timestamps, timestampsAfter, type WriteResult } from '@crm/runtime';
import { webFormStream } from '../domain/streams';
import { mapSubmission, originAllowed, type WebFormCommand, webFormDecider, type WebFormEvent, type WebFormFields, type WebFormInput, type WebFormState } from '../domain/web-form';
import type { LeadsService } from './leads.service';

export interface WebFormView extends WebFormFields {
  id: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** What a submitter is told: the same whether the lead was captured or the submission was dropped as spam. */
export interface SubmissionReceipt {
  submissionId: string;
}

/** A page of an origin the form does not allow tried to submit it (the API answers 403). */
export class OriginNotAllowedError extends Error {
  constructor(readonly origin: string) {
    super(`Pages of ${origin} may not submit this form`);
    this.name = 'OriginNotAllowedError';
  }
}

function toView(state: WebFormState, revision: number, times: { createdAt: string; updatedAt: string }): WebFormView {
  const { lifecycle: _lifecycle, id, ...fields } = state;
  return { id: id as string, ...fields, revision, ...times };
}

/** Web forms, and the public submissions that turn into leads. */
export class WebFormsService {
  private readonly forms: EventSourcedCommandHandler<WebFormCommand, WebFormState, WebFormEvent>;

  constructor(
    store: EventStore,
    private readonly leads: LeadsService,
    private readonly newId: () => string = newRecordId,
  ) {
    this.forms = new EventSourcedCommandHandler(store, webFormDecider);
  }

  async create(context: CommandContext, input: WebFormInput): Promise<WriteResult<WebFormView>> {
    const formId = this.newId();
    const result = await this.forms.handle(webFormStream(context.tenantId, formId), { type: 'CreateWebForm', formId, input }, context);
    return { view: toView(result.state, result.revision, timestampsAfter(result)), revision: result.revision, position: result.position };
  }

  get(tenantId: string, formId: string): Promise<WebFormView> {
    return loadView(this.forms, webFormStream(tenantId, formId), 'Web form', (state, revision, events) => toView(state, revision, timestamps(events)));
  }

  /**
   * A submission becomes a lead captured through the form, on behalf of the form (`web-form:<id>`).
   * A bot's submission (honeypot filled) gets the same receipt and leaves no trace. Errors in the lead's
   * fields are named after the form's fields, which is what the page knows.
   */
  async submit(context: CommandContext, formId: string, body: unknown, origin: string | undefined): Promise<SubmissionReceipt> {
    const form = await this.get(context.tenantId, formId);
    if (!originAllowed(form, origin)) throw new OriginNotAllowedError(origin ?? '');
    const mapped = mapSubmission(form, body);
    const submissionId = this.newId();
    if (mapped.kind === 'spam') return { submissionId };
    try {
      await this.leads.capture({ ...context, actorId: `web-form:${formId}` }, mapped.input, { via: 'web-form', webFormId: formId }, submissionId);
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error;
      const details = error.details.map((detail) => ({ ...detail, field: (detail.field && mapped.sourceFields[detail.field]) || detail.field }));
      throw new DomainError('invalid', error.message, details);
    }
    return { submissionId };
  }
}

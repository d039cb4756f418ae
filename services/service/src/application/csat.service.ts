import type { CommandContext } from '@crm/decider';
import { hashSurveyToken, verifySurveyToken } from '../domain/csat';
import type { TicketsConfig } from './ticket-config';
import type { TicketsService, TicketWriteResult } from './tickets.service';

export interface CsatResponseInput {
  token: string;
  score: number;
  comment?: string | null;
}

/**
 * Survey answers. The token's signature is checked here (only we can have issued it); whether the survey
 * is still the ticket's latest, unused and unexpired is the ticket's own decision, on its stream, so two
 * answers racing with the same token cannot both count.
 */
export class CsatService {
  constructor(
    private readonly tickets: TicketsService,
    private readonly config: TicketsConfig,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async respond(context: CommandContext, ticketId: string, input: CsatResponseInput): Promise<TicketWriteResult> {
    const { surveyId } = verifySurveyToken(input.token, { tenantId: context.tenantId, ticketId }, this.config.csatTokenSecret);
    await this.tickets.loadState(context.tenantId, ticketId);
    return this.tickets.execute(context, ticketId, {
      type: 'RecordCsat',
      surveyId,
      tokenHash: hashSurveyToken(input.token),
      score: input.score,
      comment: input.comment ?? null,
      now: this.clock().toISOString(),
    });
  }
}

import { cleanEnv, num, str } from 'envalid';

/** Settings of tickets, CSAT and the portal, read from the environment once at start-up. */
export interface TicketsConfig {
  /** HMAC key of CSAT survey tokens (CSAT_TOKEN_SECRET). Rotating it invalidates the links not yet answered. */
  csatTokenSecret: string;
  /** How long a survey link stays valid (CSAT_SURVEY_TTL_HOURS, default 14 days). */
  csatSurveyTtlHours: number;
  /** HMAC key of portal session tokens (PORTAL_TOKEN_SECRET). */
  portalTokenSecret: string;
  /** How long a portal session lasts (PORTAL_SESSION_TTL_MINUTES, default 24 hours). */
  portalSessionTtlMinutes: number;
}

// Development defaults only: a deployment sets its own secrets (the Helm chart and compose files pass them in).
const DEV_CSAT_SECRET = 'dev-only-csat-token-secret-change-me';
const DEV_PORTAL_SECRET = 'dev-only-portal-token-secret-change-me';

export function loadTicketsConfig(env: NodeJS.ProcessEnv = process.env): TicketsConfig {
  const parsed = cleanEnv(env, {
    CSAT_TOKEN_SECRET: str({ default: DEV_CSAT_SECRET }),
    CSAT_SURVEY_TTL_HOURS: num({ default: 24 * 14 }),
    PORTAL_TOKEN_SECRET: str({ default: DEV_PORTAL_SECRET }),
    PORTAL_SESSION_TTL_MINUTES: num({ default: 24 * 60 }),
  });
  return {
    csatTokenSecret: parsed.CSAT_TOKEN_SECRET,
    csatSurveyTtlHours: parsed.CSAT_SURVEY_TTL_HOURS,
    portalTokenSecret: parsed.PORTAL_TOKEN_SECRET,
    portalSessionTtlMinutes: parsed.PORTAL_SESSION_TTL_MINUTES,
  };
}

export const TICKETS_CONFIG = Symbol('TICKETS_CONFIG');

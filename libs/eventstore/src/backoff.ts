/**
 * Jittered exponential backoff, for the KurrentDB supervisor here and for @crm/bus (relay, consumers),
 * which re-exports it: the bus builds on the event store, so the one copy lives here.
 */
export interface BackoffOptions {
  /** Delay before the second attempt. */
  initialDelayMs: number;
  /** The delay doubles per attempt up to this cap. */
  maxDelayMs: number;
}

/**
 * The delay before attempt `attempt` (1 = the first retry), drawn between half and all of the exponential
 * value, so that processes that failed on the same cause do not all retry at the same instant.
 */
export function backoffDelay(attempt: number, { initialDelayMs, maxDelayMs }: BackoffOptions, random: () => number = Math.random): number {
  const exponential = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return exponential / 2 + random() * (exponential / 2);
}

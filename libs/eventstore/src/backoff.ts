/**
 * Jittered exponential backoff for adapters of this library. @crm/bus has the same helper for the relay;
 * it cannot be imported from here because @crm/bus depends on @crm/eventstore (that would be a cycle).
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

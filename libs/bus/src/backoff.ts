export interface BackoffOptions {
  /** Delay before the second attempt. */
  initialDelayMs: number;
  /** The delay doubles per attempt up to this cap. */
  maxDelayMs: number;
}

/**
 * Exponential backoff with jitter: the delay is drawn between half and all of the exponential value,
 * so processes that failed on the same cause do not all retry at the same instant.
 */
export function backoffDelay(attempt: number, { initialDelayMs, maxDelayMs }: BackoffOptions): number {
  const exponential = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return exponential / 2 + Math.random() * (exponential / 2);
}

/**
 * A sleep that can be cut short. A wake-up that arrives while nobody sleeps is remembered,
 * so a notification sent between "found nothing to do" and "go to sleep" is not lost.
 */
export class WakeUpSignal {
  private wakeSleeper: (() => void) | undefined;
  private wokenWhileAwake = false;

  sleep(ms: number): Promise<void> {
    if (this.wokenWhileAwake) {
      this.wokenWhileAwake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wakeSleeper = finish;
    });
  }

  wake(): void {
    if (this.wakeSleeper) this.wakeSleeper();
    else this.wokenWhileAwake = true;
  }
}

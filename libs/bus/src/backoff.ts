// One jittered backoff for the whole code base: it lives in @crm/eventstore, which @crm/bus builds on.
export { backoffDelay, type BackoffOptions } from '@crm/eventstore';

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

/** Longest dead-letter reason kept: enough for a message and the top of a stack. */
const MAX_DEAD_LETTER_REASON_LENGTH = 2_000;

/** What both consumers write as a dead letter's reason: the failure's stack, bounded so a header stays small. */
export function deadLetterReason(error: unknown): string {
  const described = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return described.slice(0, MAX_DEAD_LETTER_REASON_LENGTH);
}

/** True if `promise` settled within `ms`; never rejects. Consumers use it to bound the drain on close. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

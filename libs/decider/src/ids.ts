import { randomFillSync } from 'node:crypto';
import { monotonicFactory, ulidToUUID } from 'ulid';

// ulid draws one random byte per character through a separate crypto call; serving those bytes from a
// pooled buffer makes id generation cheap on the write path without changing the ids' format or quality.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function pooledRandom(): number {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++] / 256;
}

const nextUlid = monotonicFactory(pooledRandom);

/** Record ids: ULIDs (26 characters, time-ordered, URL-safe). */
export const newRecordId = (): string => nextUlid();

/**
 * Event ids are UUID-shaped (KurrentDB requires UUIDs) but time-ordered, so the store's unique index on
 * event ids grows at one end instead of touching a random page per append.
 */
export const newEventId = (): string => ulidToUUID(nextUlid()).toLowerCase();

import { InMemoryEventStore } from './in-memory-event-store';
import { eventStoreContract } from './testing';

// No reopen: the events live in the instance, so the restart test is skipped for this adapter.
eventStoreContract('InMemoryEventStore', {
  create: async () => new InMemoryEventStore(),
});

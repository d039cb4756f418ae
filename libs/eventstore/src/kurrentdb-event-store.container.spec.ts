import { KurrentDbContainer, type StartedKurrentDbContainer } from '@testcontainers/kurrentdb';
import { describeWithDocker } from '@crm/testing';
import { KurrentDbEventStore } from './kurrentdb-event-store';
import { eventStoreContract } from './testing';

/**
 * The event-store contract against a real KurrentDB. One server serves the whole suite: the contract
 * names its streams uniquely per test and reads `$all` relative to the head, so tests do not see each other.
 */
const IMAGE = process.env.CRM_TEST_KURRENTDB_IMAGE ?? 'kurrentplatform/kurrentdb:26.1.1';
const logger = { warn: (details: Record<string, unknown>, message: string) => console.warn(message, details) };

function contractOn(connectionString: () => string): void {
  eventStoreContract('KurrentDbEventStore', {
    create: async () => new KurrentDbEventStore({ connectionString: connectionString(), logger }),
    // A new client on the same server is what a restarted service gets.
    reopen: async () => new KurrentDbEventStore({ connectionString: connectionString(), logger }),
  });
}

describeWithDocker(`KurrentDbEventStore on a KurrentDB container (${IMAGE})`, () => {
  let container: StartedKurrentDbContainer;

  beforeAll(async () => {
    container = await new KurrentDbContainer(IMAGE).start();
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  contractOn(() => container.getConnectionString());
});

// A server started some other way (e.g. `kurrentdb --insecure` on a developer machine), without Docker.
const serverUrl = process.env.CRM_TEST_KURRENTDB_URL;
if (serverUrl) {
  describe(`KurrentDbEventStore on ${serverUrl}`, () => contractOn(() => serverUrl));
}

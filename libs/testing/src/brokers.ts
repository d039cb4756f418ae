/**
 * `describe` for suites that need one of the real servers that `.ci/run` starts without Docker (tools/infra).
 * Where the variable naming the server is unset, the suite is skipped and its name says how to get one.
 * CI sets CRM_REQUIRE_REAL_BROKERS=1 so that a missing variable there fails loudly instead of skipping.
 */
function describeWithServer(variable: string, script: string, name: string, suite: (address: string) => void): void {
  const address = process.env[variable];
  if (address) {
    describe(name, () => suite(address));
  } else if (process.env.CRM_REQUIRE_REAL_BROKERS === '1') {
    describe(name, () => {
      it(`needs ${variable}`, () => {
        throw new Error(`${variable} is unset but CRM_REQUIRE_REAL_BROKERS=1: start the server with ${script}`);
      });
    });
  } else {
    describe.skip(`${name} [skipped: ${variable} unset; start the server with ${script}]`, () => suite(''));
  }
}

/** For suites against the local Apache Kafka broker (`tools/infra/kafka.sh start`); the callback gets the broker list. */
export function describeWithKafka(name: string, suite: (brokers: string) => void): void {
  describeWithServer('CRM_TEST_KAFKA_BROKERS', 'tools/infra/kafka.sh start', name, suite);
}

/** For suites against the local MongoDB wire-compatible server (`tools/infra/mongodb.sh start`); the callback gets its URL. */
export function describeWithMongo(name: string, suite: (url: string) => void): void {
  describeWithServer('CRM_TEST_MONGODB_URL', 'tools/infra/mongodb.sh start', name, suite);
}

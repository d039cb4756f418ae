import type * as NestMicroservices from '@nestjs/microservices';

/**
 * Loads @nestjs/microservices on first use instead of at import.
 *
 * Nest 12 ships ES modules only. Node 24 loads them from our CommonJS (require(esm)), but jest only does
 * when started with NODE_OPTIONS=--experimental-vm-modules. Loaded lazily, `@crm/bus` stays importable by
 * every suite, and only the suites that really run Kafka or a Nest microservice need the flag.
 */
export function loadNestMicroservices(): typeof NestMicroservices {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- on purpose: see above
    return require('@nestjs/microservices') as typeof NestMicroservices;
  } catch (error) {
    throw new Error(
      'Could not load @nestjs/microservices (an ES module); under jest, run with NODE_OPTIONS=--experimental-vm-modules',
      { cause: error },
    );
  }
}

/** False where @nestjs/microservices cannot be loaded: under jest without NODE_OPTIONS=--experimental-vm-modules. */
export function canLoadNestMicroservices(): boolean {
  try {
    loadNestMicroservices();
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` for suites that need a container runtime (testcontainers). Where there is none, the suite is
 * skipped and its name says why. Resolved at call time so that importing this file needs no jest globals.
 */
export function describeWithDocker(name: string, suite: () => void): void {
  if (process.env.CRM_DOCKER === '1') describe(name, suite);
  else describe.skip(`${name} [skipped: no container runtime (Docker) on this machine]`, suite);
}

/** `describe` for suites that need a container runtime; skipped (with the reason in the name) where there is none. */
export const describeWithDocker: jest.Describe = (
  process.env.CRM_DOCKER === '1' ? describe : (describe.skip as jest.Describe)
);

export const dockerSkipReason =
  process.env.CRM_DOCKER === '1' ? '' : ' [skipped: no container runtime (Docker) on this machine]';

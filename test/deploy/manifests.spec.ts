/**
 * Validates the deployment files without a cluster or a Docker engine:
 * - the Dockerfile, statically (there is no engine here to build it);
 * - docker-compose.yml with `docker-compose config`, then what it resolves to;
 * - the Helm chart with `helm lint` and `helm template`, then what it renders.
 * helm and docker-compose come from tools/infra/deploy-tools.sh. Where one is missing, its suite is skipped
 * with a message naming that script, except under CRM_REQUIRE_REAL_BROKERS=1 (CI), where it fails.
 * YAML is read with PyYAML, which the Debian docker-compose package depends on.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { delimiter, join, resolve } from 'node:path';
import { SERVICE_PROCESSES } from '../../tools/services';

const ROOT = resolve(__dirname, '../..');
const CHART = join(ROOT, 'deploy/helm/crm');
const INSTALL_SCRIPT = 'tools/infra/deploy-tools.sh install';
const CONNECTION_KEYS = ['KURRENTDB_URL', 'KAFKA_BROKERS', 'MONGODB_URL'];
const GATEWAY = 'gateway';

// ---------------------------------------------------------------------------------------------------
// Tools

/** The first executable called `name` in `preferredDirs`, then on PATH. */
function findExecutable(name: string, preferredDirs: string[] = []): string | undefined {
  for (const dir of [...preferredDirs, ...(process.env.PATH ?? '').split(delimiter)]) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const helm = findExecutable('helm', [join(ROOT, '.brokers/bin')]);
const dockerCompose = findExecutable('docker-compose');
const python = findExecutable('python3');
const pyYamlAvailable = python !== undefined && spawnSync(python, ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;

function describeWithTools(name: string, missing: string[], suite: () => void): void {
  if (missing.length === 0) {
    describe(name, suite);
  } else if (process.env.CRM_REQUIRE_REAL_BROKERS === '1') {
    describe(name, () => {
      it(`needs ${missing.join(', ')}`, () => {
        throw new Error(`${missing.join(', ')} missing but CRM_REQUIRE_REAL_BROKERS=1: run ${INSTALL_SCRIPT}`);
      });
    });
  } else {
    describe.skip(`${name} [skipped: ${missing.join(', ')} missing; run ${INSTALL_SCRIPT}]`, suite);
  }
}

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { cwd: ROOT, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
}

/** Runs a command expected to fail; returns its stderr. */
function runFailing(command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(result.status).not.toBe(0);
  return result.stderr;
}

/** Every document of a YAML stream, empty ones left out. */
function parseYamlDocuments<T>(yamlText: string): T[] {
  const toJson = 'import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(sys.stdin) if d is not None], sys.stdout)';
  return JSON.parse(run(python!, ['-c', toJson], yamlText)) as T[];
}

// ---------------------------------------------------------------------------------------------------
// Dockerfile (static: no engine here)

interface DockerStage {
  from: string;
  name?: string;
  instructions: string[];
}

/** The Dockerfile's stages, with continuation lines joined and comments left out. */
function dockerStages(dockerfile: string): DockerStage[] {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const instruction of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(instruction);
    if (from) stages.push({ from: from[1], name: from[2], instructions: [] });
    else stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

/** Literal .dockerignore entries (the glob ones are not needed for these checks). */
function ignoredByDocker(path: string): boolean {
  const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !/[*?[!]/.test(line));
  return patterns.some((pattern) => path === pattern || path.startsWith(`${pattern}/`));
}

describe('Dockerfile (deploy/docker/Dockerfile)', () => {
  const stages = dockerStages(readFileSync(join(ROOT, 'deploy/docker/Dockerfile'), 'utf8'));
  const runtime = stages.at(-1)!;

  it('is multi-stage, every stage on a pinned Node 24 slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(/^node:24(\.\d+){0,2}-([a-z]+-)?slim$/);
  });

  it('runs as a non-root user in the runtime stage', () => {
    const users = runtime.instructions.filter((instruction) => /^USER\s/i.test(instruction));
    expect(users).not.toHaveLength(0);
    const user = users.at(-1)!.split(/\s+/)[1].split(':')[0];
    expect(['root', '0']).not.toContain(user);
  });

  it('gives the runtime stage production dependencies only, installed from the lockfile', () => {
    const dependencyStage = stages.find((stage) => stage.instructions.some((instruction) => /npm ci\b.*--omit=dev/.test(instruction)));
    expect(dependencyStage?.name).toBeDefined();
    const copiedModules = runtime.instructions.filter((instruction) => /^COPY\s.*node_modules/i.test(instruction));
    expect(copiedModules).toEqual([expect.stringContaining(`--from=${dependencyStage!.name}`)]);
    expect(runtime.instructions.join('\n')).not.toMatch(/npm (ci|install)(?!.*--omit=dev)/);
  });

  it('starts through tini and the entrypoint that picks the service', () => {
    const entrypoint = runtime.instructions.find((instruction) => /^ENTRYPOINT\s/i.test(instruction));
    expect(entrypoint).toMatch(/tini.*entrypoint\.sh/);
    expect(readFileSync(join(ROOT, 'deploy/docker/entrypoint.sh'), 'utf8')).toMatch(/^exec node .*"\$main"$/m);
  });

  it('finds in the build context every file it copies and everything the build reads', () => {
    const copiedFromContext = runtime.instructions
      .filter((instruction) => /^COPY\s/i.test(instruction) && !/--from=/.test(instruction))
      .flatMap((instruction) => instruction.split(/\s+/).slice(1, -1));
    const buildInputs = ['package.json', 'package-lock.json', '.swcrc', 'tsconfig.base.json', 'tools/build.mjs', 'libs', 'services', 'tools', 'bench'];
    for (const path of [...copiedFromContext, ...buildInputs]) {
      expect({ path, ignored: ignoredByDocker(path) }).toEqual({ path, ignored: false });
      expect(() => accessSync(join(ROOT, path))).not.toThrow();
    }
  });

  it('finds every service where the entrypoint looks for it (dist/services/<name>/src/main.js)', () => {
    for (const service of SERVICE_PROCESSES) expect(service.script).toBe(`services/${service.name}/src/main.js`);
  });
});

// ---------------------------------------------------------------------------------------------------
// docker-compose.yml

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
}

const composeMissing = [...(dockerCompose ? [] : ['docker-compose']), ...(pyYamlAvailable ? [] : ['python3 with PyYAML'])];

describeWithTools('docker-compose.yml', composeMissing, () => {
  let services: Record<string, ComposeService>;

  beforeAll(() => {
    [{ services }] = parseYamlDocuments<{ services: Record<string, ComposeService> }>(run(dockerCompose!, ['-f', 'docker-compose.yml', 'config']));
  });

  it('validates, as does the embedded variant', () => {
    run(dockerCompose!, ['-f', 'docker-compose.yml', 'config', '-q']);
    run(dockerCompose!, ['-f', 'docker-compose.embedded.yml', 'config', '-q']);
  });

  it('has a health check on every container', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, test: service.healthcheck?.test !== undefined && !service.healthcheck.disable }).toEqual({ name, test: true });
    }
  });

  it('runs every service of tools/services.ts on KurrentDB, Kafka and MongoDB, once they are healthy', () => {
    for (const process of SERVICE_PROCESSES) {
      const service = services[process.name];
      expect(service).toBeDefined();
      expect(service.environment).toMatchObject({
        SERVICE: process.name,
        [`${process.name.toUpperCase()}_PORT`]: String(process.defaultPort),
        EVENT_STORE: 'kurrentdb',
        BUS: 'kafka',
        READ_STORE: 'mongodb',
        KURRENTDB_URL: expect.stringMatching(/^kurrentdb:\/\/kurrentdb:2113/),
        KAFKA_BROKERS: 'kafka:9092',
        MONGODB_URL: expect.stringMatching(/^mongodb:\/\/mongodb:27017\/.*replicaSet=rs0/),
      });
      expect(Object.keys(service.depends_on ?? {})).not.toHaveLength(0);
      for (const dependency of Object.values(service.depends_on ?? {})) expect(dependency.condition).toBe('service_healthy');
      if (process.name !== GATEWAY) {
        expect(service.depends_on).toMatchObject({ kurrentdb: {}, kafka: {}, mongodb: {} });
        expect(services[GATEWAY].environment?.[`${process.name.toUpperCase()}_URL`]).toBe(`http://${process.name}:${process.defaultPort}`);
        expect(services[GATEWAY].depends_on?.[process.name]?.condition).toBe('service_healthy');
      }
    }
  });

  it('runs Kafka as one KRaft node with replication factors of 1, and MongoDB as replica set rs0', () => {
    expect(services.kafka.environment).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    });
    expect(services.kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(services.mongodb.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    expect(String(services.mongodb.healthcheck?.test)).toContain('rs.initiate');
    expect(services.kurrentdb.environment).toMatchObject({ KURRENTDB_CLUSTER_SIZE: '1', KURRENTDB_INSECURE: 'true' });
  });
});

// ---------------------------------------------------------------------------------------------------
// Helm chart

interface Metadata {
  name: string;
  labels?: Record<string, string>;
}
interface HttpProbe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: HttpProbe;
  readinessProbe?: HttpProbe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: Record<string, string> & { matchLabels?: Record<string, string> };
    ports?: { name: string; port: number; targetPort: string | number }[];
    scaleTargetRef?: { kind: string; name: string };
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    template?: {
      metadata: Metadata;
      spec: {
        containers: Container[];
        securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
        terminationGracePeriodSeconds?: number;
        volumes?: { name: string; emptyDir?: object }[];
      };
    };
  };
}

const helmMissing = [...(helm ? [] : ['helm']), ...(pyYamlAvailable ? [] : ['python3 with PyYAML'])];

function helmTemplate(...setArgs: string[]): KubernetesObject[] {
  return parseYamlDocuments<KubernetesObject>(run(helm!, ['template', 'crm', CHART, ...setArgs.flatMap((set) => ['--set', set])]));
}

function find(objects: KubernetesObject[], kind: string, name: string): KubernetesObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among: ${objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ')}`);
  return found;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

describeWithTools('Helm chart (deploy/helm/crm)', helmMissing, () => {
  let rendered: KubernetesObject[];

  beforeAll(() => {
    rendered = helmTemplate();
  });

  it('passes helm lint --strict', () => {
    expect(run(helm!, ['lint', CHART, '--strict'])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('renders a Deployment and a Service for every service of tools/services.ts, probed on /health/live and /health/ready', () => {
    for (const service of SERVICE_PROCESSES) {
      const deployment = find(rendered, 'Deployment', `crm-${service.name}`);
      const pod = deployment.spec!.template!;
      expect(selects(deployment.spec!.selector!.matchLabels, pod.metadata.labels)).toBe(true);
      const [container] = pod.spec.containers;
      expect(container.env).toEqual(
        expect.arrayContaining([
          { name: 'SERVICE', value: service.name },
          { name: `${service.name.toUpperCase()}_PORT`, value: String(service.defaultPort) },
          { name: 'HOST', value: '0.0.0.0' },
        ]),
      );
      expect(container.ports).toEqual([{ name: 'http', containerPort: service.defaultPort, protocol: 'TCP' }]);
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });

      const kubernetesService = find(rendered, 'Service', `crm-${service.name}`);
      expect(selects(kubernetesService.spec!.selector, pod.metadata.labels)).toBe(true);
      expect(kubernetesService.spec!.ports).toEqual([{ name: 'http', port: service.defaultPort, targetPort: 'http', protocol: 'TCP' }]);
    }
  });

  it('sets resources, a non-root read-only container with a writable /tmp, and time to drain on shutdown', () => {
    for (const service of SERVICE_PROCESSES) {
      const pod = find(rendered, 'Deployment', `crm-${service.name}`).spec!.template!.spec;
      const [container] = pod.containers;
      expect(container.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources?.limits).toMatchObject({ memory: expect.any(String) });
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).not.toBe(0);
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
      expect(pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(15);
    }
  });

  it('protects every service with a PodDisruptionBudget selecting its pods', () => {
    for (const service of SERVICE_PROCESSES) {
      const pod = find(rendered, 'Deployment', `crm-${service.name}`).spec!.template!;
      const budget = find(rendered, 'PodDisruptionBudget', `crm-${service.name}`);
      expect(selects(budget.spec!.selector!.matchLabels, pod.metadata.labels)).toBe(true);
      expect(budget.spec!.maxUnavailable ?? budget.spec!.minAvailable).toBeDefined();
    }
  });

  it('keeps connection URLs in a Secret, other settings in a ConfigMap, and gives both to every service', () => {
    const configMap = find(rendered, 'ConfigMap', 'crm-config');
    const secret = find(rendered, 'Secret', 'crm-connections');
    expect(Object.keys(secret.stringData ?? {}).sort()).toEqual([...CONNECTION_KEYS].sort());
    for (const key of CONNECTION_KEYS) expect(configMap.data).not.toHaveProperty(key);
    for (const value of Object.values(configMap.data ?? {})) expect(value).not.toMatch(/^(kurrentdb|mongodb(\+srv)?|kafka):\/\//);
    expect(configMap.data).toMatchObject({ EVENT_STORE: 'kurrentdb', BUS: 'kafka', READ_STORE: 'mongodb' });
    for (const service of SERVICE_PROCESSES) {
      if (service.name !== GATEWAY) expect(configMap.data?.[`${service.name.toUpperCase()}_URL`]).toBe(`http://crm-${service.name}:${service.defaultPort}`);
      const [container] = find(rendered, 'Deployment', `crm-${service.name}`).spec!.template!.spec.containers;
      expect(container.envFrom).toEqual([{ configMapRef: { name: 'crm-config' } }, { secretRef: { name: 'crm-connections' } }]);
    }
  });

  it('uses a Secret managed outside the chart when existingSecret names one', () => {
    const objects = helmTemplate('existingSecret=crm-production-connections');
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
    const [container] = find(objects, 'Deployment', 'crm-contacts').spec!.template!.spec.containers;
    expect(container.envFrom).toContainEqual({ secretRef: { name: 'crm-production-connections' } });
  });

  it('refuses a connection URL in the ConfigMap settings', () => {
    expect(runFailing(helm!, ['template', 'crm', CHART, '--set', 'config.MONGODB_URL=mongodb://user:secret@db/'])).toMatch(/belong in `secrets`/);
  });

  it('hands replica counts to a HorizontalPodAutoscaler per service when autoscaling is on', () => {
    const objects = helmTemplate('serviceDefaults.autoscaling.enabled=true');
    for (const service of SERVICE_PROCESSES) {
      expect(find(objects, 'Deployment', `crm-${service.name}`).spec!.replicas).toBeUndefined();
      const autoscaler = find(objects, 'HorizontalPodAutoscaler', `crm-${service.name}`);
      expect(autoscaler.apiVersion).toBe('autoscaling/v2');
      expect(autoscaler.spec!.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: `crm-${service.name}` });
    }
    expect(helmTemplate().filter((object) => object.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  });

  it('lets one service turn off a default, such as its PodDisruptionBudget', () => {
    const objects = helmTemplate('services[0].name=contacts', 'services[0].port=3101', 'services[0].podDisruptionBudget.enabled=false', 'services[1].name=gateway', 'services[1].port=3000');
    expect(objects.filter((object) => object.kind === 'PodDisruptionBudget').map((object) => object.metadata.name)).toEqual(['crm-gateway']);
  });
});

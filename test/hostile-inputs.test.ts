// Hostile input corpus: over every input in action.yml and every field of a job.yaml, values an
// attacker (or a careless copy) would use — workflow commands after a newline, path traversal in
// a name, bidi overrides, megabytes, symlinks out of the workspace, /proc and /dev files, YAML
// alias bombs. Every case must be refused as an input problem that names the input, before any
// remote call. Most cases run in-process through the same parse the action runs
// (parseInputs + resolveLocal); a subset runs the bundled action against the emulator to prove
// that nothing reaches it, that the step fails naming the input, and that no output line
// starts a workflow command.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseInputs } from '../src/inputs.ts';
import { RULE_IDS, type RuleId } from '../src/job-rules/index.ts';
import { resolveLocal } from '../src/plan.ts';
import { type Emulator, startEmulator } from './emulator/server.ts';
import { refusalOf } from './helpers/input-refusals.ts';
import { ensureBuilt, ROOT, runAction } from './helpers/run-action.ts';
import { pool } from './helpers/soak.ts';
import { injectedCommands } from './helpers/workflow-commands.ts';

const INJECT = 'x\n::warning::INJECTED';
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };
const INPUTS = Object.keys(action.inputs);

/** A valid input-driven step: each case changes one input. */
const BASE: Record<string, string> = {
  workload_identity_provider:
    'projects/111111111111/locations/global/workloadIdentityPools/github/providers/github-actions',
  project_id: 'app-proj',
  region: 'us-central1',
  job: 'worker',
  image: 'us-central1-docker.pkg.dev/app-proj/containers/worker:v1',
  service_account: 'runtime@app-proj.iam.gserviceaccount.com',
};

/** Values each input must refuse (beyond the length bound every input has). */
const SPECIFIC: Record<string, string[]> = {
  workload_identity_provider: [
    INJECT,
    'projects/1/locations/global/workloadIdentityPools/p/providers/../x',
    'x\u202e',
  ],
  impersonate_service_account: [
    INJECT,
    'deployer@p.iam.gserviceaccount.com/../admin@p.iam.gserviceaccount.com',
    'a b@p.com',
  ],
  project_id: [INJECT, '../other-project', 'app-proj/secrets/x', 'UPPER-case'],
  region: [INJECT, 'us-central1/../x', 'us central1'],
  job: [INJECT, 'worker/../admin', '-worker', 'Worker'],
  image: [
    INJECT,
    `us-docker.pkg.dev/p/r/${'a'.repeat(5_002)}`,
    'us-docker.pkg.dev/p/r/i:tag\u202e',
    'https://evil.example/x',
  ],
  service_account: [
    INJECT,
    'runtime@p.iam.gserviceaccount.com/../batch@p.iam.gserviceaccount.com',
    'runtime',
  ],
  env_vars: [`A=1${INJECT}`, '=no-key', '1BAD=x'],
  secrets: [
    'DB=db/../payroll-key:1',
    `DB=db:1${INJECT}`,
    'DB=projects/p/secrets/s/../t:1',
    // `..` (or anything not a project) in the project part (issue 16).
    'DB=projects/../secrets/db:1',
    'DB=projects/a..b/secrets/db:1',
    'DB=db:0',
    'DB=db:-1',
  ],
  labels: [`team=${INJECT}`, 'Team=x', 'team=a b'],
  skip_default_labels: [INJECT, 'yes'],
  command: ['[1,2]', '["unterminated'],
  args: ['[{}]', '[null]'],
  cpu: [INJECT, '1 cpu', '-1'],
  memory: [INJECT, '1GB!', '512'],
  tasks: [INJECT, '-1', '0', '1e3'],
  parallelism: [INJECT, 'x'],
  max_retries: [INJECT, '3.5', '11'],
  task_timeout: [INJECT, '0s', '169h', '10 minutes'],
  execute: [INJECT, 'TRUE!'],
  wait: [INJECT, '1'],
  wait_timeout: [INJECT, '6h', '1s', 'forever'],
  iam: [INJECT, 'grant'],
  dry_run: [INJECT, 'maybe'],
  fail_on: [INJECT, 'always'],
  pr_comment: [INJECT, 'no'],
  github_token: [`ghs_abc${INJECT}`, 'ghs abc'],
  request_reason: [INJECT, 'r\u0000'],
  universe: [INJECT, 'googleapis.com/../evil', 'googleapis'],
  metadata: ['../outside.yaml', '/etc/passwd', '/proc/self/environ', '/dev/zero', 'missing.yaml'],
  // The job's rules (src/job-rules/), judged on the job the inputs build, before any request.
  volume_mounts: [
    'volume=data,mount-path=/proc/x',
    'volume=data,mount-path=/sys',
    'volume=data,mount-path=rel',
  ],
  cloudsql_instances: [':us-central1:orders', `app-proj:us-central1:db${INJECT}`],
  vpc_connector: ['projects/app-proj/locations/europe-west1/connectors/conn'],
  subnet: ['projects/app-proj/regions/europe-west1/subnetworks/jobs'],
  kms_key: [
    'projects/app-proj/locations/europe-west1/keyRings/run/cryptoKeys/jobs',
    'projects/app-proj/locations/us-central1/keyRings/../cryptoKeys/jobs',
    // Issue 16: a path segment that changes the resource.
    'projects/../locations/us/keyRings/r/cryptoKeys/k',
  ],
  // Issue 16: a path segment that changes the resource; keys no Job message has.
  binary_authorization: [
    'projects/../platforms/cloudRun/policies/p',
    'projects/app-proj/../x/platforms/cloudRun/policies/p',
  ],
  job_patch: [
    '{"__proto__": {"polluted": true}}',
    '{"constructor": {"name": "x"}}',
    '{"labels": {"__proto__": "x"}}',
    '__proto__:\n  taskCount: 2',
    JSON.stringify({ labels: { 'a:b': 'x' } }),
    JSON.stringify({ template: { taskCount: 0 } }),
    JSON.stringify({ template: { template: { serviceAccount: 'runtime@p.iam.gserviceaccount.com/../x' } } }),
    JSON.stringify({
      template: {
        template: {
          containers: [{ image: 'us-docker.pkg.dev/p/r/i:1', env: [{ name: 'A\nB', value: 'x' }] }],
        },
      },
    }),
    JSON.stringify({
      template: {
        template: {
          volumes: [
            {
              name: 'certs',
              secret: { secret: 'certs', items: [{ version: '1', path: '../../etc/passwd' }] },
            },
          ],
        },
      },
    }),
  ],
};
SPECIFIC.env_vars?.push('CLOUD_RUN_TASK_INDEX=1', 'A B=x');
SPECIFIC.tasks?.push('20000');
SPECIFIC.labels?.push('a:b=x');

/** What the length bound lets through, per input (see MAX_LENGTH in src/inputs.ts): one more is refused. */
const LONG = 40_000;

interface InputCase {
  name: string;
  inputs: Record<string, string>;
  /** The input the error must name. */
  input: string;
}

const inputCases: InputCase[] = INPUTS.flatMap((input) => {
  const values = [...(SPECIFIC[input] ?? []), 'x'.repeat(LONG)];
  return values.map((value, i) => ({
    name: `${input} #${i + 1}`,
    // With metadata, the spec inputs conflict: keep them out so the metadata problem is the one.
    inputs:
      input === 'metadata'
        ? { project_id: 'app-proj', metadata: value }
        : { ...BASE, ...(input === 'wait_timeout' ? { execute: 'true' } : {}), [input]: value },
    input,
  }));
});

// ---- job.yaml fields ----

const GOOD_JOB = {
  apiVersion: 'run.googleapis.com/v1',
  kind: 'Job',
  metadata: { name: 'worker', namespace: 'app-proj', annotations: {} as Record<string, string> },
  spec: {
    template: {
      metadata: { annotations: {} as Record<string, string> },
      spec: {
        template: {
          spec: {
            serviceAccountName: 'runtime@app-proj.iam.gserviceaccount.com',
            containers: [
              {
                image: 'us-central1-docker.pkg.dev/app-proj/containers/worker:v1',
                env: [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'db', key: '1' } } }],
              },
            ],
            volumes: [
              { name: 'certs', secret: { secretName: 'certs', items: [{ key: 'latest', path: 'c' }] } },
            ],
          },
        },
      },
    },
  },
};
type JobDoc = typeof GOOD_JOB;
const task = (j: JobDoc) => j.spec.template.spec.template.spec;
const container = (j: JobDoc) =>
  task(j).containers[0] as (typeof GOOD_JOB.spec.template.spec.template.spec.containers)[0];

const mutations: Array<[string, (j: JobDoc) => void]> = [
  ['metadata.name with a command', (j) => (j.metadata.name = INJECT)],
  ['metadata.name traversal', (j) => (j.metadata.name = 'worker/../admin')],
  ['metadata.name upper case', (j) => (j.metadata.name = 'Worker')],
  ['metadata.name bidi', (j) => (j.metadata.name = 'worker\u202e')],
  ['metadata.namespace with a command', (j) => (j.metadata.namespace = INJECT)],
  ['metadata.namespace traversal', (j) => (j.metadata.namespace = '../other')],
  [
    'image with a command',
    (j) => (container(j).image = `us-central1-docker.pkg.dev/app-proj/containers/worker:v1${INJECT}`),
  ],
  [
    'image overlong',
    (j) => (container(j).image = `us-central1-docker.pkg.dev/app-proj/containers/${'a'.repeat(5_002)}`),
  ],
  ['image scheme', (j) => (container(j).image = 'https://evil.example/x')],
  ['image missing', (j) => (container(j).image = undefined as unknown as string)],
  [
    'serviceAccountName with a command',
    (j) => (task(j).serviceAccountName = `runtime@app-proj.iam.gserviceaccount.com${INJECT}`),
  ],
  [
    'serviceAccountName traversal',
    (j) =>
      (task(j).serviceAccountName =
        'runtime@app-proj.iam.gserviceaccount.com/../batch@app-proj.iam.gserviceaccount.com'),
  ],
  ['serviceAccountName not an email', (j) => (task(j).serviceAccountName = 'runtime')],
  [
    'secretKeyRef name traversal',
    (j) =>
      ((
        container(j).env[0] as { valueFrom: { secretKeyRef: { name: string } } }
      ).valueFrom.secretKeyRef.name = 'db/../payroll-key'),
  ],
  [
    'secretKeyRef name with a command',
    (j) =>
      ((
        container(j).env[0] as { valueFrom: { secretKeyRef: { name: string } } }
      ).valueFrom.secretKeyRef.name = INJECT),
  ],
  [
    'secretKeyRef key not a version',
    (j) =>
      ((container(j).env[0] as { valueFrom: { secretKeyRef: { key: string } } }).valueFrom.secretKeyRef.key =
        '../1'),
  ],
  [
    'secretKeyRef key with a command',
    (j) =>
      ((container(j).env[0] as { valueFrom: { secretKeyRef: { key: string } } }).valueFrom.secretKeyRef.key =
        INJECT),
  ],
  ['env name with a command', (j) => ((container(j).env[0] as { name: string }).name = INJECT)],
  [
    'volume secretName traversal',
    (j) => ((task(j).volumes[0] as { secret: { secretName: string } }).secret.secretName = '../payroll'),
  ],
  [
    'volume secretName with a command',
    (j) => ((task(j).volumes[0] as { secret: { secretName: string } }).secret.secretName = INJECT),
  ],
  [
    'volume item key not a version',
    (j) =>
      ((task(j).volumes[0] as { secret: { items: Array<{ key: string }> } }).secret.items[0] = {
        key: 'x/../y',
      } as never),
  ],
  ['volume name with a command', (j) => ((task(j).volumes[0] as { name: string }).name = INJECT)],
  [
    'secrets alias to a traversal',
    (j) => {
      j.spec.template.metadata.annotations['run.googleapis.com/secrets'] =
        'db:projects/app-proj/secrets/../payroll';
    },
  ],
  [
    'secrets alias to a command',
    (j) => {
      j.spec.template.metadata.annotations['run.googleapis.com/secrets'] =
        `db:projects/app-proj/secrets/db${INJECT}`;
    },
  ],
  [
    'secrets alias project traversal',
    (j) => {
      j.spec.template.metadata.annotations['run.googleapis.com/secrets'] = 'db:projects/../secrets/db';
    },
  ],
  ['apiVersion', (j) => (j.apiVersion = `run.googleapis.com/v1${INJECT}`)],
  ['kind', (j) => (j.kind = 'Service')],
];

const RUN = 'run.googleapis.com';
// biome-ignore lint/suspicious/noExplicitAny: hostile documents are mutated freely
type Loose = Record<string, any>;
const looseTask = (j: JobDoc) => task(j) as unknown as Loose;
const looseMain = (j: JobDoc) => container(j) as unknown as Loose;
const annotate = (key: string, value: string) => (j: JobDoc) => {
  j.spec.template.metadata.annotations[`${RUN}/${key}`] = value;
};
const mountAt = (path: string) => (j: JobDoc) => {
  looseTask(j).volumes.push({ name: 'scratch', emptyDir: { medium: 'Memory' } });
  looseMain(j).volumeMounts = [{ name: 'scratch', mountPath: path }];
};

/** One or more hostile values per rule of the job (src/job-rules/), as a job.yaml writes them. */
const ruleMutations: Array<[RuleId, string, (j: JobDoc) => void]> = [
  ['job-name', 'metadata.name too long', (j) => (j.metadata.name = 'a'.repeat(64))],
  ['container-name', 'container name traversal', (j) => (looseMain(j).name = '../x')],
  ['volume-name', 'volume name upper case', (j) => ((task(j).volumes[0] as { name: string }).name = 'Certs')],
  ['label', 'label key a:b', (j) => ((j.metadata as Loose).labels = { 'a:b': 'x' })],
  ['label', 'label value with a command', (j) => ((j.metadata as Loose).labels = { team: INJECT })],
  ['env-name', 'env name with =', (j) => ((container(j).env[0] as { name: string }).name = 'A=B')],
  ['env-name', 'env name with a newline', (j) => (looseMain(j).env = [{ name: 'A\nB', value: 'x' }])],
  [
    'env-reserved',
    'env name reserved',
    (j) => (looseMain(j).env = [{ name: 'CLOUD_RUN_EXECUTION', value: 'x' }]),
  ],
  [
    'secret-ref',
    'secretKeyRef project traversal',
    (j) =>
      (looseMain(j).env = [
        { name: 'DB', valueFrom: { secretKeyRef: { name: 'projects/../secrets/db', key: '1' } } },
      ]),
  ],
  ['mount-path', 'mount at /proc/x', mountAt('/proc/x')],
  ['mount-path', 'mount at /dev', mountAt('/dev')],
  ['mount-path', 'mount path relative', mountAt('data')],
  ['mount-path', 'mount path with ..', mountAt('/data/../etc')],
  [
    'mount-path',
    'two volumes at one mount path',
    (j) => {
      looseTask(j).volumes.push({ name: 'scratch', emptyDir: { medium: 'Memory' } });
      looseMain(j).volumeMounts = [
        { name: 'scratch', mountPath: '/data' },
        { name: 'certs', mountPath: '/data' },
      ];
    },
  ],
  [
    'mount-volume',
    'mount of a missing volume',
    (j) => (looseMain(j).volumeMounts = [{ name: 'ghost', mountPath: '/g' }]),
  ],
  [
    'secret-item-path',
    'secret item path ../../etc/passwd',
    (j) => ((task(j).volumes[0] as Loose).secret.items = [{ key: '1', path: '../../etc/passwd' }]),
  ],
  [
    'secret-item-path',
    'secret item path with a newline',
    (j) => ((task(j).volumes[0] as Loose).secret.items = [{ key: '1', path: 'a\nb' }]),
  ],
  [
    'secret-item-path',
    'secret item path absolute',
    (j) => ((task(j).volumes[0] as Loose).secret.items = [{ key: '1', path: '/etc/passwd' }]),
  ],
  [
    'secret-item-path',
    'secret item path twice',
    (j) =>
      ((task(j).volumes[0] as Loose).secret.items = [
        { key: '1', path: 'c' },
        { key: '2', path: 'c' },
      ]),
  ],
  ['cloudsql-name', 'Cloud SQL name without project', annotate('cloudsql-instances', ':us-central1:orders')],
  [
    'cloudsql-name',
    'Cloud SQL name with a command',
    annotate('cloudsql-instances', `p:us-central1:db${INJECT}`),
  ],
  [
    'connector-region',
    'connector in europe-west1',
    annotate('vpc-access-connector', 'projects/app-proj/locations/europe-west1/connectors/conn'),
  ],
  [
    'subnet-region',
    'subnet in europe-west1',
    annotate(
      'network-interfaces',
      JSON.stringify([
        { network: 'default', subnetwork: 'projects/app-proj/regions/europe-west1/subnetworks/s' },
      ]),
    ),
  ],
  [
    'kms-key',
    'CMEK key in europe-west1',
    annotate('encryption-key', 'projects/app-proj/locations/europe-west1/keyRings/r/cryptoKeys/k'),
  ],
  [
    'kms-key',
    'CMEK key traversal',
    annotate('encryption-key', 'projects/app-proj/locations/../keyRings/r/cryptoKeys/k'),
  ],
  ['cpu-memory', 'cpu 3', (j) => (looseMain(j).resources = { limits: { cpu: '3' } })],
  ['cpu-memory', 'memory 64Gi', (j) => (looseMain(j).resources = { limits: { cpu: '8', memory: '64Gi' } })],
  [
    'gpu',
    'GPU with 2 CPU and 4 GiB',
    (j) => {
      looseMain(j).resources = { limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' } };
      looseTask(j).nodeSelector = { [`${RUN}/accelerator`]: 'nvidia-l4' };
    },
  ],
  [
    'gpu',
    'two GPUs',
    (j) => {
      looseMain(j).resources = { limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '2' } };
      looseTask(j).nodeSelector = { [`${RUN}/accelerator`]: 'nvidia-l4' };
    },
  ],
  [
    'gpu',
    'GPU without a type',
    (j) => (looseMain(j).resources = { limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' } }),
  ],
  ['task-count', 'taskCount 0', (j) => ((j.spec.template.spec as Loose).taskCount = 0)],
  ['task-count', 'taskCount 10001', (j) => ((j.spec.template.spec as Loose).taskCount = 10_001)],
  [
    'parallelism',
    'parallelism above taskCount',
    (j) => Object.assign(j.spec.template.spec, { taskCount: 2, parallelism: 3 }),
  ],
  ['max-retries', 'maxRetries -1', (j) => (looseTask(j).maxRetries = -1)],
  ['task-timeout', 'timeoutSeconds 0', (j) => (looseTask(j).timeoutSeconds = 0)],
  [
    'task-timeout',
    'timeoutSeconds a week and a second',
    (j) => (looseTask(j).timeoutSeconds = 168 * 3600 + 1),
  ],
  ['image', 'image digest too short', (j) => (container(j).image = 'us-docker.pkg.dev/p/r/i@sha256:abc')],
  [
    'service-account',
    'serviceAccountName with a newline',
    (j) => (task(j).serviceAccountName = 'a\nb@p.iam.gserviceaccount.com'),
  ],
];
mutations.push(...ruleMutations.map(([, name, mutate]) => [name, mutate] as [string, (j: JobDoc) => void]));

/** Raw texts (not a mutated document): syntax, alias bombs, size. */
const rawJobs: Array<[string, string]> = [
  ['not YAML', 'apiVersion: [unclosed'],
  [
    'a YAML alias bomb',
    [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map(
        (c, i) =>
          `${c}: &${c} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
      'apiVersion: run.googleapis.com/v1',
    ].join('\n'),
  ],
  ['a scalar', `${INJECT}`],
  ['a list', '- a\n- b'],
  ['over 1 MiB', `apiVersion: run.googleapis.com/v1\nkind: Job\n# ${'x'.repeat(1_100_000)}\n`],
];

// Made at load: the case list (collected before any hook runs) names these paths.
const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
const workspace = join(dir, 'ws');
const outside = join(dir, 'outside.yaml');
beforeAll(() => {
  mkdirSync(join(workspace, 'deploy'), { recursive: true });
  writeFileSync(outside, stringify(GOOD_JOB));
  symlinkSync(outside, join(workspace, 'deploy/link-out.yaml'));
  symlinkSync('/etc/passwd', join(workspace, 'deploy/passwd.yaml'));
  mkdirSync(join(workspace, 'deploy/dir.yaml'));
});
afterAll(() => rmSync(join(workspace, '..'), { recursive: true, force: true }));

interface FileCase {
  name: string;
  path: string;
  text?: string;
}

const fileCases = (): FileCase[] => [
  ...mutations.map(([name, mutate]) => {
    const j = structuredClone(GOOD_JOB);
    mutate(j);
    return { name: `job.yaml ${name}`, path: 'deploy/job.yaml', text: stringify(j) };
  }),
  ...rawJobs.map(([name, text]) => ({ name: `job.yaml ${name}`, path: 'deploy/job.yaml', text })),
  { name: 'metadata symlink out of the workspace', path: 'deploy/link-out.yaml' },
  { name: 'metadata symlink to /etc/passwd', path: 'deploy/passwd.yaml' },
  { name: 'metadata a directory', path: 'deploy/dir.yaml' },
  { name: 'metadata absolute outside', path: outside },
];

/** Parse as the action does (inputs, then the job.yaml); the InputError's problems, or [] if accepted. */
const refusal = (inputs: Record<string, string>, env: Record<string, string>): string[] =>
  refusalOf(() =>
    resolveLocal(
      parseInputs((n) => (inputs[n] ?? '').trim(), env),
      env,
    ),
  );

const names = (input: string) => new RegExp(`Inputs? "(?:[a-z_]+" and ")?${input}"|and "${input}"`);

describe('hostile inputs, in-process', () => {
  it('the corpus covers every input of action.yml and every job.yaml field, at least 150 cases', () => {
    expect(new Set(inputCases.map((c) => c.input))).toEqual(new Set(INPUTS));
    expect(inputCases.length + fileCases().length).toBeGreaterThanOrEqual(150);
  });

  it('accepts the valid step and the valid job.yaml each case starts from (so every refusal is the case’s own)', () => {
    expect(refusal(BASE, { GITHUB_WORKSPACE: workspace })).toEqual([]);
    writeFileSync(join(workspace, 'deploy/job.yaml'), stringify(GOOD_JOB));
    expect(
      refusal({ project_id: 'app-proj', metadata: 'deploy/job.yaml' }, { GITHUB_WORKSPACE: workspace }),
    ).toEqual([]);
  });

  it.each(inputCases.map((c) => [c.name, c] as const))('refuses %s, naming the input', (_, c) => {
    const problems = refusal(c.inputs, { GITHUB_WORKSPACE: workspace });
    expect(problems.length, JSON.stringify(c.inputs).slice(0, 300)).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(names(c.input));
    // An input's value is quoted as JSON (or not at all): it never brings its own line break.
    for (const p of problems) expect(p).not.toMatch(/[\n\r\u2028\u2029\u202e]/);
  });

  it.each(fileCases().map((c) => [c.name, c] as const))('refuses %s as input "metadata"', (_, c) => {
    if (c.text !== undefined) writeFileSync(join(workspace, c.path), c.text);
    const problems = refusal({ project_id: 'app-proj', metadata: c.path }, { GITHUB_WORKSPACE: workspace });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(/Input "metadata"/);
    for (const p of problems) expect(p).not.toMatch(/[\n\r\u202e]/);
  });
});

describe('hostile inputs, through the bundled action', () => {
  let emu: Emulator;
  beforeAll(async () => {
    ensureBuilt();
    emu = await startEmulator({ scenario: {} });
  }, 120_000);
  afterAll(() => emu?.stop());

  /** One or two per kind: through the real runner plumbing, nothing may reach the emulator. */
  const processCases: Array<{
    name: string;
    inputs: Record<string, string>;
    input: string;
    files?: Record<string, string>;
  }> = [
    ...[
      'service_account',
      'image',
      'job',
      'project_id',
      'secrets',
      'env_vars',
      'labels',
      'github_token',
      'region',
      'wait_timeout',
      'universe',
      'workload_identity_provider',
    ].map((input) => {
      const c = inputCases.find((x) => x.input === input) as InputCase;
      return { name: c.name, inputs: c.inputs, input };
    }),
    {
      name: 'image of 5,002 characters',
      inputs: { ...BASE, image: `us-docker.pkg.dev/p/r/${'a'.repeat(5_002)}` },
      input: 'image',
    },
    ...mutations
      .filter(([n]) => /command|traversal/.test(n))
      .slice(0, 8)
      .map(([name, mutate]) => {
        const j = structuredClone(GOOD_JOB);
        mutate(j);
        return {
          name: `job.yaml ${name}`,
          inputs: { project_id: 'app-proj', metadata: 'deploy/job.yaml' },
          input: 'metadata',
          files: { 'deploy/job.yaml': stringify(j) },
        };
      }),
    {
      name: 'metadata /proc/self/environ',
      inputs: { project_id: 'app-proj', metadata: '/proc/self/environ' },
      input: 'metadata',
    },
    {
      name: 'metadata /dev/zero',
      inputs: { project_id: 'app-proj', metadata: '/dev/zero' },
      input: 'metadata',
    },
    {
      name: 'metadata ../../etc/passwd',
      inputs: { project_id: 'app-proj', metadata: '../../etc/passwd' },
      input: 'metadata',
    },
    {
      name: 'job.yaml alias bomb',
      inputs: { project_id: 'app-proj', metadata: 'deploy/job.yaml' },
      input: 'metadata',
      files: { 'deploy/job.yaml': rawJobs[1]?.[1] ?? '' },
    },
  ];

  /** Every rule of the job, through a job.yaml, plus the inputs and job_patch values judged before the read. */
  const ruleCases = [
    ...RULE_IDS.flatMap((rule) => {
      const found = ruleMutations.find(([r]) => r === rule);
      if (!found) return [];
      const j = structuredClone(GOOD_JOB);
      found[2](j);
      return [
        {
          name: `job.yaml ${found[1]}`,
          inputs: { project_id: 'app-proj', metadata: 'deploy/job.yaml' },
          input: 'metadata',
          files: { 'deploy/job.yaml': stringify(j) },
        },
      ];
    }),
    ...(
      ['vpc_connector', 'subnet', 'kms_key', 'cloudsql_instances', 'volume_mounts', 'job_patch'] as const
    ).flatMap((input) =>
      inputCases
        .filter((c) => c.input === input && !c.inputs[input]?.startsWith('xxxx'))
        .map((c) => ({ name: c.name, inputs: c.inputs, input })),
    ),
  ];

  it(`refuses ${ruleCases.length} values against the job's rules before any request URL, with no write`, async () => {
    // Every rule has its case here but the literal/secret swap, which compares with the job as read (job-rules-matrix).
    expect(new Set(ruleCases.filter((c) => c.input === 'metadata').map((c) => c.name)).size).toBe(
      RULE_IDS.length - 1,
    );
    const before = emu.requestLog.length;
    const results = await pool(ruleCases, 4, async (c) => {
      const res = await runAction({
        emulator: emu,
        inputs: { iam: 'fix', ...c.inputs },
        ...('files' in c && c.files ? { files: c.files } : {}),
      });
      return { c, res };
    });
    for (const { c, res } of results) {
      const why = `${c.name}\n${res.stdout.slice(-3000)}`;
      expect(res.code, why).toBe(1);
      expect(res.stdout, why).toMatch(names(c.input));
      expect(injectedCommands(res.stdout), why).toEqual([]);
      const findings = JSON.parse(res.outputs.findings ?? '[]') as Array<{ check: string }>;
      expect(
        findings.map((f) => f.check),
        why,
      ).toEqual(['invalid-input']);
    }
    const calls = emu.requestLog.slice(before);
    expect(
      calls.filter((r) => !r.path.startsWith('/_github/oidc/')).map((r) => `${r.method} ${r.path}`),
    ).toEqual([]);
    expect(calls.every((r) => r.method === 'GET')).toBe(true);
  }, 300_000);

  it(`fails ${processCases.length} cases before any remote call, naming the input, with no injected command`, async () => {
    const results = await pool(processCases, 4, async (c) => {
      const before = emu.requestLog.length;
      const res = await runAction({
        emulator: emu,
        inputs: { iam: 'fix', ...c.inputs },
        ...(c.files ? { files: c.files } : {}),
      });
      return { c, res, calls: emu.requestLog.slice(before) };
    });
    for (const { c, res } of results) {
      const why = `${c.name}\n${res.stdout.slice(-3000)}`;
      expect(res.code, why).toBe(1);
      expect(res.stdout, why).toMatch(names(c.input));
      expect(injectedCommands(res.stdout), why).toEqual([]);
      expect(injectedCommands(res.stderr), why).toEqual([]);
      const findings = JSON.parse(res.outputs.findings ?? '[]') as Array<{ check: string }>;
      expect(
        findings.map((f) => f.check),
        why,
      ).toEqual(['invalid-input']);
    }
    // Not one request reached Google, let alone a write (the cases ran concurrently: all of them
    // together). The entry point may have asked GitHub for the OIDC token while the action loaded
    // (src/auth/id-token-prefetch.ts), only for a well-formed provider, which changes nothing.
    expect(emu.requestLog.filter((r) => !r.path.startsWith('/_github/oidc/'))).toEqual([]);
    expect(emu.requestLog.every((r) => r.method === 'GET')).toBe(true);
  }, 300_000);
});

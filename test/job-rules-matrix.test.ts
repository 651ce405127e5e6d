// The same value, the same verdict: every rule of the job (src/job-rules/) through each source
// that can set the value — the step's inputs, a job.yaml (metadata) and job_patch — run by the
// bundled action against the emulator. Each refusal names its source, says the rule's words,
// and nothing is written; a value the inputs alone decide is refused before any request.
// Acceptance controls run the matching valid values through the same sources.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RULE_IDS, type RuleId } from '../src/job-rules/index.ts';
import { type Emulator, startEmulator } from './emulator/server.ts';
import {
  demo,
  IMAGE,
  JOB_YAML,
  metadataStepInputs,
  RUNTIME,
  stepInputs,
  WORKFLOW,
  workflowEnv,
  workflowFile,
} from './helpers/diagnose-e2e.ts';
import { googleCalls } from './helpers/e2e-emulator.ts';
import { ensureBuilt, runAction } from './helpers/run-action.ts';
import { pool } from './helpers/soak.ts';

type Source = 'inputs' | 'job.yaml' | 'job_patch';
// biome-ignore lint/suspicious/noExplicitAny: job documents are mutated freely by the cases
type Doc = Record<string, any>;

const JOB = 'projects/demo-app/locations/us-central1/jobs/nightly-report';
const RUN = 'run.googleapis.com';

/** The job as it exists: one container whose DB_PASSWORD reads a secret. */
const EXISTING = {
  template: {
    template: {
      serviceAccount: RUNTIME,
      containers: [
        {
          image: IMAGE,
          env: [
            { name: 'DB_PASSWORD', valueSource: { secretKeyRef: { secret: 'db-password', version: '1' } } },
          ],
        },
      ],
    },
  },
};

/** A valid job.yaml each job.yaml case changes. */
function goodYaml(): Doc {
  return {
    apiVersion: 'run.googleapis.com/v1',
    kind: 'Job',
    metadata: { name: 'nightly-report', namespace: 'demo-app', labels: { team: 'data' } },
    spec: {
      template: {
        metadata: { annotations: {} },
        spec: {
          template: {
            spec: {
              serviceAccountName: RUNTIME,
              containers: [{ image: IMAGE, env: [{ name: 'LOG', value: 'x' }] }],
            },
          },
        },
      },
    },
  };
}
const yTask = (j: Doc) => j.spec.template.spec.template.spec;
const yMain = (j: Doc) => yTask(j).containers[0];
const yAnnotate = (key: string, value: string) => (j: Doc) => {
  j.spec.template.metadata.annotations[`${RUN}/${key}`] = value;
};

/** job_patch fragments: the task template, a (replacing) container list. */
const pTask = (task: Doc) => ({ template: { template: task } });
const pMain = (container: Doc, task: Doc = {}) =>
  pTask({ ...task, containers: [{ image: IMAGE, ...container }] });

interface Case {
  rule: RuleId;
  /** The rule's words: every source's refusal says them. */
  words: RegExp;
  inputs?: Record<string, string>;
  yaml?: (j: Doc) => void;
  patch?: Doc;
  /** Sources refused only once the job is read (the rule combines the value with the job's). */
  late?: Source[];
}

const CASES: Case[] = [
  {
    rule: 'job-name',
    words: /a job name/,
    inputs: { job: 'Worker' },
    yaml: (j) => (j.metadata.name = 'Worker'),
  },
  {
    rule: 'container-name',
    words: /lowercase letters, digits and hyphens/,
    yaml: (j) => (yMain(j).name = 'Main_Ctr'),
    patch: pMain({ name: 'Main_Ctr' }),
  },
  {
    rule: 'volume-name',
    words: /lowercase letters, digits and hyphens/,
    inputs: { volumes: 'name=Bad_Vol,type=in-memory' },
    yaml: (j) => (yTask(j).volumes = [{ name: 'Bad_Vol', emptyDir: { medium: 'Memory' } }]),
    patch: pTask({ volumes: [{ name: 'Bad_Vol', emptyDir: { medium: 'MEMORY' } }] }),
  },
  {
    rule: 'label',
    words: /a lowercase letter,? then lowercase letters, digits, _ or -/,
    inputs: { labels: 'a:b=x' },
    yaml: (j) => (j.metadata.labels = { 'a:b': 'x' }),
    patch: { labels: { 'a:b': 'x' } },
  },
  {
    rule: 'env-name',
    words: /an environment variable name/,
    inputs: { env_vars: 'A B=x' },
    yaml: (j) => (yMain(j).env = [{ name: 'A B', value: 'x' }]),
    patch: pMain({ env: [{ name: 'A B', value: 'x' }] }),
  },
  {
    rule: 'env-reserved',
    words: /set by Cloud Run/,
    inputs: { env_vars: 'CLOUD_RUN_TASK_INDEX=3' },
    yaml: (j) => (yMain(j).env = [{ name: 'CLOUD_RUN_TASK_INDEX', value: '3' }]),
    patch: pMain({ env: [{ name: 'CLOUD_RUN_TASK_INDEX', value: '3' }] }),
  },
  {
    rule: 'env-kind-change',
    words: /from a secret to a literal value/,
    inputs: { env_vars: 'DB_PASSWORD=x' },
    patch: pMain({ env: [{ name: 'DB_PASSWORD', value: 'x' }] }),
    late: ['inputs', 'job_patch'],
  },
  {
    rule: 'secret-ref',
    words: /secret/i,
    inputs: { secrets: 'DB=db/../x:1' },
    yaml: (j) =>
      (yMain(j).env = [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'db/../x', key: '1' } } }]),
    patch: pMain({
      env: [{ name: 'DB', valueSource: { secretKeyRef: { secret: 'db/../x', version: '1' } } }],
    }),
  },
  {
    rule: 'mount-path',
    words: /\/proc/,
    inputs: { volumes: 'name=scratch,type=in-memory', volume_mounts: 'volume=scratch,mount-path=/proc/x' },
    yaml: (j) => {
      yTask(j).volumes = [{ name: 'scratch', emptyDir: { medium: 'Memory' } }];
      yMain(j).volumeMounts = [{ name: 'scratch', mountPath: '/proc/x' }];
    },
    patch: pMain(
      { volumeMounts: [{ name: 'scratch', mountPath: '/proc/x' }] },
      { volumes: [{ name: 'scratch', emptyDir: { medium: 'MEMORY' } }] },
    ),
  },
  {
    rule: 'mount-volume',
    words: /volume "?ghost"?/,
    inputs: { volume_mounts: 'volume=ghost,mount-path=/data' },
    yaml: (j) => (yMain(j).volumeMounts = [{ name: 'ghost', mountPath: '/data' }]),
    patch: pMain({ volumeMounts: [{ name: 'ghost', mountPath: '/data' }] }),
    late: ['inputs', 'job_patch'],
  },
  {
    rule: 'secret-item-path',
    words: /\.\./,
    inputs: { secrets: '/secrets/../passwd=db-password:1' },
    yaml: (j) => {
      yTask(j).volumes = [
        {
          name: 'certs',
          secret: { secretName: 'db-password', items: [{ key: '1', path: '../../etc/passwd' }] },
        },
      ];
      yMain(j).volumeMounts = [{ name: 'certs', mountPath: '/secrets' }];
    },
    patch: pMain(
      { volumeMounts: [{ name: 'certs', mountPath: '/secrets' }] },
      {
        volumes: [
          {
            name: 'certs',
            secret: { secret: 'db-password', items: [{ version: '1', path: '../../etc/passwd' }] },
          },
        ],
      },
    ),
  },
  {
    rule: 'cloudsql-name',
    words: /PROJECT:REGION:INSTANCE/,
    inputs: { cloudsql_instances: ':us-central1:orders' },
    yaml: yAnnotate('cloudsql-instances', ':us-central1:orders'),
    patch: pTask({
      volumes: [{ name: 'cloudsql', cloudSqlInstance: { instances: [':us-central1:orders'] } }],
    }),
  },
  {
    rule: 'connector-region',
    words: /job's region us-central1, got one in "?europe-west1/,
    inputs: { vpc_connector: 'projects/demo-app/locations/europe-west1/connectors/conn' },
    yaml: yAnnotate('vpc-access-connector', 'projects/demo-app/locations/europe-west1/connectors/conn'),
    patch: pTask({ vpcAccess: { connector: 'projects/demo-app/locations/europe-west1/connectors/conn' } }),
  },
  {
    rule: 'subnet-region',
    words: /job's region us-central1, got one in "?europe-west1/,
    inputs: { subnet: 'projects/demo-app/regions/europe-west1/subnetworks/jobs' },
    yaml: yAnnotate(
      'network-interfaces',
      JSON.stringify([
        { network: 'default', subnetwork: 'projects/demo-app/regions/europe-west1/subnetworks/jobs' },
      ]),
    ),
    patch: pTask({
      vpcAccess: {
        networkInterfaces: [{ subnetwork: 'projects/demo-app/regions/europe-west1/subnetworks/jobs' }],
      },
    }),
  },
  {
    rule: 'kms-key',
    words: /job's region us-central1/,
    inputs: { kms_key: 'projects/demo-app/locations/europe-west1/keyRings/run/cryptoKeys/jobs' },
    yaml: yAnnotate(
      'encryption-key',
      'projects/demo-app/locations/europe-west1/keyRings/run/cryptoKeys/jobs',
    ),
    patch: pTask({ encryptionKey: 'projects/demo-app/locations/europe-west1/keyRings/run/cryptoKeys/jobs' }),
  },
  {
    rule: 'cpu-memory',
    words: /4 CPU need at least 2Gi/,
    inputs: { cpu: '4', memory: '512Mi' },
    yaml: (j) => (yMain(j).resources = { limits: { cpu: '4', memory: '512Mi' } }),
    patch: pMain({ resources: { limits: { cpu: '4', memory: '512Mi' } } }),
    late: ['inputs', 'job_patch'],
  },
  {
    rule: 'gpu',
    words: /needs at least 4 CPU and 16 GiB/,
    inputs: { gpu: '1', gpu_type: 'nvidia-l4', cpu: '2', memory: '4Gi' },
    yaml: (j) => {
      yMain(j).resources = { limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' } };
      yTask(j).nodeSelector = { [`${RUN}/accelerator`]: 'nvidia-l4' };
    },
    patch: pMain(
      { resources: { limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' } } },
      { nodeSelector: { accelerator: 'nvidia-l4' } },
    ),
    late: ['inputs', 'job_patch'],
  },
  {
    rule: 'task-count',
    words: /from 1 to 10000/,
    inputs: { tasks: '20000' },
    yaml: (j) => (j.spec.template.spec.taskCount = 20000),
    patch: { template: { taskCount: 20000 } },
  },
  {
    rule: 'parallelism',
    words: /must not exceed/,
    inputs: { tasks: '2', parallelism: '5' },
    yaml: (j) => Object.assign(j.spec.template.spec, { taskCount: 2, parallelism: 5 }),
    patch: { template: { taskCount: 2, parallelism: 5 } },
    late: ['job_patch'],
  },
  {
    rule: 'max-retries',
    words: /from 0 to 10/,
    inputs: { max_retries: '11' },
    yaml: (j) => (yTask(j).maxRetries = 11),
    patch: pTask({ maxRetries: 11 }),
  },
  {
    rule: 'task-timeout',
    words: /1s (?:and|to) 168h/,
    inputs: { task_timeout: '169h' },
    yaml: (j) => (yTask(j).timeoutSeconds = 169 * 3600),
    patch: pTask({ timeout: `${169 * 3600}s` }),
  },
  {
    rule: 'image',
    words: /an image URL/,
    inputs: { image: 'https://evil.example/x' },
    yaml: (j) => (yMain(j).image = 'https://evil.example/x'),
    patch: pTask({ containers: [{ image: 'https://evil.example/x' }] }),
  },
  {
    rule: 'service-account',
    words: /a service account email/,
    inputs: { service_account: 'runtime' },
    yaml: (j) => (yTask(j).serviceAccountName = 'runtime'),
    patch: pTask({ serviceAccount: 'runtime' }),
  },
];

/** Valid values through the same sources: each must be accepted (a dry run that plans the job). */
const ACCEPTED: Array<Omit<Case, 'rule' | 'words'> & { name: string }> = [
  {
    name: 'a label, a mount, a secret file, in-region connector',
    inputs: {
      labels: 'team=data',
      volumes: 'name=scratch,type=in-memory',
      volume_mounts: 'volume=scratch,mount-path=/scratch',
      vpc_connector: 'projects/demo-app/locations/us-central1/connectors/conn',
    },
    yaml: (j) => {
      yTask(j).volumes = [{ name: 'scratch', emptyDir: { medium: 'Memory' } }];
      yMain(j).volumeMounts = [{ name: 'scratch', mountPath: '/scratch' }];
      yAnnotate('vpc-access-connector', 'projects/demo-app/locations/us-central1/connectors/conn')(j);
    },
    patch: pMain(
      { volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] },
      {
        volumes: [{ name: 'scratch', emptyDir: { medium: 'MEMORY' } }],
        vpcAccess: { connector: 'projects/demo-app/locations/us-central1/connectors/conn' },
      },
    ),
  },
  {
    name: 'a GPU job with 4 CPU and 16 GiB',
    inputs: { gpu: '1', gpu_type: 'nvidia-l4', cpu: '4', memory: '16Gi' },
    yaml: (j) => {
      yMain(j).resources = { limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' } };
      yTask(j).nodeSelector = { [`${RUN}/accelerator`]: 'nvidia-l4' };
    },
    patch: pMain(
      { resources: { limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' } } },
      { nodeSelector: { accelerator: 'nvidia-l4' } },
    ),
  },
  {
    name: 'a secret-backed var made literal, named in allow_env_type_change',
    inputs: { env_vars: 'DB_PASSWORD=x', allow_env_type_change: 'DB_PASSWORD' },
    patch: pMain({ env: [{ name: 'DB_PASSWORD', value: 'x' }] }),
  },
];

interface Run {
  name: string;
  source: Source;
  inputs: Record<string, string>;
  files?: Record<string, string>;
  early: boolean;
}

function runsOf(c: Omit<Case, 'rule' | 'words'>, name: string, extra: Record<string, string> = {}): Run[] {
  const dry = { dry_run: 'true', iam: 'off', ...extra };
  const out: Run[] = [];
  const early = (s: Source) => !c.late?.includes(s);
  if (c.inputs)
    out.push({ name, source: 'inputs', inputs: stepInputs({ ...dry, ...c.inputs }), early: early('inputs') });
  if (c.yaml) {
    const j = goodYaml();
    c.yaml(j);
    out.push({
      name,
      source: 'job.yaml',
      inputs: metadataStepInputs(JOB_YAML, dry),
      files: { [JOB_YAML]: stringify(j) },
      early: true,
    });
  }
  if (c.patch) {
    const allow = c.inputs?.allow_env_type_change
      ? { allow_env_type_change: c.inputs.allow_env_type_change }
      : {};
    out.push({
      name,
      source: 'job_patch',
      inputs: stepInputs({ ...dry, ...allow, job_patch: JSON.stringify(c.patch) }),
      early: early('job_patch'),
    });
  }
  return out;
}

const refusals = CASES.flatMap((c) => runsOf(c, c.rule).map((r) => ({ ...r, c })));
const accepted = ACCEPTED.flatMap((c) => runsOf(c, c.name));

const NAMES: Record<Source, RegExp> = {
  inputs: /Inputs? "(?!metadata|job_patch)[a-z_]+"/,
  'job.yaml': /Input "metadata": deploy\/job\.yaml:\d+: /,
  job_patch: /Input "job_patch": /,
};

let emu: Emulator;
beforeAll(async () => {
  ensureBuilt();
  const w = demo();
  (w as Record<string, unknown>).jobs = { [JOB]: EXISTING };
  emu = await startEmulator({ scenario: w });
}, 120_000);
afterAll(() => emu?.stop());

const writes = (e: Emulator) =>
  googleCalls(e).filter(
    (r) =>
      r.method !== 'GET' &&
      !/sts\.|\/token|iamcredentials|generateAccessToken|:generateIdToken/.test(r.host + r.path),
  );

async function runAll(runs: Run[]) {
  return pool(runs, 4, async (r) => {
    const files = { ...(r.files ?? {}), [WORKFLOW]: workflowFile(r.inputs) };
    const res = await runAction({ emulator: emu, inputs: r.inputs, files, env: workflowEnv() });
    return { r, res, workflow: files[WORKFLOW] };
  });
}

/** Where the error annotation points: file and line. */
const annotated = (stdout: string) => /::error [^\n]*?file=([^,]+),line=(\d+)/.exec(stdout)?.slice(1, 3);

/** The line of `name:` under the step's `with:` in the workflow file. */
const withLine = (workflow: string, name: string) =>
  String(workflow.split('\n').findIndex((l) => l.startsWith(`          ${name}:`)) + 1);

describe('the job rules, through every source', () => {
  it(`covers every rule, ${refusals.length} refusals (rules x sources)`, () => {
    expect(new Set(CASES.map((c) => c.rule))).toEqual(new Set(RULE_IDS));
    // Every rule runs through at least two sources; those a source cannot express are listed.
    const missing = CASES.flatMap((c) =>
      (['inputs', 'job.yaml', 'job_patch'] as const)
        .filter((s) => !refusals.some((r) => r.c === c && r.source === s))
        .map((s) => `${c.rule}/${s}`),
    );
    expect(missing.sort()).toEqual([
      'container-name/inputs',
      'env-kind-change/job.yaml',
      'job-name/job_patch',
    ]);
    expect(refusals.length).toBe(CASES.length * 3 - 3);
  });

  it('refuses what the inputs or the job.yaml alone decide before any request, the rest before any write', async () => {
    const early = refusals.filter((r) => r.early);
    const late = refusals.filter((r) => !r.early);
    const before = emu.requestLog.length;
    const earlyResults = await runAll(early);
    // Not one Google request for these (the OIDC prefetch is GitHub's, not Google's).
    expect(googleCalls({ requestLog: emu.requestLog.slice(before) } as Emulator)).toEqual([]);
    const lateResults = await runAll(late);
    const failures: string[] = [];
    for (const { r, res } of [...earlyResults, ...lateResults]) {
      const c = (r as (typeof refusals)[number]).c;
      const findings = JSON.parse(res.outputs.findings ?? '[]') as Array<{ check: string; evidence: string }>;
      const evidence = findings[0]?.evidence ?? '';
      if (res.code !== 1 || !NAMES[r.source].test(evidence) || !c.words.test(evidence))
        failures.push(`${c.rule} via ${r.source}: ${res.code} ${evidence || res.stdout.slice(-400)}`);
    }
    expect(failures).toEqual([]);
    // Each refusal is annotated where its value was set: the job.yaml line, or the input's line.
    const misplaced: string[] = [];
    for (const { r, res, workflow } of [...earlyResults, ...lateResults]) {
      const c = (r as (typeof refusals)[number]).c;
      const at = annotated(res.stdout);
      const evidence =
        (JSON.parse(res.outputs.findings ?? '[]') as Array<{ evidence: string }>)[0]?.evidence ?? '';
      const input = /^Inputs? "([a-z_]+)"/.exec(evidence)?.[1] ?? '';
      const line =
        r.source === 'job.yaml' ? /job\.yaml:(\d+):/.exec(evidence)?.[1] : withLine(workflow, input);
      const file = r.source === 'job.yaml' ? JOB_YAML : WORKFLOW;
      if (!at || at[0] !== file || at[1] !== line)
        misplaced.push(`${c.rule} via ${r.source}: at ${at?.join(':')}, expected ${file}:${line}`);
    }
    expect(misplaced).toEqual([]);
    for (const { r, res } of [...earlyResults, ...lateResults]) {
      const c = (r as (typeof refusals)[number]).c;
      const why = `${c.rule} via ${r.source}\n${res.stdout.slice(-2500)}`;
      expect(res.code, why).toBe(1);
      const findings = JSON.parse(res.outputs.findings ?? '[]') as Array<{ check: string; evidence: string }>;
      expect(
        findings.map((f) => f.check),
        why,
      ).toEqual(['invalid-input']);
      const evidence = findings[0]?.evidence ?? '';
      expect(evidence, why).toMatch(NAMES[r.source]);
      expect(evidence, why).toMatch(c.words);
      expect(evidence, why).not.toMatch(/[\n\r\u202e]/);
    }
    expect(writes(emu)).toEqual([]);
  }, 600_000);

  it(`accepts the valid values through every source (${accepted.length} runs), deploying nothing in a dry run`, async () => {
    const results = await runAll(accepted);
    for (const { r, res } of results) {
      const why = `${r.name} via ${r.source}\n${res.stdout.slice(-2500)}`;
      expect(res.code, why).toBe(0);
    }
    expect(writes(emu)).toEqual([]);
  }, 300_000);
});

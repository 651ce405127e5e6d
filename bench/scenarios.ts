// The benchmark's scenarios: what each run deploys, with which inputs, into which world.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deployArgs, replaceArgs } from './gcloud.ts';
import { IDS } from './targets.ts';
import {
  APP,
  type BenchWorld,
  crossProjectWorld,
  DEPLOYER,
  PROVIDER,
  REGION,
  SECRET,
  sameProjectWorld,
  WIDE_SECRETS,
  wideWorld,
} from './worlds.ts';

export const JOB = 'bench-job';
const ENV_VARS = 'MODE=bench';
const SECRETS = `DB_PASSWORD=${SECRET}:latest`;

export interface Scenario {
  id: string;
  title: string;
  tool: 'action' | 'gcloud';
  world: () => BenchWorld;
  /** An unmeasured first deploy in the same world, so the measured run is an update. */
  deployFirst?: boolean;
  /** Action inputs (tool 'action'). */
  inputs?: (world: BenchWorld) => Record<string, string>;
  /** gcloud arguments (tool 'gcloud'); `workspace` holds job.yaml. */
  gcloudArgs?: (world: BenchWorld, workspace: string) => string[];
  /** Action outputs the run must produce, so a timing is never of a run that did something else. */
  expect?: Record<string, string | ((value: string) => boolean)>;
}

/** What is wrong with a run's outputs, or undefined (pure). */
export function unexpectedOutputs(s: Scenario, outputs: Record<string, string>): string | undefined {
  const wrong = Object.entries(s.expect ?? {}).filter(([name, want]) => {
    const got = outputs[name] ?? '';
    return typeof want === 'string' ? got !== want : !want(got);
  });
  return wrong.length
    ? wrong.map(([name]) => `${name}=${JSON.stringify(outputs[name] ?? '')}`).join(', ')
    : undefined;
}

const grantedCount = (n: number) => (json: string) => {
  try {
    return (JSON.parse(json) as unknown[]).length === n;
  } catch {
    return false;
  }
};

/** Inputs of a typical workflow step: workload identity, impersonated deployer, one env var, one secret. */
function deployInputs(world: BenchWorld, extra: Record<string, string> = {}): Record<string, string> {
  return {
    workload_identity_provider: PROVIDER,
    impersonate_service_account: DEPLOYER,
    project_id: APP.id,
    region: REGION,
    job: JOB,
    image: world.image,
    service_account: world.runtimeServiceAccount,
    env_vars: ENV_VARS,
    secrets: SECRETS,
    iam: 'check',
    pr_comment: 'false',
    ...extra,
  };
}

/** The same job as a Knative v1 job.yaml, for `metadata:` and `gcloud run jobs replace`. */
export function jobYaml(world: BenchWorld): string {
  return `apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: ${JOB}
spec:
  template:
    spec:
      taskCount: 1
      template:
        spec:
          serviceAccountName: ${world.runtimeServiceAccount}
          maxRetries: 3
          timeoutSeconds: '600'
          containers:
          - image: ${world.image}
            env:
            - name: MODE
              value: bench
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: ${SECRET}
                  key: latest
`;
}

/**
 * A job whose checks grow with it: ten secrets (seven env vars, three mounted as volumes) and a
 * Cloud SQL instance. The preflight's depth must not grow with their count.
 */
export function wideJobYaml(world: BenchWorld): string {
  const [a, b, c, ...env] = WIDE_SECRETS;
  const envSecrets = [SECRET, ...env]
    .map(
      (id, i) => `            - name: SECRET_${i}
              valueFrom:
                secretKeyRef:
                  name: ${id}
                  key: latest
`,
    )
    .join('');
  const volumes = [a, b, c]
    .map(
      (id, i) => `          - name: vol-${i}
            secret:
              secretName: ${id}
              items:
              - key: latest
                path: value
`,
    )
    .join('');
  const mounts = [0, 1, 2]
    .map((i) => `            - name: vol-${i}\n              mountPath: /secrets/${i}\n`)
    .join('');
  return `apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: ${JOB}
spec:
  template:
    metadata:
      annotations:
        run.googleapis.com/cloudsql-instances: ${APP.id}:${REGION}:db
    spec:
      taskCount: 1
      template:
        spec:
          serviceAccountName: ${world.runtimeServiceAccount}
          maxRetries: 3
          timeoutSeconds: '600'
          containers:
          - image: ${world.image}
            env:
${envSecrets}            volumeMounts:
${mounts}          volumes:
${volumes}`;
}

/** Job counts of the many-jobs scenarios: jobsN/ holds N job.yaml files (bench-job-01, ...). */
export const JOB_COUNTS = [1, 5, 20] as const;

export async function writeJobYaml(workspace: string, world: BenchWorld): Promise<string> {
  const file = join(workspace, 'job.yaml');
  await writeFile(file, jobYaml(world));
  await writeFile(join(workspace, 'job-wide.yaml'), wideJobYaml(world));
  for (const n of JOB_COUNTS) {
    await mkdir(join(workspace, `jobs${n}`), { recursive: true });
    for (let i = 1; i <= n; i++) {
      const name = `${JOB}-${String(i).padStart(2, '0')}`;
      await writeFile(
        join(workspace, `jobs${n}`, `${name}.yaml`),
        jobYaml(world).replace(`name: ${JOB}`, `name: ${name}`),
      );
    }
  }
  return file;
}

/** A JSON map output with `n` jobs, each with `regions` regions (a plain name for one target). */
const mapOf = (n: number, regions: number) => (json: string) => {
  if (n * regions === 1) return json.startsWith('projects/');
  try {
    const map = JSON.parse(json) as Record<string, Record<string, string>>;
    return (
      Object.keys(map).length === n &&
      Object.values(map).every(
        (byRegion) => Object.values(byRegion).filter((v) => v.startsWith('projects/')).length === regions,
      )
    );
  } catch {
    return false;
  }
};

function manyInputs(metadata: string, region: string): Record<string, string> {
  return {
    workload_identity_provider: PROVIDER,
    impersonate_service_account: DEPLOYER,
    project_id: APP.id,
    region,
    metadata,
    iam: 'check',
    pr_comment: 'false',
  };
}

const gcloudDeploy = (world: BenchWorld): string[] =>
  deployArgs(JOB, {
    image: world.image,
    region: REGION,
    serviceAccount: world.runtimeServiceAccount,
    envVars: ENV_VARS,
    secrets: SECRETS,
  });

export const SCENARIOS: Scenario[] = [
  {
    id: IDS.check,
    title: 'check only (iam=check, dry_run: preflight, no deploy)',
    tool: 'action',
    world: sameProjectWorld,
    inputs: (w) => deployInputs(w, { dry_run: 'true' }),
    expect: { iam_status: 'ok', execution: '' },
  },
  {
    id: IDS.createNoIam,
    title: 'first deploy, iam=off (baseline)',
    tool: 'action',
    world: sameProjectWorld,
    inputs: (w) => deployInputs(w, { iam: 'off' }),
    expect: { iam_status: '', job: `projects/${APP.id}/locations/${REGION}/jobs/${JOB}` },
  },
  {
    id: IDS.create,
    title: 'first deploy (create), iam=check',
    tool: 'action',
    world: sameProjectWorld,
    inputs: (w) => deployInputs(w),
    expect: { iam_status: 'ok', job: `projects/${APP.id}/locations/${REGION}/jobs/${JOB}` },
  },
  {
    id: IDS.update,
    title: 'update, iam=check',
    tool: 'action',
    world: sameProjectWorld,
    deployFirst: true,
    inputs: (w) => deployInputs(w, { image: w.image.replace(/:v1$/, ':v2') }),
    expect: { iam_status: 'ok', job: `projects/${APP.id}/locations/${REGION}/jobs/${JOB}` },
  },
  {
    // The update scenario with nothing to change: the same inputs as the first deploy, so the
    // job plan is empty and the action writes nothing (no PATCH, no operation wait).
    id: 'update-unchanged',
    title: 'update with the same inputs (nothing written), iam=check',
    tool: 'action',
    world: sameProjectWorld,
    deployFirst: true,
    inputs: (w) => deployInputs(w),
    expect: { iam_status: 'ok', job_changes: '{"action":"update","changes":[]}' },
  },
  {
    id: IDS.fix,
    title: 'cross-project world, iam=fix (grants 2 bindings, then creates)',
    tool: 'action',
    world: crossProjectWorld,
    inputs: (w) => deployInputs(w, { iam: 'fix' }),
    expect: { iam_status: 'fixed', granted: grantedCount(2) },
  },
  {
    id: IDS.execute,
    title: 'create + execute + wait, iam=check',
    tool: 'action',
    world: sameProjectWorld,
    inputs: (w) => deployInputs(w, { execute: 'true', wait: 'true' }),
    expect: { iam_status: 'ok', execution_status: 'succeeded' },
  },
  {
    id: IDS.replace,
    title: 'replace from job.yaml (metadata), iam=check',
    tool: 'action',
    world: sameProjectWorld,
    inputs: () => ({
      workload_identity_provider: PROVIDER,
      impersonate_service_account: DEPLOYER,
      project_id: APP.id,
      region: REGION,
      metadata: 'job.yaml',
      iam: 'check',
      pr_comment: 'false',
    }),
    expect: { iam_status: 'ok', job: `projects/${APP.id}/locations/${REGION}/jobs/${JOB}` },
  },
  {
    id: IDS.wide,
    title: 'replace a job with 10 secrets, 3 volumes, Cloud SQL (metadata), iam=check',
    tool: 'action',
    world: wideWorld,
    inputs: () => ({
      workload_identity_provider: PROVIDER,
      impersonate_service_account: DEPLOYER,
      project_id: APP.id,
      region: REGION,
      metadata: 'job-wide.yaml',
      iam: 'check',
      pr_comment: 'false',
    }),
    expect: { iam_status: 'ok', job: `projects/${APP.id}/locations/${REGION}/jobs/${JOB}` },
  },
  ...JOB_COUNTS.map(
    (n): Scenario => ({
      id: n === 1 ? IDS.jobs1 : n === 5 ? IDS.jobs5 : IDS.jobs20,
      title: `${n} job${n > 1 ? 's' : ''} in one step (metadata: jobs${n}/*.yaml), iam=check`,
      tool: 'action',
      world: sameProjectWorld,
      inputs: () => manyInputs(`jobs${n}/*.yaml`, REGION),
      expect: { job: mapOf(n, 1) },
    }),
  ),
  {
    id: IDS.regions3,
    title: '1 job to 3 regions in one step, iam=check',
    tool: 'action',
    world: sameProjectWorld,
    inputs: () => manyInputs('job.yaml', `${REGION},europe-west1,asia-east1`),
    expect: { job: mapOf(1, 3) },
  },
  {
    id: IDS.gcloudCreate,
    title: 'gcloud run jobs deploy (create)',
    tool: 'gcloud',
    world: sameProjectWorld,
    gcloudArgs: gcloudDeploy,
  },
  {
    id: IDS.gcloudUpdate,
    title: 'gcloud run jobs deploy (update)',
    tool: 'gcloud',
    world: sameProjectWorld,
    deployFirst: true,
    gcloudArgs: (w) =>
      deployArgs(JOB, {
        image: w.image.replace(/:v1$/, ':v2'),
        region: REGION,
        serviceAccount: w.runtimeServiceAccount,
        envVars: ENV_VARS,
        secrets: SECRETS,
      }),
  },
  {
    id: IDS.gcloudReplace,
    title: 'gcloud run jobs replace job.yaml',
    tool: 'gcloud',
    world: sameProjectWorld,
    gcloudArgs: (_w, workspace) => replaceArgs(join(workspace, 'job.yaml'), REGION),
  },
];

export { gcloudDeploy };

// Shared pieces of the diagnosis end-to-end tests: the demo world and its variations, the
// workflow file and job.yaml a team would commit (with the line each value sits on), and a
// parser for the workflow commands the action prints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROOT } from './run-action.ts';

export const PROVIDER =
  'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-actions';
export const DEPLOYER = 'deployer@demo-app.iam.gserviceaccount.com';
export const RUNTIME = 'runtime@demo-app.iam.gserviceaccount.com';
/** A runtime account in another project (the shared-accounts project of the team). */
export const SHARED_RUNTIME = 'runner@demo-shared.iam.gserviceaccount.com';
export const AGENT = 'service-123456789012@serverless-robot-prod.iam.gserviceaccount.com';
export const IMAGE_BASE = 'us-central1-docker.pkg.dev/demo-images/containers/payments/nightly-report';
export const IMAGE = `${IMAGE_BASE}:v1.4.2`;
export const REPO = 'projects/demo-images/locations/us-central1/repositories/containers';
export const WORKFLOW = '.github/workflows/deploy.yml';
export const JOB_YAML = 'deploy/job.yaml';

type Binding = { role: string; members: string[] };
type Policy = { bindings?: Binding[] };
export type World = Record<string, unknown> & {
  projects: Array<Record<string, unknown> & { id: string; policy?: Policy }>;
  serviceAccounts: Array<{ email: string; policy?: Policy }>;
  repositories: Array<{ name: string; policy?: Policy }>;
  secrets: Array<{ name: string; policy?: Policy }>;
  providers: Array<Record<string, unknown>>;
  github: Record<string, unknown>;
};

export const demo = (): World =>
  parseYaml(readFileSync(join(ROOT, 'test/emulator/scenarios/demo.yaml'), 'utf8')) as World;

/** Removes `member` from every binding of `role` in `policy`. */
export function revoke(policy: Policy | undefined, role: string, member: string): void {
  for (const b of policy?.bindings ?? [])
    if (b.role === role) b.members = b.members.filter((m) => m !== member);
}

export const sa = (w: World, email: string) => {
  const found = w.serviceAccounts.find((s) => s.email === email);
  if (!found) throw new Error(`no service account ${email} in the world`);
  return found;
};

/** Adds project demo-shared with the runtime account `runner`, usable by the deployer. */
export function withSharedRuntime(w: World, crossProjectAllowed: boolean): World {
  w.projects.push({
    id: 'demo-shared',
    number: '333344445555',
    parent: 'organizations/472095813307',
    policy: {},
    orgPolicies: { 'iam.disableCrossProjectServiceAccountUsage': !crossProjectAllowed },
  });
  w.serviceAccounts.push({
    email: SHARED_RUNTIME,
    policy: {
      bindings: [{ role: 'roles/iam.serviceAccountUser', members: [`serviceAccount:${DEPLOYER}`] }],
    },
  });
  return w;
}

/** Inputs of the step (besides `metadata` cases, which drop job/image/service_account). */
export const stepInputs = (over: Record<string, string> = {}): Record<string, string> => ({
  workload_identity_provider: PROVIDER,
  impersonate_service_account: DEPLOYER,
  project_id: 'demo-app',
  region: 'us-central1',
  job: 'nightly-report',
  image: IMAGE,
  service_account: RUNTIME,
  iam: 'off',
  ...over,
});

/** Inputs of a step that deploys the job.yaml at `metadata`: job, image and service_account come from the file. */
export const metadataStepInputs = (
  metadata: string,
  over: Record<string, string> = {},
): Record<string, string> => stepInputs({ job: '', image: '', service_account: '', metadata, ...over });

/** A pull_request event for PR 7 of acme/payments, from `headRepo` (a fork when it is another repository). */
export const pullRequestEvent = (headRepo = 'acme/payments') => ({
  name: 'pull_request',
  payload: {
    pull_request: {
      number: 7,
      head: { repo: { full_name: headRepo } },
      base: { repo: { full_name: 'acme/payments' } },
    },
  },
});

/** The workflow file that runs this action with `inputs` (one `with:` line per non-empty input). */
export function workflowFile(inputs: Record<string, string>): string {
  const withLines = Object.entries(inputs)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => (v.includes('\n') ? `          ${k}: |\n${indent(v, 12)}` : `          ${k}: '${v}'`));
  return `name: deploy
on: pull_request
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: read
      pull-requests: write
    steps:
      - uses: actions/checkout@v4
      - id: deploy-job
        uses: acme/cloud-run-job-action@v1
        with:
${withLines.join('\n')}
`;
}

function indent(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => `${' '.repeat(n)}${l}`)
    .join('\n');
}

/** What the runner sets so the action can find its own step in the workflow file. */
export const workflowEnv = (repository = 'acme/payments'): Record<string, string> => ({
  GITHUB_WORKFLOW_REF: `${repository}/${WORKFLOW}@refs/pull/7/merge`,
  GITHUB_JOB: 'deploy',
  GITHUB_ACTION: 'deploy-job',
  GITHUB_ACTION_REPOSITORY: 'acme/cloud-run-job-action',
});

export function jobYaml(
  o: { serviceAccount?: string; image?: string; secret?: string; secretVersion?: string } = {},
): string {
  return `apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: nightly-report
  namespace: demo-app
  labels:
    team: payments
spec:
  template:
    spec:
      taskCount: 1
      template:
        spec:
          serviceAccountName: ${o.serviceAccount ?? RUNTIME}
          timeoutSeconds: 900
          containers:
          - image: ${o.image ?? IMAGE}
            env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: ${o.secret ?? 'db-password'}
                  key: '${o.secretVersion ?? '1'}'
`;
}

/** 1-based line of the first line of `text` that starts (after indentation) with `start`. */
export function lineOf(text: string, start: string): number {
  const i = text.split('\n').findIndex((l) => l.trimStart().startsWith(start));
  if (i < 0) throw new Error(`no line starting with ${start}`);
  return i + 1;
}

export interface Command {
  command: string;
  properties: Record<string, string>;
  message: string;
}

const decodeProperty = (s: string) =>
  s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

/** Workflow commands (`::name key=value,...::message`) printed on stdout, unescaped. */
export function commands(stdout: string, name?: string): Command[] {
  return stdout.split('\n').flatMap((line) => {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m?.[1] || (name && m[1] !== name)) return [];
    const properties: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = kv.indexOf('=');
      properties[kv.slice(0, eq)] = decodeProperty(kv.slice(eq + 1));
    }
    return [{ command: m[1], properties, message: decodeProperty(m[3] ?? '') }];
  });
}

/**
 * What the step says about its one failure: the error annotations (each on the line that caused
 * it) and the closing "Step failed: ..." log line, which is not an annotation of its own.
 */
export function failureOf(stdout: string): {
  errors: Command[];
  untitled: Command[];
  closing: string[];
  text: string;
} {
  const errors = commands(stdout, 'error');
  const untitled = errors.filter((a) => Object.keys(a.properties).length === 0);
  const closing = stdout.split('\n').filter((l) => l.startsWith('Step failed: '));
  return { errors, untitled, closing, text: [...errors.map((e) => e.message), ...closing].join('\n') };
}

export interface FindingOut {
  check: string;
  status: string;
  principal?: string;
  role?: string;
  resource?: string;
  command?: string;
  evidence: string;
  remedy?: string;
  location?: { file: string; line: number };
}

export const findingsOf = (outputs: Record<string, string>): FindingOut[] =>
  JSON.parse(outputs.findings ?? '[]') as FindingOut[];

// Table-driven test of the classifier over the error corpus in test/fixtures/errors: each case
// goes through the same entry points main.ts uses (diagnose / diagnoseCondition), starting
// from the shape the client library or gcloud really produces.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type DiagnoseContext,
  diagnose,
  diagnoseCondition,
  type JobCondition,
  type Stage,
} from '../src/diagnose/index.ts';
import { StepError } from '../src/gcp/errors.ts';
import { OperationFailed } from '../src/gcp/run.ts';
import { grantCommand } from '../src/iam/commands.ts';
import type { ExecutionDetails, Finding } from '../src/model.ts';
import { locateInWorkflow } from '../src/report/locate.ts';
import { PLAN } from './fixtures/errors/plan.ts';
import { CORPUS_CONFIG as CONFIG } from './helpers/google-error.ts';

interface Case {
  name: string;
  /** Real texts: the public page that quotes them and the wire shape they arrive in. */
  source?: { url: string; shape: string };
  family?: string;
  stage: Stage;
  plan?: boolean;
  config?: boolean;
  error?: {
    http?: number;
    body?: unknown;
    operation?: Record<string, unknown>;
    text?: string;
    code?: string;
    url?: string;
    timeout?: number;
    service?: string;
    step?: string;
  };
  condition?: JobCondition;
  execution?: string;
  logUri?: string;
  /** The failed execution's tasks and log tail (what src/job/execution-details.ts reads). */
  details?: ExecutionDetails;
  expect: {
    check: string;
    principal?: string;
    role?: string;
    permission?: string;
    resource?: string;
    subject?: string;
    command?: string[];
    evidence?: string[];
    /** Parts the remedy text must contain. */
    remedy?: string[];
    noGrant?: boolean;
    /** Where a grant would go: the grant's kind, or 'none' when no binding is offered. */
    scope?: string;
    /** The input whose `with:` line the annotation lands on (src/report/locate.ts). */
    line?: string;
  };
}

/** Build what the failing call would really throw. */
function thrown(e: NonNullable<Case['error']>): unknown {
  let error: unknown;
  if (e.http !== undefined) {
    error = Object.assign(new Error(`Request failed with status code ${e.http}`), {
      response: { status: e.http, data: e.body },
    });
  } else if (e.operation) {
    error = e.operation;
  } else {
    error = new Error(e.text ?? '');
  }
  // Network facts a gaxios error carries: its code, the request's URL and timeout, the service.
  if (e.code) Object.assign(error as object, { code: e.code });
  if (e.url) Object.assign(error as object, { config: { url: e.url, timeout: e.timeout } });
  if (e.service) Object.assign(error as object, { service: e.service });
  return e.step ? new StepError(e.step, error) : error;
}

const dir = join(import.meta.dirname, 'fixtures/errors');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const corpus = files.flatMap((f) =>
  (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { cases: Case[] }).cases.map((c) => ({ file: f, ...c })),
);

/** The scope a finding's role is (or would be) granted on, from its grant or its resource name. */
function scopeOf(f: Finding): string {
  if (!f.role) return 'none';
  if (f.grant) return f.grant.kind;
  const r = f.resource ?? '';
  if (/\/serviceAccounts\//.test(r)) return 'serviceAccount';
  if (/\/repositories\//.test(r)) return 'repository';
  if (/\/secrets\//.test(r)) return 'secret';
  if (/\/jobs\//.test(r)) return 'job';
  if (/^projects\/_\/buckets\//.test(r)) return 'bucket';
  if (/^projects\/[^/]+$/.test(r)) return 'project';
  return 'other';
}

// A workflow step setting every input an annotation can land on, one `with:` line each.
const INPUTS = [
  'workload_identity_provider',
  'impersonate_service_account',
  'project_id',
  'region',
  'job',
  'image',
  'service_account',
  'secrets',
  'memory',
  'cpu',
  'task_timeout',
  'vpc_connector',
  'vpc_egress',
  'network',
  'cloudsql_instances',
  'volumes',
  'gpu',
  'execute',
  'kms_key',
  'binary_authorization',
];
const WORKFLOW = `jobs:\n  deploy:\n    steps:\n      - id: deploy-job\n        uses: acme/cloud-run-job-action@v1\n        with:\n${INPUTS.map((i) => `          ${i}: x`).join('\n')}\n`;
const lineOfInput = (input: string) =>
  WORKFLOW.split('\n').findIndex((l) => l.trim().startsWith(`${input}:`)) + 1;

function run(c: Case): Finding | undefined {
  const ctx: DiagnoseContext = { stage: c.stage, repository: 'acme/batch' };
  if (c.config !== false) ctx.config = CONFIG;
  if (c.plan !== false) ctx.plan = PLAN;
  if (c.condition) {
    return diagnoseCondition(c.condition, {
      ...ctx,
      ...(c.execution ? { execution: c.execution } : {}),
      ...(c.logUri ? { logUri: c.logUri } : {}),
      ...(c.details ? { details: c.details } : {}),
    });
  }
  if (!c.error) throw new Error(`case ${c.name} has neither error nor condition`);
  return diagnose(thrown(c.error), ctx);
}

describe('classifier over the error corpus', () => {
  it.each(corpus.map((c) => [`${c.file}: ${c.name}`, c] as const))('%s', (_, c) => {
    const f = run(c);
    expect(f, 'a finding').toBeDefined();
    if (!f) return;
    const x = c.expect;
    expect(f.check).toBe(x.check);
    expect(f.status).toBe('failed');
    expect(f.title.length).toBeGreaterThan(0);
    expect(f.remedy?.length ?? 0).toBeGreaterThan(0);
    if (x.principal) expect(f.principal).toBe(x.principal);
    if (x.role) expect(f.role).toBe(x.role);
    if (x.permission) expect(f.permission).toBe(x.permission);
    if (x.resource) expect(f.resource).toBe(x.resource);
    if (x.subject) expect(f.subject).toBe(x.subject);
    for (const part of x.command ?? []) expect(f.command).toContain(part);
    for (const part of x.evidence ?? []) expect(f.evidence).toContain(part);
    for (const part of x.remedy ?? []) expect(f.remedy).toContain(part);
    if (x.noGrant) expect(f.grant).toBeUndefined();
    if (x.scope) expect(scopeOf(f)).toBe(x.scope);
    if (x.line) {
      const at = locateInWorkflow(WORKFLOW, 'deploy.yml', f.subject as NonNullable<Finding['subject']>, {
        action: 'deploy-job',
        job: 'deploy',
        actionRepository: 'acme/cloud-run-job-action',
      });
      expect(at?.line, `annotated on the ${x.line} input`).toBe(lineOfInput(x.line));
    }
    if (c.source) {
      expect(c.source.url).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(issues|pull)\/\d+$/);
      expect(c.source.shape.length).toBeGreaterThan(0);
    }
    // A grant, when offered, must be exactly the binding the command adds, in the preflight's form
    // (a service account of unknown project, projects/-, is named by its email alone).
    if (f.grant && f.command) {
      if (f.grant.resource.startsWith('projects/-/')) expect(f.command).not.toContain('--project');
      else expect(f.command).toBe(grantCommand(f.grant));
      expect(f.command).toContain(` --member=${f.grant.member} --role=${f.grant.role} `);
    }
    // gcloud, run non-interactively, refuses an unconditioned binding on a policy holding any
    // conditional one unless told --condition=None.
    // (A Cloud Run job's policy takes no conditions at all, so its command has no such flag:
    // https://cloud.google.com/config-connector/docs/reference/resource-docs/run/runjob "Supports IAM Conditions: No".)
    if (f.command?.includes('add-iam-policy-binding') && !f.command.startsWith('gcloud run jobs '))
      expect(f.command).toMatch(/ --condition=None$/);
  });

  it('covers every failure kind the issue names, in more than one wording where it matters', () => {
    const counts = new Map<string, number>();
    for (const c of corpus) counts.set(c.expect.check, (counts.get(c.expect.check) ?? 0) + 1);
    const required = [
      'deployer-actas',
      'deployer-image',
      'agent-image',
      'agent-token',
      'orgpolicy-xproject',
      'wif-condition',
      'wif-user',
      'id-token',
      'deployer-run',
      'image-not-found',
      'api-disabled',
      'quota',
      'execution-failed',
      'unknown',
    ];
    for (const check of required) expect(counts.get(check) ?? 0, check).toBeGreaterThanOrEqual(2);
  });
});

// Families the product was never shown before issue 17 (org policy, quotas, invalid arguments,
// execution causes read from task logs, runs of missing jobs or refused runs).
const NEW_FAMILIES = new Set([
  'orgpolicy',
  'quota',
  'invalid-argument',
  'task-timeout',
  'task-log',
  'cloudsql',
  'job-not-found',
  'run-refused',
]);

describe('the corpus of real texts', () => {
  const real = corpus.filter((c) => c.source);
  it('holds at least 120 real texts with their sources, at least 40 of the new families', () => {
    expect(real.length).toBeGreaterThanOrEqual(120);
    expect(real.filter((c) => NEW_FAMILIES.has(c.family ?? '')).length).toBeGreaterThanOrEqual(40);
    expect(new Set(real.map((c) => c.name)).size).toBe(real.length);
  });

  it('classifies most of them to a specific kind (not unknown / condition-failed)', () => {
    const specific = real.filter(
      (c) => !['unknown', 'condition-failed'].includes(run(c)?.check ?? 'unknown'),
    );
    const byFamily: Record<string, number> = {};
    for (const c of real) byFamily[c.family ?? '?'] = (byFamily[c.family ?? '?'] ?? 0) + 1;
    // The numbers the closing note quotes (printed so a run shows them).
    console.log(
      `corpus: ${real.length} real texts; specific ${specific.length}/${real.length}; by family ${JSON.stringify(byFamily)}`,
    );
    expect(specific.length / real.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('binding commands', () => {
  it('leave out --project for a service account whose project is unknown (gcloud finds it by email)', () => {
    const f = diagnose(
      new StepError('deploy the job', {
        code: 7,
        message: "Permission 'iam.serviceAccounts.actAs' denied on service account jobs@example.com",
      }),
      { stage: 'deploy', config: CONFIG },
    );
    expect(f.check).toBe('deployer-actas');
    expect(f.command).toBe(
      'gcloud iam service-accounts add-iam-policy-binding jobs@example.com --member=serviceAccount:deployer@app-prod.iam.gserviceaccount.com --role=roles/iam.serviceAccountUser --condition=None',
    );
  });
});

describe('diagnoseCondition', () => {
  it('returns nothing for conditions that did not fail', () => {
    const ctx = { stage: 'execute' as const };
    expect(diagnoseCondition({ type: 'Completed', state: 'CONDITION_SUCCEEDED' }, ctx)).toBeUndefined();
    expect(diagnoseCondition({ type: 'Ready', state: 'CONDITION_RECONCILING' }, ctx)).toBeUndefined();
    expect(diagnoseCondition({ type: 'Ready', status: 'True' }, ctx)).toBeUndefined();
    expect(diagnoseCondition({ type: 'Ready', status: 'Unknown' }, ctx)).toBeUndefined();
  });
});

describe('diagnose never throws and keeps the raw text', () => {
  it.each([
    [undefined],
    [null],
    ['a bare string'],
    [42],
    [{ response: { status: 502, data: '<html>Bad gateway</html>' } }],
    [{ error: { code: 7, message: 'nested operation error' } }],
  ])('%j', (input) => {
    const f = diagnose(input, { stage: 'deploy' });
    expect(f.status).toBe('failed');
    expect(f.evidence.length).toBeGreaterThan(0);
  });

  it('reads a gRPC code off an operation error wrapped in StepError', () => {
    const f = diagnose(
      new StepError('wait for the job operation', { code: 7, message: 'run.jobs.update denied' }),
      {
        stage: 'deploy',
      },
    );
    expect(f.check).toBe('deployer-run');
    expect(f.evidence).toContain('While trying to wait for the job operation');
    expect(f.evidence).toContain('PERMISSION_DENIED');
  });

  it('reads the status of an OperationFailed (what src/gcp/run.ts throws for a failed LRO)', () => {
    const op = new OperationFailed('projects/app-prod/locations/us-central1/operations/o1', {
      code: 7,
      message:
        "Permission 'iam.serviceaccounts.actAs' denied on service account runner@identity-hub.iam.gserviceaccount.com",
    });
    const f = diagnose(new StepError('deploy the job', op), { stage: 'deploy', plan: PLAN });
    expect(f.check).toBe('deployer-actas');
    expect(f.principal).toBe('serviceAccount:deployer@app-prod.iam.gserviceaccount.com');
    expect(f.evidence).toContain('PERMISSION_DENIED');
  });
});

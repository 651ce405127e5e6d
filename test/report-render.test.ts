// Pure rendering: the summary table and remedies, the Mermaid graph, annotation levels and
// placement, outputs, and the comment body. Assertions name specific rows and edges.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config, Finding, RunResult } from '../src/model.ts';
import { annotationFor } from '../src/report/annotations.ts';
import { gapsInComment, MARKER, pullRequestOf, renderComment } from '../src/report/comment.ts';
import { placeFindings, sourcesFrom } from '../src/report/index.ts';
import { renderMermaid } from '../src/report/mermaid.ts';
import { outputsOf } from '../src/report/outputs.ts';
import { headline, renderSummary } from '../src/report/summary.ts';
import { PLAN } from './fixtures/errors/plan.ts';

const DEPLOYER = 'serviceAccount:deployer@app-prod.iam.gserviceaccount.com';
const AGENT = `serviceAccount:${PLAN.serviceAgent}`;
const SA = 'projects/identity-hub/serviceAccounts/runner@identity-hub.iam.gserviceaccount.com';
const REPO = 'projects/shared-images/locations/europe-west1/repositories/containers';

const findings: Finding[] = [
  {
    check: 'deployer-actas',
    status: 'satisfied',
    title: 'Deployer can act as the runtime service account',
    principal: DEPLOYER,
    role: 'roles/iam.serviceAccountUser',
    resource: SA,
    evidence: 'testIamPermissions returned iam.serviceAccounts.actAs',
    subject: 'service_account',
  },
  {
    check: 'agent-image',
    status: 'missing',
    title: 'Cloud Run service agent cannot pull the image',
    principal: AGENT,
    role: 'roles/artifactregistry.reader',
    resource: REPO,
    evidence: 'no binding on the repository or its project grants downloadArtifacts',
    remedy: 'Grant the service agent roles/artifactregistry.reader on the repository.',
    command: `gcloud artifacts repositories add-iam-policy-binding containers --project=shared-images --location=europe-west1 --member=${AGENT} --role=roles/artifactregistry.reader`,
    subject: 'image',
  },
  {
    check: 'agent-token',
    status: 'granted',
    title: 'Service agent may mint tokens for the runtime service account',
    principal: AGENT,
    role: 'roles/iam.serviceAccountTokenCreator',
    resource: SA,
    evidence: 'granted in fix mode',
    subject: 'service_account',
  },
  {
    check: 'orgpolicy-xproject',
    status: 'unverified',
    title: 'Cross-project service account use could not be checked',
    resource: 'projects/identity-hub',
    evidence: 'no permission to read the effective org policy',
    subject: 'service_account',
  },
];

const result: RunResult = {
  config: { metadata: 'deploy/job.yaml', prComment: true, githubToken: 't' } as Config,
  plan: PLAN,
  findings,
  granted: [
    { resource: SA, kind: 'serviceAccount', role: 'roles/iam.serviceAccountTokenCreator', member: AGENT },
  ],
  iamStatus: 'missing',
  job: {
    name: PLAN.jobName,
    consoleUrl: 'https://console.cloud.google.com/run/jobs/details/us-central1/nightly?project=app-prod',
    action: 'updated',
  },
};

describe('renderSummary', () => {
  const md = renderSummary(result);
  it('has one row per check, worst first, in the one vocabulary and with short names', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows[0]).toBe('| Status | Who | Needs role | On | Check |');
    const body = rows.slice(1);
    expect(body).toHaveLength(4);
    expect(body[0]).toBe(
      '| ❌ missing | Cloud Run service agent of app-prod | `artifactregistry.reader` | repository `containers` | `agent-image` |',
    );
    expect(body[1]).toBe('| ❓ unverified | — | — | project `identity-hub` | `orgpolicy-xproject` |');
    expect(body[2]).toMatch(
      /^\| 🔧 fixed \| Cloud Run service agent of app-prod \| `iam.serviceAccountTokenCreator` \|/,
    );
    expect(body[3]).toMatch(/^\| ✅ ok \| deployer `deployer@…` \|/);
    // The full names are one click away.
    expect(md).toContain(`- repository \`containers\`: \`${REPO}\``);
  });
  it('says what to do about each gap: the grant, who acts (by permission), the command laid out', () => {
    expect(md).toContain(
      '```sh\ngcloud artifacts repositories add-iam-policy-binding containers \\\n  --project=shared-images \\\n',
    );
    expect(md).toContain('#### ❌ missing: Cloud Run service agent cannot pull the image');
    expect(md).toContain('**Who:** an administrator who holds `artifactregistry.repositories.setIamPolicy`');
    expect(md).toContain('#### ❓ unverified: Cross-project service account use could not be checked');
    expect(md).not.toContain('#### ✅');
    expect(md).toContain(
      '### Granted by `iam: fix`\n\n- `roles/iam.serviceAccountTokenCreator` to Cloud Run service agent of app-prod on runtime account `runner@…`, on this service account only.',
    );
  });
  it('a gap iam: fix can grant names the deployer through iam: fix, and the setIamPolicy permission', () => {
    const grant = {
      resource: REPO,
      kind: 'repository' as const,
      role: 'roles/artifactregistry.reader',
      member: AGENT,
    };
    const withGrant = { ...result, findings: [{ ...(findings[1] as Finding), grant }] };
    expect(renderSummary(withGrant)).toContain(
      '**Who:** the deployer `deployer@app-prod.iam.gserviceaccount.com`, by re-running with `iam: fix`, if it holds `artifactregistry.repositories.setIamPolicy` there',
    );
  });
  it('the headline answers deployed, ran and the IAM word of iam_status', () => {
    expect(md.split('\n')[0]).toBe(
      '## ❌ Cloud Run job `nightly`: deployed (updated) · not run · IAM missing',
    );
    expect(headline({ findings: [], granted: [], failure: findings[1] as Finding, failedAt: 'deploy' })).toBe(
      '❌ Cloud Run job: deploy failed · not run · IAM not checked',
    );
    const ran: RunResult = {
      ...result,
      findings: [findings[0] as Finding, findings[2] as Finding],
      iamStatus: 'fixed',
      execution: { name: `${PLAN.jobName}/executions/nightly-x1`, status: 'succeeded' },
    };
    expect(headline(ran)).toBe('✅ Cloud Run job `nightly`: deployed (updated) · ran: succeeded · IAM fixed');
    expect(renderSummary(ran)).toContain(
      '> [!TIP]\n> **All IAM requirements hold**; 1 binding granted by `iam: fix`. The job was updated and its execution succeeded.',
    );
    expect(md).toContain('[nightly](https://console.cloud.google.com/');
  });
});

describe('renderMermaid', () => {
  const graph = renderMermaid(findings, PLAN) ?? '';
  const lines = graph.split('\n');
  it('draws one node per principal and per resource, with human labels', () => {
    expect(lines[0]).toBe('flowchart LR');
    const nodes = lines.filter((l) => /^ {2}n\d+\["/.test(l));
    expect(nodes).toEqual([
      '  n0["runtime account runner@#8230;"]',
      '  n1["deployer deployer@#8230;"]',
      '  n2["repository containers"]',
      '  n3["Cloud Run service agent of app-prod"]',
      '  n4["project identity-hub"]',
    ]);
  });
  it('names the role and its word on each edge, and draws the gap strongest', () => {
    const edges = lines.filter((l) => l.includes('|"'));
    expect(edges).toEqual([
      '  n1 -->|"iam.serviceAccountUser #40;ok#41;"| n0',
      '  n3 ==>|"artifactregistry.reader #40;missing#41;"| n2',
      '  n3 ==>|"iam.serviceAccountTokenCreator #40;fixed#41;"| n0',
    ]);
    expect(lines).toContain('  linkStyle 1 stroke:#d1242f,stroke-width:4px');
    expect(lines).toContain('  class n2,n3 gap');
  });
  it('is one node for an account that is both a member and a resource', () => {
    const sa = 'serviceAccount:runner@identity-hub.iam.gserviceaccount.com';
    const g = renderMermaid([
      { ...(findings[0] as Finding), principal: sa, resource: 'projects/identity-hub/secrets/s' },
      findings[0] as Finding,
    ]);
    expect(g?.split('\n').filter((l) => l.includes('runner@'))).toHaveLength(1);
  });
  it('is absent when no finding names a resource', () => {
    expect(renderMermaid([{ check: 'x', status: 'failed', title: 't', evidence: 'e' }])).toBeUndefined();
  });
});

describe('annotationFor', () => {
  it.each([
    ['missing', 'error'],
    ['failed', 'error'],
    ['unverified', 'warning'],
    ['warning', 'warning'],
    ['granted', 'notice'],
    ['satisfied', undefined],
  ] as const)('%s -> %s', (status, level) => {
    expect(annotationFor({ check: 'c', status, title: 't', evidence: 'e' })?.level).toBe(level);
  });
  it('carries title, file and line', () => {
    const a = annotationFor({ ...(findings[1] as Finding), location: { file: 'deploy/job.yaml', line: 15 } });
    expect(a?.properties).toEqual({
      title: 'agent-image (missing): Cloud Run service agent cannot pull the image',
      file: 'deploy/job.yaml',
      startLine: 15,
    });
    expect(a?.message).toContain('Run: gcloud artifacts repositories add-iam-policy-binding');
    expect(a?.message).toContain(
      'Who: an administrator who holds artifactregistry.repositories.setIamPolicy.',
    );
  });
  it('a binding iam: fix made says what was granted, never "Grant ..."', () => {
    const grant = {
      resource: SA,
      kind: 'serviceAccount' as const,
      role: 'roles/iam.serviceAccountTokenCreator',
      member: AGENT,
    };
    const a = annotationFor({ ...(findings[2] as Finding), grant, remedy: 'Grant it.', command: 'gcloud x' });
    expect(a?.properties.title).toBe(
      'agent-token (fixed): Service agent may mint tokens for the runtime service account',
    );
    expect(a?.message).toBe(`Granted roles/iam.serviceAccountTokenCreator to ${AGENT} on ${SA}.`);
  });
});

describe('placement from the workspace', () => {
  it('puts yaml subjects on job.yaml lines and the rest on the with: inputs of this step', () => {
    const ws = mkdtempSync(join(tmpdir(), 'ws-'));
    mkdirSync(join(ws, 'deploy'));
    mkdirSync(join(ws, '.github/workflows'), { recursive: true });
    writeFileSync(join(ws, 'deploy/job.yaml'), readFileSync('test/fixtures/report/job.yaml'));
    writeFileSync(
      join(ws, '.github/workflows/deploy.yml'),
      readFileSync('test/fixtures/report/workflow.yml'),
    );
    const env = {
      GITHUB_WORKSPACE: ws,
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/deploy.yml@refs/pull/7/merge',
      GITHUB_ACTION: 'deploy',
      GITHUB_JOB: 'deploy',
      GITHUB_ACTION_REPOSITORY: 'acme/cloud-run-job-action',
    };
    const extra: Finding = {
      check: 'wif-user',
      status: 'failed',
      title: 't',
      evidence: 'e',
      subject: 'impersonate_service_account',
    };
    const placed = placeFindings([...findings, extra], sourcesFrom(result, env));
    expect(placed[1]?.location).toEqual({ file: 'deploy/job.yaml', line: 15, column: 15 });
    expect(placed[0]?.location).toEqual({ file: 'deploy/job.yaml', line: 13, column: 11 });
    expect(placed[4]?.location).toEqual({ file: '.github/workflows/deploy.yml', line: 21, column: 11 });
    // a reusable workflow from another repository: nothing in this workspace to point at
    const foreign = sourcesFrom(
      { ...result, config: {} as Config },
      { ...env, GITHUB_WORKFLOW_REF: 'other/x/.github/workflows/deploy.yml@v1' },
    );
    expect(placeFindings([extra], foreign)[0]?.location).toBeUndefined();
  });
});

describe('outputs', () => {
  it('sets every output, JSON for findings and granted', () => {
    const o = outputsOf(result);
    expect(Object.keys(o).sort()).toEqual(
      [
        'console_url',
        'execution',
        'execution_status',
        'findings',
        'granted',
        'iam_status',
        'job',
        'job_changes',
        'schedule_trigger',
        'schedule_next_run',
        'started_at',
        'deployed_at',
        'executed_at',
        'duration',
      ].sort(),
    );
    expect(JSON.parse(o.findings ?? '')).toHaveLength(4);
    expect(JSON.parse(o.granted ?? '')[0].role).toBe('roles/iam.serviceAccountTokenCreator');
    expect(o.iam_status).toBe('missing');
    expect(outputsOf({ findings: [], granted: [] })).toMatchObject({
      job: '',
      execution_status: '',
      findings: '[]',
      job_changes: '',
    });
  });
});

describe('renderComment', () => {
  it('starts with the marker and shows the gaps', () => {
    const body = renderComment(result);
    expect(body.startsWith(`${MARKER}\n`)).toBe(true);
    expect(body).toContain('### ❌ Cloud Run job `nightly`: deployed (updated) · not run · IAM missing');
    expect(body).toContain('> **1 binding the job needs is missing.**');
    expect(body).toContain('agent-image');
    expect(body).not.toContain('✅ ok');
    expect(body).not.toMatch(/gap, \d+ to review/);
  });
  it('says all gaps are closed once they are', () => {
    const closed = {
      ...result,
      findings: findings.filter((f) => f.status === 'satisfied' || f.status === 'granted'),
    };
    const body = renderComment(closed);
    expect(body).toContain('> [!TIP]\n> **All IAM requirements hold**; 1 binding granted by `iam: fix`.');
    expect(body).toContain('#### Granted by `iam: fix`\n\n- `roles/iam.serviceAccountTokenCreator`');
    expect(body).not.toContain('#### ❌');
  });
  it('names the gaps closed since the comment it replaces, with their rows', () => {
    const first = renderComment(result);
    const previousGaps = gapsInComment(first);
    expect(previousGaps).toEqual(['agent-image']);
    const fixed = {
      ...result,
      findings: findings.map((f) => (f.check === 'agent-image' ? { ...f, status: 'satisfied' as const } : f)),
    };
    const body = renderComment(fixed, { previousGaps });
    // The list keeps every gap seen on the pull request, so a re-run renders the same body.
    expect(gapsInComment(body)).toEqual(['agent-image']);
    expect(renderComment(fixed, { previousGaps: gapsInComment(body) })).toBe(body);
    expect(body).toContain('> [!WARNING]\n> **1 requirement could not be proven.**');
    expect(body).toContain('Closed on this pull request: `agent-image`.');
    expect(body).toMatch(/^\| ✅ ok \| .*\| `agent-image` \|$/m);
    // Without a previous comment nothing is claimed as closed.
    expect(renderComment(fixed)).not.toContain('Closed on');
  });
  it('keeps only check-id characters in the hidden gap list', () => {
    const odd = { ...result, findings: [{ ...(findings[1] as Finding), check: 'x --> <b>y' }] };
    expect(renderComment(odd)).toContain('<!-- gaps: x-by -->');
    expect(gapsInComment('<!-- gaps: a b-c -->')).toEqual(['a', 'b-c']);
    expect(gapsInComment(undefined)).toEqual([]);
  });
  it('stays under the GitHub size limit', () => {
    const huge = { ...result, findings: [{ ...(findings[1] as Finding), evidence: 'x'.repeat(70_000) }] };
    expect(renderComment(huge).length).toBeLessThanOrEqual(65_100);
  });
});

describe('pullRequestOf', () => {
  const event = (head: string | null) => ({
    pull_request: {
      number: 7,
      head: { repo: head ? { full_name: head } : null },
      base: { repo: { full_name: 'acme/app' } },
    },
  });
  it.each([
    ['pull_request', event('acme/app'), { owner: 'acme', repo: 'app', number: 7, fork: false }],
    ['pull_request_target', event('someone/app'), { owner: 'acme', repo: 'app', number: 7, fork: true }],
    ['pull_request', event(null), { owner: 'acme', repo: 'app', number: 7, fork: true }],
    ['push', event('acme/app'), undefined],
    ['pull_request', {}, undefined],
  ])('%s', (name, payload, expected) => {
    expect(pullRequestOf(name, payload, 'acme/app')).toEqual(expected);
  });
});

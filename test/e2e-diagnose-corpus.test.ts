// End to end over the real-text corpus: the bundled action runs against the emulator through a
// rewriting proxy that answers one call with the body Google was seen to send (from
// test/fixtures/errors/real-*.json), and the report must name the same kind the corpus expects,
// as one failure annotated on the line of the input the finding points at. Cases by where the
// answer comes: the job write (v2 JSON or a finished operation carrying the error), the STS token
// exchange, the deployer impersonation (iamcredentials), the project read while resolving, the
// task log of a failed execution, and a grant refused by the domain restriction under iam: fix.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Subject } from '../src/model.ts';
import { inputOf } from '../src/report/locate.ts';
import {
  commands,
  DEPLOYER,
  demo,
  failureOf,
  findingsOf,
  IMAGE_BASE,
  RUNTIME,
  revoke,
  stepInputs,
  WORKFLOW,
  workflowEnv,
  workflowFile,
} from './helpers/diagnose-e2e.ts';
import { withEmulator } from './helpers/e2e-emulator.ts';
import { type Rewrite, startRewritingProxy } from './helpers/rewriting-proxy.ts';
import { ensureBuilt, runAction } from './helpers/run-action.ts';

beforeAll(() => ensureBuilt(), 120_000);

interface Case {
  name: string;
  source: { url: string; shape: string };
  stage: string;
  error?: { http?: number; body?: unknown; operation?: { code: number; message: string } };
  details?: { log: { lines: string[] } };
  expect: { check: string };
}

const dir = join(import.meta.dirname, 'fixtures/errors');
const real: Case[] = readdirSync(dir)
  .filter((f) => f.startsWith('real-'))
  .flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { cases: Case[] }).cases);
const pick = (name: string) => {
  const c = real.find((x) => x.name === name);
  if (!c) throw new Error(`no corpus case ${name}`);
  return c;
};

const JOBS = /^\/v2\/projects\/demo-app\/locations\/us-central1\/jobs\?jobId=/;
/** The job write answered with the recorded body, or with a finished operation carrying the error. */
function onCreate(c: Case): Rewrite {
  const e = c.error ?? {};
  if (e.operation)
    return {
      method: 'POST',
      path: JOBS,
      status: 200,
      body: {
        name: 'projects/demo-app/locations/us-central1/operations/op-1',
        done: true,
        error: e.operation,
      },
    };
  return { method: 'POST', path: JOBS, status: e.http ?? 500, body: e.body };
}

type Where = 'create' | 'sts' | 'impersonate' | 'project' | 'log';
const rewriteFor = (where: Where, c: Case): Rewrite =>
  where === 'create'
    ? onCreate(c)
    : where === 'sts'
      ? { method: 'POST', path: /^\/v1\/token$/, status: c.error?.http ?? 400, body: c.error?.body }
      : where === 'impersonate'
        ? { method: 'POST', path: /:generateAccessToken$/, status: c.error?.http ?? 403, body: c.error?.body }
        : where === 'project'
          ? {
              method: 'GET',
              path: /^\/v[13]\/projects\/demo-app$/,
              status: c.error?.http ?? 403,
              body: c.error?.body,
            }
          : {
              method: 'POST',
              path: /^\/v2\/entries:list$/,
              status: 200,
              // Cloud Logging answers newest first.
              body: {
                entries: [...(c.details?.log.lines ?? [])].reverse().map((textPayload) => ({ textPayload })),
              },
            };

const CASES: Array<[Where, string]> = [
  ['create', 'GoogleCloudPlatform/terraform-google-cloud-run#28'],
  ['create', 'terraform-google-modules/terraform-docs-samples#295'],
  ['create', 'GoogleCloudPlatform/emblem#757'],
  ['create', 'GoogleCloudPlatform/cloud-run-release-manager#81'],
  ['create', 'google/keyword_factory#22'],
  ['create', 'tanaikech/RunAll#1'],
  ['create', 'sourcegraph/sourcegraph-public-snapshot#59045'],
  ['create', 'transparency-dev/tesseract#413'],
  ['create', 'hashicorp/terraform-provider-google#5854'],
  ['create', 'ko-build/terraform-provider-ko#205'],
  ['create', 'firebase/friendlyeats-web#291'],
  ['create', 'firebase/firebase-tools#6454'],
  ['create', 'serverless/serverless-google-cloudfunctions#226'],
  ['create', 'GoogleCloudPlatform/vertex-ai-samples#700'],
  ['sts', 'terraform-google-modules/terraform-example-foundation#1362'],
  ['sts', 'google-github-actions/auth#378'],
  ['sts', 'google-github-actions/auth#202'],
  ['sts', 'google-github-actions/auth#211'],
  ['impersonate', 'google-github-actions/auth#340'],
  ['impersonate', 'google-github-actions/auth#526'],
  ['impersonate', 'google-github-actions/auth#144'],
  ['project', 'billingross/trellis-v2#15'],
  ['log', 'GoogleCloudPlatform/golang-samples#818'],
  ['log', 'GoogleCloudPlatform/kubernetes-engine-samples#10'],
  ['log', 'googleapis/google-cloud-python#9065'],
  ['log', 'moonklabs/sprintable#3645'],
  ['log', 'google/exposure-notifications-server#214'],
  ['log', 'googleapis/mcp-toolbox#926'],
];

describe.concurrent('real Google answers, replayed to the bundled action', () => {
  it.each(CASES)('%s: %s', async (where, name) => {
    const c = pick(name);
    const world = demo();
    // A failed execution is what makes the action read the task log.
    if (where === 'log') world.imageExitCodes = { [IMAGE_BASE]: 1 };
    const inputs = stepInputs({ memory: '512Mi', cpu: '1', ...(where === 'log' ? { execute: 'true' } : {}) });
    const workflow = workflowFile(inputs);
    await withEmulator(world, async (emu) => {
      const proxy = await startRewritingProxy(emu, [rewriteFor(where, c)]);
      try {
        const res = await runAction({
          emulator: proxy.emulator,
          inputs,
          files: { [WORKFLOW]: workflow },
          env: workflowEnv(),
        });
        const context = `${c.source.url}\n${res.stdout
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n')}`;
        expect(proxy.rewritten.length, context).toBeGreaterThan(0);
        expect(res.code, context).toBe(1);
        const failure = failureOf(res.stdout);
        expect(failure.untitled, context).toEqual([]);
        expect(failure.closing, context).toHaveLength(1);
        const finding = findingsOf(res.outputs).find(
          (f) => f.check === c.expect.check && f.status === 'failed',
        );
        expect(finding, `${context}\n${res.outputs.findings}`).toBeDefined();
        const annotation = commands(res.stdout, 'error').find((a) =>
          a.properties.title?.startsWith(`${c.expect.check} (failed)`),
        );
        expect(annotation, context).toBeDefined();
        // The line of the input the finding points at (or the step's `with:` when it sets none).
        const subject = (finding as { subject?: Subject }).subject;
        if (subject) {
          const lines = workflow.split('\n');
          const input = lines.findIndex((l) => l.trim().startsWith(`${inputOf(subject)}:`)) + 1;
          const withLine = lines.findIndex((l) => l.trim() === 'with:') + 1;
          expect(annotation?.properties.line, context).toBe(String(input || withLine));
          expect(annotation?.properties.file).toBe(WORKFLOW);
        }
        // Google's own words reach the report (unknown keeps them in its title).
        expect(res.summary).toContain(`\`${c.expect.check}\``);
      } finally {
        await proxy.stop();
      }
    });
  });
});

describe('a grant the domain restriction refuses (iam: fix)', () => {
  it.each([
    'terraform-google-modules/terraform-example-foundation#1454',
    'terraform-google-modules/terraform-example-foundation#1257',
    'googlemaps/js-route-optimization-app#198',
    'GoogleCloudPlatform/genai-for-marketing#153',
  ])('%s: not "fixed", no propagation retry, the constraint named', async (name) => {
    const c = pick(name);
    const world = demo();
    revoke(world.secrets[0]?.policy, 'roles/secretmanager.secretAccessor', `serviceAccount:${RUNTIME}`);
    // The deployer administers the secret, so fix reads its policy and tries the grant.
    world.secrets[0]?.policy?.bindings?.push({
      role: 'roles/secretmanager.admin',
      members: [`serviceAccount:${DEPLOYER}`],
    });
    const inputs = stepInputs({ iam: 'fix', secrets: 'DB_PASSWORD=db-password:1' });
    await withEmulator(world, async (emu) => {
      const proxy = await startRewritingProxy(emu, [
        {
          method: 'POST',
          path: /\/secrets\/db-password:setIamPolicy$/,
          status: c.error?.http ?? 400,
          body: c.error?.body,
        },
      ]);
      try {
        const started = Date.now();
        const res = await runAction({
          emulator: proxy.emulator,
          inputs,
          files: { [WORKFLOW]: workflowFile(inputs) },
          env: workflowEnv(),
        });
        expect(proxy.rewritten, res.outputs.findings).toHaveLength(1);
        expect(res.code).toBe(1);
        // The gap stays open (unverified or missing: the world hides the folder's policy), never "fixed".
        expect(['missing', 'unverified']).toContain(res.outputs.iam_status);
        expect(res.outputs.granted).toBe('[]');
        const secret = findingsOf(res.outputs).find((f) => f.check === 'runtime-secret');
        expect(secret?.evidence).toContain(
          'org policy constraint iam.allowedPolicyMemberDomains refused the binding',
        );
        expect(secret?.evidence).toContain('iam: fix cannot close this gap');
        // No grant was made, so no deploy is retried "while IAM propagates".
        expect(res.stdout).not.toMatch(/while new IAM grants propagate/);
        expect(Date.now() - started).toBeLessThan(30_000);
      } finally {
        await proxy.stop();
      }
    });
  });
});

describe('the propagation retry is for what this run granted', () => {
  it('a refusal of another permission (a recorded actAs 403) is reported at once, not retried while the secret grant propagates', async () => {
    const c = pick('google/keyword_factory#22');
    const world = demo();
    revoke(world.secrets[0]?.policy, 'roles/secretmanager.secretAccessor', `serviceAccount:${RUNTIME}`);
    world.secrets[0]?.policy?.bindings?.push({
      role: 'roles/secretmanager.admin',
      members: [`serviceAccount:${DEPLOYER}`],
    });
    const inputs = stepInputs({ iam: 'fix', secrets: 'DB_PASSWORD=db-password:1', fail_on: 'never' });
    await withEmulator(world, async (emu) => {
      const proxy = await startRewritingProxy(emu, [onCreate(c)]);
      try {
        const res = await runAction({
          emulator: proxy.emulator,
          inputs,
          files: { [WORKFLOW]: workflowFile(inputs) },
          env: workflowEnv(),
        });
        const granted = JSON.parse(res.outputs.granted ?? '[]') as Array<{ role: string }>;
        expect(
          granted.map((g) => g.role),
          res.outputs.findings,
        ).toContain('roles/secretmanager.secretAccessor');
        expect(res.code).toBe(1);
        expect(
          findingsOf(res.outputs).some((f) => f.check === 'deployer-actas' && f.status === 'failed'),
        ).toBe(true);
        // One write refused, one report: no retries "while IAM propagates" for a permission no grant touched.
        expect(res.stdout).not.toMatch(/while new IAM grants propagate/);
        expect(proxy.rewritten).toHaveLength(1);
      } finally {
        await proxy.stop();
      }
    });
  });
});

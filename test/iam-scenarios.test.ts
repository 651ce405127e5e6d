// The IAM scenario worlds (test/scenarios/iam/*.yaml) through preflight over real HTTP: each
// file holds an emulator world plus `expect:` (the caller, the plan inputs, and the findings
// and grants expected in check and fix). The action-level runs come with the scenario library.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { preflight } from '../src/iam/index.ts';
import { parseImage } from '../src/job/image.ts';
import type { Config, DeployPlan, Grant } from '../src/model.ts';
import { startEmulator } from './emulator/server.ts';

interface Expectation {
  caller: string;
  plan: { project: string; image: string; serviceAccount?: string; secrets?: string[]; execute?: boolean };
  check: { status: string; findings: Record<string, string | string[]> };
  fix: { status: string; granted: Grant[] };
}

const DIR = 'test/scenarios/iam';
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

function planFor(e: Expectation, world: { projects?: Array<{ id: string; number: string }> }): DeployPlan {
  const number = world.projects?.find((p) => p.id === e.plan.project)?.number ?? '';
  const sa = e.plan.serviceAccount ?? `${number}-compute@developer.gserviceaccount.com`;
  const saProject = /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(sa)?.[1] ?? e.plan.project;
  return {
    project: e.plan.project,
    projectNumber: number,
    region: 'us-central1',
    job: 'job',
    jobName: `projects/${e.plan.project}/locations/us-central1/jobs/job`,
    image: parseImage(e.plan.image),
    serviceAccount: sa,
    serviceAccountProject: saProject,
    serviceAccountIsDefault: !e.plan.serviceAccount,
    serviceAgent: `service-${number}@serverless-robot-prod.iam.gserviceaccount.com`,
    secrets: (e.plan.secrets ?? []).map((s) => {
      const [name = '', ref = ''] = s.split('=');
      const [secret = '', version = 'latest'] = ref.split(':');
      return { name, project: e.plan.project, secret, version };
    }),
    deployer: e.caller.replace(/^serviceAccount:|^user:/, ''),
    execute: e.plan.execute ?? false,
  };
}

const config = (iam: 'check' | 'fix'): Config => ({
  region: 'us-central1',
  envVars: {},
  secrets: {},
  labels: {},
  skipDefaultLabels: false,
  execute: false,
  wait: true,
  iam,
  dryRun: false,
  failOn: 'missing',
  prComment: false,
  universe: 'googleapis.com',
});

const silent = { info: () => {}, warning: () => {}, debug: () => {} };

describe.each(files)('scenario %s', (file) => {
  const scenario = parse(readFileSync(join(DIR, file), 'utf8')) as Record<string, unknown> & {
    expect: Expectation;
  };
  const e = scenario.expect;

  it.each(['check', 'fix'] as const)('%s', async (mode) => {
    const emu = await startEmulator({ scenario: structuredClone(scenario) });
    try {
      const auth = new OAuth2Client();
      auth.setCredentials({ access_token: emu.issueToken(e.caller), expiry_date: Date.now() + 3_600_000 });
      const env: Record<string, string> = {};
      for (const api of ['iam', 'cloudresourcemanager', 'artifactregistry', 'secretmanager', 'orgpolicy']) {
        env[`GHA_ENDPOINT_OVERRIDE_${api}`] = `${emu.url}/`;
      }
      const plan = planFor(e, scenario as { projects?: Array<{ id: string; number: string }> });
      const result = await preflight({
        plan,
        config: config(mode),
        auth,
        env,
        log: silent,
        sleep: async () => {},
      });
      if (mode === 'check') {
        const got: Record<string, string | string[]> = {};
        for (const f of result.findings) {
          const prev = got[f.check];
          got[f.check] =
            prev === undefined ? f.status : [...(Array.isArray(prev) ? prev : [prev]), f.status].sort();
        }
        expect(got, JSON.stringify(result.findings, null, 1)).toEqual(e.check.findings);
        expect(result.status).toBe(e.check.status);
      } else {
        expect(result.status, JSON.stringify(result.findings, null, 1)).toBe(e.fix.status);
        expect(result.granted).toEqual(e.fix.granted);
      }
    } finally {
      await emu.stop();
    }
  });
});

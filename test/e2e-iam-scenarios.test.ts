// The IAM scenario library, end to end: every world in test/scenarios/iam/ runs through the
// bundled action (dist/index.js as a child process, as the runner runs it) against its own
// emulator, in modes check, fix (twice) and dry_run. Each file's `expect:` block says, per
// mode, the iam_status output, the (check, status) pairs of the findings output, the granted
// output and whether the step succeeds. Around every run the test snapshots every IAM policy
// in the world (organizations, folders, projects, service accounts, repositories, secrets):
// fix may add exactly the members it reports as granted and nothing else; a second fix
// grants nothing; a dry run changes no policy and no job, and shows each grant it would make
// as a policy diff and as a gcloud command.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from './emulator/server.ts';
import { failureOf } from './helpers/diagnose-e2e.ts';
import { runScenario, withEmulator } from './helpers/e2e-emulator.ts';
import {
  changesOf,
  loadScenarios,
  type ModeExpectation,
  policyChanges,
  type ScenarioFile,
  snapshotPolicies,
  statusesByCheck,
  withRunner,
} from './helpers/iam-world.ts';
import { ensureBuilt, type RunActionResult } from './helpers/run-action.ts';

const scenarios = loadScenarios('test/scenarios/iam');

beforeAll(() => ensureBuilt(), 120_000);

type Grant = ModeExpectation['granted'][number];
type JobJson = { template?: { template?: { containers?: Array<{ image?: string }> } } };
type FindingJson = {
  check: string;
  status: string;
  evidence: string;
  command?: string;
  grant?: Grant;
  plannedChange?: string;
  deployerMayGrant?: boolean;
};

const withWorld = <T>(s: ScenarioFile, body: (emu: Emulator) => Promise<T>): Promise<T> =>
  withEmulator(withRunner(s.world, s.expect), body);

/** Everything a run is judged on, with the output JSON parsed. */
function observed(res: RunActionResult) {
  const findings = JSON.parse(res.outputs.findings ?? '[]') as FindingJson[];
  return {
    iam_status: res.outputs.iam_status,
    findings: statusesByCheck(findings),
    granted: JSON.parse(res.outputs.granted ?? '[]') as Grant[],
    success: res.code === 0,
  };
}

function expectMode(res: RunActionResult, want: ModeExpectation): void {
  // On a mismatch, show what the action said (its log carries every finding's evidence).
  const why = `${res.stdout.slice(-6000)}\n${res.stderr.slice(-2000)}`;
  expect(observed(res), why).toEqual({
    iam_status: want.iam_status,
    findings: want.findings,
    granted: want.granted,
    success: want.success,
  });
  const findings = JSON.parse(res.outputs.findings ?? '[]') as FindingJson[];
  for (const [check, text] of Object.entries(want.evidence ?? {})) {
    expect(findings.find((f) => f.check === check)?.evidence, check).toContain(text);
  }
  for (const [check, text] of Object.entries(want.command ?? {})) {
    expect(findings.find((f) => f.check === check)?.command, check).toBe(text);
  }
  for (const [check, who] of Object.entries(want.who ?? {})) {
    const may = findings.find((f) => f.check === check)?.deployerMayGrant;
    expect(may, `${check}: who acts`).toBe(who === 'deployer');
  }
}

const setPolicyCalls = (emu: Emulator, from = 0) =>
  emu.requestLog.slice(from).filter((r) => r.path.endsWith(':setIamPolicy'));

/** The gcloud command an administrator runs for a grant, up to and including --role. */
function commandFor(g: Grant): string {
  const seg = (key: string) => new RegExp(`${key}/([^/]+)`).exec(g.resource)?.[1] ?? '';
  const who = `--member=${g.member} --role=${g.role}`;
  switch (g.kind) {
    case 'serviceAccount':
      return `gcloud iam service-accounts add-iam-policy-binding ${seg('serviceAccounts')} --project=${seg('projects')} ${who}`;
    case 'repository':
      return `gcloud artifacts repositories add-iam-policy-binding ${seg('repositories')} --location=${seg('locations')} --project=${seg('projects')} ${who}`;
    case 'secret':
      return `gcloud secrets add-iam-policy-binding ${seg('secrets')} --project=${seg('projects')} ${who}`;
    case 'subnetwork':
      return `gcloud compute networks subnets add-iam-policy-binding ${seg('subnetworks')} --region=${seg('regions')} --project=${seg('projects')} ${who}`;
    case 'bucket':
      return `gcloud storage buckets add-iam-policy-binding gs://${seg('buckets')} ${who}`;
    case 'cryptoKey':
      return `gcloud kms keys add-iam-policy-binding ${seg('cryptoKeys')} --keyring=${seg('keyRings')} --location=${seg('locations')} --project=${seg('projects')} ${who}`;
    case 'job':
      return `gcloud run jobs add-iam-policy-binding ${seg('jobs')} --region=${seg('locations')} --project=${seg('projects')} ${who}`;
    default:
      throw new Error(`fix must never grant on a ${g.kind}`);
  }
}

/** Sorted by resource, role, member: the order of the output is not the point. */
const sorted = (grants: readonly Grant[]) =>
  [...grants].sort((a, b) =>
    `${a.resource} ${a.role} ${a.member}`.localeCompare(`${b.resource} ${b.role} ${b.member}`),
  );

it('the library covers at least 12 worlds', () => {
  expect(scenarios.length).toBeGreaterThanOrEqual(12);
});

describe.concurrent.each(scenarios)('$file', (s) => {
  const e = s.expect;

  it('check: reports and, when nothing is missing, deploys', async () => {
    await withWorld(s, async (emu) => {
      const before = snapshotPolicies(emu.world);
      const res = await runScenario(emu, s, { iam: 'check' });
      expectMode(res, e.check);
      // A step that succeeds has deployed the job the inputs describe.
      if (e.check.success) {
        const job = emu.world.jobs[res.outputs.job ?? ''] as JobJson | undefined;
        expect(job, `job ${res.outputs.job} after check`).toBeDefined();
        if (e.inputs.image) expect(job?.template?.template?.containers?.[0]?.image).toBe(e.inputs.image);
      }
      expect(policyChanges(before, snapshotPolicies(emu.world))).toEqual([]);
      expect(setPolicyCalls(emu)).toEqual([]);
    });
  });

  it('fix: adds exactly the granted members, then a second run grants nothing', async () => {
    await withWorld(s, async (emu) => {
      const before = snapshotPolicies(emu.world);
      const res = await runScenario(emu, s, { iam: 'fix' });
      expectMode(res, { ...e.fix, granted: sorted(e.fix.granted) });
      // Only resource-level grants, and the policies differ from before by exactly those members.
      const granted = JSON.parse(res.outputs.granted ?? '[]') as Grant[];
      const afterFirst = snapshotPolicies(emu.world);
      expect(policyChanges(before, afterFirst)).toEqual(changesOf(granted));

      const mark = emu.requestLog.length;
      const again = await runScenario(emu, s, { iam: 'fix' });
      expect(JSON.parse(again.outputs.granted ?? '[]'), again.stdout.slice(-4000)).toEqual([]);
      expect(
        JSON.parse(again.outputs.findings ?? '[]').filter((f: FindingJson) => f.status === 'granted'),
      ).toEqual([]);
      expect(setPolicyCalls(emu, mark)).toEqual([]);
      expect(policyChanges(afterFirst, snapshotPolicies(emu.world))).toEqual([]);
    });
  });

  it('dry_run: changes no policy and no job, shows each grant as a diff and a gcloud command', async () => {
    await withWorld(s, async (emu) => {
      const policies = snapshotPolicies(emu.world);
      const jobs = structuredClone(emu.world.jobs);
      const executions = structuredClone(emu.world.executions);
      const res = await runScenario(emu, s, { iam: 'fix', dry_run: 'true' });
      expectMode(res, e.dry_run);
      // Nothing changed, etags included; no write reached any API.
      expect(snapshotPolicies(emu.world)).toEqual(policies);
      expect(emu.world.jobs).toEqual(jobs);
      expect(emu.world.executions).toEqual(executions);
      const writes = emu.requestLog.filter(
        (r) =>
          r.method !== 'GET' &&
          !/[:/](getIamPolicy|testIamPermissions|generateAccessToken|troubleshoot)$|\/token$/.test(r.path),
      );
      expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([]);

      const planned = e.dry_run.planned ?? e.fix.granted;
      const lines = res.stdout.split('\n');
      for (const g of planned) {
        const command = commandFor(g);
        const at = lines.findIndex((l) => l.startsWith('[dry run] ') && l.includes(command));
        expect(at, `no "[dry run] ${command}" line in:\n${res.stdout}`).toBeGreaterThanOrEqual(0);
        // The diff follows the command: context lines and one added line naming the member.
        const diff: string[] = [];
        for (const l of lines.slice(at + 1)) {
          if (!/^[ +-] /.test(l)) break;
          diff.push(l);
        }
        expect(
          diff.filter((l) => l.startsWith('+ ') && l.includes(g.member)),
          diff.join('\n'),
        ).toHaveLength(1);
        // Nothing is removed (the policy version may go to 3, which keeps conditions intact).
        expect(diff.filter((l) => l.startsWith('- ') && !/^- version: \d$/.test(l))).toEqual([]);
      }
      // Every planned grant is also in the findings output, with its diff.
      const findings = JSON.parse(res.outputs.findings ?? '[]') as FindingJson[];
      const withPlan = findings.filter((f) => f.plannedChange);
      expect(sorted(withPlan.map((f) => f.grant as Grant))).toEqual(sorted(planned));
    });
  });
});

describe('the 403 downloadArtifacts case without the preflight', () => {
  const s = scenarios.find((x) => x.file.startsWith('06-'));
  it.runIf(s)("iam off: Cloud Run fails the deploy on the service agent's image pull", async () => {
    if (!s) return;
    await withWorld(s, async (emu) => {
      const res = await runScenario(emu, s, { iam: 'off' });
      expect(res.code).toBe(1);
      expect(failureOf(res.stdout).text).toMatch(/artifactregistry\.repositories\.downloadArtifacts/);
      expect(res.outputs.iam_status).toBe('');
    });
  });
});

describe("the service agent's own role without the preflight", () => {
  const s = scenarios.find((x) => x.file.startsWith('37-'));
  it.runIf(s)(
    'iam off: the token failure for a same-project account is diagnosed as agent-role, with the project command and no TokenCreator or org-policy advice',
    async () => {
      if (!s) return;
      await withWorld(s, async (emu) => {
        const res = await runScenario(emu, s, { iam: 'off' });
        expect(res.code).toBe(1);
        const findings = JSON.parse(res.outputs.findings ?? '[]') as Array<
          FindingJson & { command?: string; remedy?: string }
        >;
        const failed = findings.find((f) => f.status === 'failed');
        expect(failed?.check, res.stdout.slice(-3000)).toBe('agent-role');
        expect(failed?.command).toBe(
          'gcloud projects add-iam-policy-binding app-proj --member=serviceAccount:service-111111111111@serverless-robot-prod.iam.gserviceaccount.com --role=roles/run.serviceAgent --condition=None',
        );
        expect(`${failed?.remedy} ${failed?.command}`).not.toMatch(
          /TokenCreator|disableCrossProjectServiceAccountUsage/,
        );
        expect(failed?.grant).toBeUndefined();
      });
    },
  );
});

describe('an org policy refusal without the preflight', () => {
  const s = scenarios.find((x) => x.file.startsWith('46-'));
  it.runIf(s)(
    'iam off: Cloud Run refuses the create (FAILED_PRECONDITION with a PreconditionFailure) and no job is written',
    async () => {
      if (!s) return;
      await withWorld(s, async (emu) => {
        const res = await runScenario(emu, s, { iam: 'off' });
        expect(res.code).toBe(1);
        expect(emu.world.jobs).toEqual({});
        const refused = emu.requestLog.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs'));
        expect(refused.length).toBeGreaterThanOrEqual(1);
        // Google's refusal as the emulator serves it.
        expect(res.stdout).toMatch(/FAILED_PRECONDITION \(HTTP 400\): Precondition check failed\./);
        // Diagnosed from the PreconditionFailure's structure, not left unclassified: the finding
        // names the inherited constraint and the setting it refuses.
        const findings = JSON.parse(res.outputs.findings ?? '[]') as Array<
          FindingJson & { title?: string; remedy?: string; resource?: string }
        >;
        const failed = findings.find((f) => f.status === 'failed');
        expect(failed?.check, res.stdout.slice(-3000)).toBe('orgpolicy-constraint');
        expect(failed?.title).toMatch(/run\.allowedVPCEgress/);
        expect(failed?.remedy).toMatch(/PreconditionFailure names constraints\/run\.allowedVPCEgress/);
        expect(failed?.resource).toBe('projects/app-proj/policies/run.allowedVPCEgress');
        expect(failed?.grant).toBeUndefined();
        expect(failureOf(res.stdout).text).not.toMatch(/Unclassified failure/);
      });
    },
  );
});

describe("the preflight's caveat in the report", () => {
  const s = scenarios.find((x) => x.file.startsWith('52-'));
  it.runIf(s)(
    'check: the deny policies the deployer cannot read are said once, as a NOTE in the job summary',
    async () => {
      if (!s) return;
      await withWorld(s, async (emu) => {
        const res = await runScenario(emu, s, { iam: 'check' });
        expect(res.code, res.stdout.slice(-3000)).toBe(0);
        // The deployer reads neither deny policies nor org policies here: two caveats, one NOTE.
        const note = /> \[!NOTE\]\n> \*\*2 caveats of the IAM checks:\*\*[^\n]*\n((?:> - [^\n]*\n?)+)/.exec(
          res.summary,
        );
        const items = (note?.[1] ?? '').trim().split('\n');
        expect(items, res.summary.slice(0, 3000)).toHaveLength(2);
        expect(
          items.filter((l) => /^> - Some deny policies could not be read .*iam\.denypolicies\.list/.test(l)),
        ).toHaveLength(1);
        expect(
          items.filter((l) => /^> - The organization's policies on project `?app-proj/.test(l)),
        ).toHaveLength(1);
        expect(res.summary.split('[!NOTE]')).toHaveLength(2);
      });
    },
  );
});

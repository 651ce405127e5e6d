// End to end on a pull_request event: the sticky comment is created once, updated in place
// after the world is fixed (same id, no duplicate) and then says the gaps are closed; and text
// an attacker controls (a job.yaml value echoed by an API message, an env value, the job name)
// reaches the log, the annotations, the summary and the comment neutralised.
import { beforeAll, describe, expect, it } from 'vitest';
import { commandLines } from '../src/iam/commands.ts';
import {
  commands,
  DEPLOYER,
  demo,
  findingsOf,
  JOB_YAML,
  jobYaml,
  lineOf,
  metadataStepInputs,
  pullRequestEvent,
  RUNTIME,
  revoke,
  sa,
  stepInputs,
  WORKFLOW,
  workflowEnv,
  workflowFile,
} from './helpers/diagnose-e2e.ts';
import { withEmulator } from './helpers/e2e-emulator.ts';
import { ensureBuilt, runAction } from './helpers/run-action.ts';

beforeAll(() => ensureBuilt(), 120_000);

const TOKEN = 'ghs_demo_write_token';
const MARKER = '<!-- cloud-run-job-iam -->';
const pullRequest = pullRequestEvent();

describe.concurrent('pull-request comment and neutralised text', () => {
  it('creates one sticky comment, then updates it in place once the gap is closed', async () => {
    const world = demo();
    revoke(sa(world, RUNTIME).policy, 'roles/iam.serviceAccountUser', `serviceAccount:${DEPLOYER}`);
    await withEmulator(world, async (emu) => {
      const inputs = stepInputs({ iam: 'check', github_token: TOKEN });
      const run = () =>
        runAction({
          emulator: emu,
          inputs,
          files: { [WORKFLOW]: workflowFile(inputs) },
          env: workflowEnv(),
          event: pullRequest,
        });
      const comments = () => emu.world.github.comments[7] ?? [];
      const githubWrites = () =>
        emu.requestLog.filter((r) => r.path.startsWith('/_github/api/') && r.method !== 'GET');

      const first = await run();
      expect(first.code, first.stdout).toBe(1);
      expect(first.stdout).toContain('Pull-request comment created on #7.');
      expect(comments()).toHaveLength(1);
      const created = comments()[0];
      const body1 = created?.body ?? '';
      expect(body1.startsWith(MARKER)).toBe(true);
      expect(body1).toContain('> **1 binding the job needs is missing, so nothing was deployed.**');
      const row = body1.split('\n').find((l) => l.endsWith('| `deployer-actas` |'));
      expect(row).toMatch(/^\| ❌ missing \|/);
      const finding = findingsOf(first.outputs).find((f) => f.check === 'deployer-actas');
      expect(finding?.command).toBeDefined();
      expect(body1).toContain(`\`\`\`sh\n${commandLines(finding?.command ?? '')}\n\`\`\``);
      expect(body1).toContain(`\`${WORKFLOW}:${lineOf(workflowFile(inputs), 'service_account:')}\``);

      // An administrator runs the remedy: the binding is added through the emulator's IAM API.
      const url = `${emu.url}/v1/projects/demo-app/serviceAccounts/${RUNTIME}`;
      const headers = { authorization: 'Bearer admin-token', 'content-type': 'application/json' };
      const policy = (await (await fetch(`${url}:getIamPolicy`, { method: 'POST', headers })).json()) as {
        etag: string;
        bindings?: Array<{ role: string; members: string[] }>;
      };
      policy.bindings = [
        ...(policy.bindings ?? []),
        { role: 'roles/iam.serviceAccountUser', members: [`serviceAccount:${DEPLOYER}`] },
      ];
      const set = await fetch(`${url}:setIamPolicy`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ policy }),
      });
      expect(set.status).toBe(200);

      const second = await run();
      expect(second.code, second.stdout).toBe(0);
      // The service agent's image access stays unprovable for this deployer (it may not read
      // the image project's policies), and a second principal check stays unverified as the
      // deployer may not read deny policies: two to review, not gaps.
      expect(second.outputs.iam_status).toBe('unverified');
      expect(second.stdout).toContain('Pull-request comment updated on #7.');
      expect(comments()).toHaveLength(1);
      expect(comments()[0]?.id).toBe(created?.id);
      const body2 = comments()[0]?.body ?? '';
      expect(body2.startsWith(MARKER)).toBe(true);
      expect(body2).toContain('> [!WARNING]\n> **2 requirements could not be proven.**');
      expect(body2).toContain('Closed on this pull request: `deployer-actas`.');
      expect(body2).toMatch(/^\| ✅ ok \| .*\| `deployer-actas` \|$/m);
      expect(body2).not.toContain('❌');
      expect(githubWrites().map((r) => `${r.method} ${r.status}`)).toEqual(['POST 201', 'PATCH 200']);
    });
  });

  const EVIL =
    'x\n::error::pwned %0A @octocat <img src=x onerror=alert(1)> [click](javascript:alert(1)) **b** | c';

  /** Markdown with fenced blocks and code spans removed: what GitHub would render as text. */
  const rendered = (markdown: string) =>
    markdown.replace(/(`{3,})[^\n]*\n[\s\S]*?\n\1/g, '').replace(/(`+)[^`]*?\1/g, '');

  function expectNeutralised(stdout: string, summary: string, comment: string) {
    // No line of the log is a command the payload started; the payload's %0A stays literal.
    expect(stdout.split('\n').filter((l) => /^\s*::error::pwned/.test(l))).toEqual([]);
    for (const c of commands(stdout).filter((a) => a.properties.title)) {
      for (const line of c.message.split('\n').slice(1)) expect(line).not.toMatch(/^\s*::/);
    }
    for (const md of [summary, comment]) {
      expect(md).toContain('pwned'); // the text is shown...
      const text = rendered(md);
      expect(text).not.toMatch(/<img|<script|javascript:|\]\(javascript/i); // ...but inert
      expect(text).not.toMatch(/(^|[^\w])@octocat/);
      expect(text).not.toMatch(/^\s*::error::/m);
    }
  }

  it('a hostile job.yaml secret version (and env value) is refused before any call, neutralised everywhere', async () => {
    await withEmulator(demo(), async (emu) => {
      const inputs = metadataStepInputs(JOB_YAML, { github_token: TOKEN });
      // The secret version is a name the file sets: validated like the inputs, it never reaches Cloud Run.
      const manifest = jobYaml({ secretVersion: 'KEY' })
        .replace("key: 'KEY'", `key: ${JSON.stringify(EVIL)}`)
        .replace(
          '            env:\n',
          `            env:\n            - name: NOTE\n              value: ${JSON.stringify(EVIL)}\n`,
        );
      const res = await runAction({
        emulator: emu,
        inputs,
        files: { [WORKFLOW]: workflowFile(inputs), [JOB_YAML]: manifest },
        env: workflowEnv(),
        event: pullRequest,
      });
      expect(res.code, res.stdout).toBe(1);
      expect(findingsOf(res.outputs).map((f) => f.check)).toEqual(['invalid-input']);
      expect(res.stdout).toContain('its version must be a secret version');
      const comment = emu.world.github.comments[7]?.[0]?.body ?? '';
      expectNeutralised(res.stdout, res.summary, comment);
      expect(emu.requestLog.filter((r) => !r.path.startsWith('/_github/'))).toEqual([]);
    });
  });

  it('a job name from job.yaml is neutralised in the input error', async () => {
    await withEmulator(demo(), async (emu) => {
      const inputs = metadataStepInputs(JOB_YAML, { github_token: TOKEN });
      const manifest = jobYaml().replace('name: nightly-report', `name: ${JSON.stringify(EVIL)}`);
      const res = await runAction({
        emulator: emu,
        inputs,
        files: { [WORKFLOW]: workflowFile(inputs), [JOB_YAML]: manifest },
        env: workflowEnv(),
        event: pullRequest,
      });
      expect(res.code, res.stdout).toBe(1);
      expect(findingsOf(res.outputs).map((f) => f.check)).toEqual(['invalid-input']);
      const comment = emu.world.github.comments[7]?.[0]?.body ?? '';
      expectNeutralised(res.stdout, res.summary, comment);
      // Nothing reached Google: the name was refused before any call.
      expect(emu.requestLog.filter((r) => !r.path.startsWith('/_github/'))).toEqual([]);
    });
  });
});

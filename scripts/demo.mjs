// `npm run demo`: starts the emulator on a world with two IAM gaps and runs the bundled
// action twice on pull request #7, the way the GitHub runner does: first `iam: check`
// (the step fails with annotations on the workflow lines, a summary and a PR comment), then
// `iam: fix` (the gaps are granted at the narrowest scope, the job is deployed and run, and
// the same PR comment is updated). It prints what a user would see on GitHub.
import { startEmulator } from '../test/emulator/server.ts';
import { ensureBuilt, runAction } from '../test/helpers/run-action.ts';

const WORKFLOW = `name: deploy
on: pull_request
permissions:
  contents: read
  id-token: write
  pull-requests: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: acme/cloud-run-job-deploy@v1
        with:
          workload_identity_provider: projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-actions
          impersonate_service_account: deployer@demo-app.iam.gserviceaccount.com
          project_id: demo-app
          region: us-central1
          job: nightly-report
          image: us-central1-docker.pkg.dev/demo-images/containers/payments/nightly-report:v1.4.2
          service_account: runtime@demo-app.iam.gserviceaccount.com
          secrets: DB_PASSWORD=db-password:2
          execute: true
          iam: \${{ vars.IAM_MODE }}
`;

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const rule = (title) => console.log(`\n${bold(`━━ ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}`)}`);

/** Show the step log as the Actions UI does: workflow commands become readable lines. */
function showLog(stdout) {
  for (const line of stdout.split('\n')) {
    const cmd = /^::(error|warning|notice)( [^:]*)?::(.*)$/.exec(line);
    if (cmd) {
      const props = Object.fromEntries(
        (cmd[2] ?? '')
          .trim()
          .split(',')
          .filter(Boolean)
          .map((p) => p.split('=').map(decodeURIComponent)),
      );
      const where = props.file ? ` (${props.file}:${props.line})` : '';
      console.log(
        `  ${cmd[1].toUpperCase()}${where} ${props.title ?? ''}: ${decodeURIComponent(cmd[3]).replace(/\n/g, '\n    ')}`,
      );
    } else if (line.startsWith('::add-mask::') || line.startsWith('::debug::')) {
      // masks and debug lines are invisible in the Actions UI
    } else if (line.trim()) console.log(`  ${line}`);
  }
}

async function step(emulator, title, iam) {
  rule(title);
  const result = await runAction({
    emulator,
    inputs: {
      workload_identity_provider:
        'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-actions',
      impersonate_service_account: 'deployer@demo-app.iam.gserviceaccount.com',
      project_id: 'demo-app',
      region: 'us-central1',
      job: 'nightly-report',
      image: 'us-central1-docker.pkg.dev/demo-images/containers/payments/nightly-report:v1.4.2',
      service_account: 'runtime@demo-app.iam.gserviceaccount.com',
      secrets: 'DB_PASSWORD=db-password:2',
      execute: 'true',
      iam,
      github_token: 'ghs_demo_write_token',
    },
    files: { '.github/workflows/deploy.yml': WORKFLOW },
    event: {
      name: 'pull_request',
      payload: {
        number: 7,
        pull_request: {
          number: 7,
          head: { ref: 'nightly-report', repo: { full_name: 'acme/payments' } },
          base: { ref: 'main', repo: { full_name: 'acme/payments' } },
        },
        repository: { full_name: 'acme/payments' },
      },
    },
    // What the runner sets for this step: which workflow, which step, which action.
    env: {
      GITHUB_WORKFLOW_REF: 'acme/payments/.github/workflows/deploy.yml@refs/pull/7/merge',
      GITHUB_ACTION: '__acme_cloud-run-job-deploy',
      GITHUB_ACTION_REPOSITORY: 'acme/cloud-run-job-deploy',
    },
  });
  console.log(bold('Step log'));
  showLog(result.stdout);
  console.log(bold(`\nStep ${result.code === 0 ? 'succeeded' : `failed (exit ${result.code})`}. Outputs:`));
  for (const [k, v] of Object.entries(result.outputs))
    console.log(`  ${k} = ${v.length > 160 ? `${v.slice(0, 160)}…` : v}`);
  console.log(bold('\nJob summary (Markdown)'));
  console.log(result.summary.replace(/^/gm, '  '));
  const comments = emulator.world.github.comments[7] ?? [];
  console.log(
    bold(`\nPull request #7 has ${comments.length} comment(s) from the action; the sticky one reads:`),
  );
  console.log((comments.at(-1)?.body ?? '(none)').replace(/^/gm, '  │ '));
  return result;
}

ensureBuilt();
const emulator = await startEmulator({ scenario: new URL('./demo/world.yaml', import.meta.url).pathname });
console.log(`Emulator (Google Cloud + GitHub) listening on ${emulator.url}`);
try {
  const check = await step(emulator, 'Run 1 — iam: check (what is missing?)', 'check');
  const fix = await step(emulator, 'Run 2 — iam: fix (grant, deploy, execute)', 'fix');
  rule('Result');
  console.log(
    `  run 1 exit ${check.code}, run 2 exit ${fix.code}; ${emulator.requestLog.length} API requests served`,
  );
  if (fix.code !== 0) process.exitCode = 1;
} finally {
  await emulator.stop();
}

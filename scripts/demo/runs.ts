// The demo's step, as the GitHub runner runs it on pull request #7 of acme/payments: the
// workflow file, the inputs, the event and the runner's variables. `npm run demo` and the report
// tests (test/report-gfm.test.ts) run exactly this.
import { fileURLToPath } from 'node:url';
import type { Emulator } from '../../test/emulator/server.ts';
import { type RunActionResult, runAction } from '../../test/helpers/run-action.ts';

/** The world the demo starts the emulator on. */
export const DEMO_WORLD = fileURLToPath(new URL('./world.yaml', import.meta.url));

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

/** Run the bundled action once with `iam` (check | fix); resolves to the runner's view of it. */
export function demoRun(emulator: Emulator, iam: string): Promise<RunActionResult> {
  return runAction({
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
}

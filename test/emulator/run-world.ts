// The scenario the Cloud Run emulator tests share: a job project, an image project, a deployer,
// runtime accounts in both projects, repositories with images, and a secret.
export const APP = { id: 'app-proj', number: '111111111111' };
export const IMG = { id: 'img-proj', number: '222222222222' };
export const REGION = 'us-central1';
export const DEPLOYER = `deployer@${APP.id}.iam.gserviceaccount.com`;
export const RUNNER = `runner@${APP.id}.iam.gserviceaccount.com`;
/** A runtime account the deployer may not act as. */
export const STRANGER = `stranger@${APP.id}.iam.gserviceaccount.com`;
/** A runtime account in the image project (cross-project usage). */
export const FOREIGN_SA = `worker@${IMG.id}.iam.gserviceaccount.com`;
export const EXECUTOR = `executor@${APP.id}.iam.gserviceaccount.com`;
export const OUTSIDER = `outsider@${APP.id}.iam.gserviceaccount.com`;
export const AGENT = `service-${APP.number}@serverless-robot-prod.iam.gserviceaccount.com`;

export const IMAGE = `${REGION}-docker.pkg.dev/${APP.id}/apps/job:v1`;
export const FAILING_IMAGE = `${REGION}-docker.pkg.dev/${APP.id}/apps/failing`;
export const MISSING_IMAGE = `${REGION}-docker.pkg.dev/${APP.id}/apps/nothing:latest`;
/** In another project; the deployer may read it, the service agent may not. */
export const FOREIGN_IMAGE = `${REGION}-docker.pkg.dev/${IMG.id}/shared/tool:latest`;
/** A repository the deployer cannot read. */
export const PRIVATE_IMAGE = `${REGION}-docker.pkg.dev/${APP.id}/private/secret-tool:latest`;

const sa = (email: string) => `serviceAccount:${email}`;

export function runWorld(): Record<string, unknown> {
  return {
    projects: [
      {
        ...APP,
        policy: {
          bindings: [
            { role: 'roles/run.developer', members: [sa(DEPLOYER)] },
            { role: 'roles/run.jobsExecutor', members: [sa(EXECUTOR)] },
          ],
        },
      },
      { ...IMG, policy: { bindings: [] } },
    ],
    serviceAccounts: [
      { email: DEPLOYER },
      {
        email: RUNNER,
        policy: { bindings: [{ role: 'roles/iam.serviceAccountUser', members: [sa(DEPLOYER)] }] },
      },
      { email: STRANGER },
      { email: EXECUTOR },
      { email: OUTSIDER },
      {
        email: FOREIGN_SA,
        policy: { bindings: [{ role: 'roles/iam.serviceAccountUser', members: [sa(DEPLOYER)] }] },
      },
    ],
    repositories: [
      {
        name: `projects/${APP.id}/locations/${REGION}/repositories/apps`,
        policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [sa(DEPLOYER)] }] },
        images: { job: ['latest', 'v1'], failing: ['latest'] },
      },
      {
        name: `projects/${APP.id}/locations/${REGION}/repositories/private`,
        policy: { bindings: [] },
        images: { 'secret-tool': ['latest'] },
      },
      {
        name: `projects/${IMG.id}/locations/${REGION}/repositories/shared`,
        policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [sa(DEPLOYER)] }] },
        images: { tool: ['latest'] },
      },
    ],
    secrets: [
      {
        name: `projects/${APP.id}/secrets/db-pass`,
        versions: ['1', '2'],
        policy: { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [sa(RUNNER)] }] },
      },
    ],
    imageExitCodes: { [FAILING_IMAGE]: 3 },
    github: {
      repository: 'octo-org/octo-repo',
      pullRequests: [{ number: 7 }, { number: 8, fork: true }],
      tokens: { ghs_write: 'write', ghs_read: 'read' },
    },
  };
}

/** A v2 Job body with one container. */
export function v2Job(
  image: string,
  extra: { serviceAccount?: string; env?: unknown[]; labels?: Record<string, string> } = {},
) {
  const task: Record<string, unknown> = { containers: [{ image, ...(extra.env ? { env: extra.env } : {}) }] };
  if (extra.serviceAccount) task.serviceAccount = extra.serviceAccount;
  return { ...(extra.labels ? { labels: extra.labels } : {}), template: { template: task } };
}

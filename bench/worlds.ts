// The worlds the benchmark deploys into, as emulator scenario objects (test/emulator/SCENARIO.md).
// Both are worlds a careful team would have: workload identity federation for the GitHub
// repository, a deployer service account the workflow impersonates, a dedicated runtime
// service account, an Artifact Registry image and one secret.

export const REPOSITORY = 'octo-org/octo-repo';
export const REGION = 'us-central1';
export const APP = { id: 'bench-app', number: '210987654321' } as const;
export const SHARED = { id: 'bench-shared', number: '310987654321' } as const;
export const POOL = 'github';
export const PROVIDER = `projects/${APP.number}/locations/global/workloadIdentityPools/${POOL}/providers/github`;
export const DEPLOYER = `deployer@${APP.id}.iam.gserviceaccount.com`;
export const SERVICE_AGENT = `service-${APP.number}@serverless-robot-prod.iam.gserviceaccount.com`;
export const SECRET = 'db-password';

const repoMembers = `principalSet://iam.googleapis.com/projects/${APP.number}/locations/global/workloadIdentityPools/${POOL}/attribute.repository/${REPOSITORY}`;
const deployer = `serviceAccount:${DEPLOYER}`;

export interface BenchWorld {
  scenario: Record<string, unknown>;
  runtimeServiceAccount: string;
  image: string;
}

function base(): Record<string, unknown> {
  return {
    github: { repository: REPOSITORY },
    providers: [
      {
        name: PROVIDER,
        attributeMapping: {
          'google.subject': 'assertion.sub',
          'attribute.repository': 'assertion.repository',
        },
        attributeCondition: `assertion.repository == '${REPOSITORY}'`,
      },
    ],
  };
}

const deployerAccount = {
  email: DEPLOYER,
  policy: { bindings: [{ role: 'roles/iam.workloadIdentityUser', members: [repoMembers] }] },
};

/** Everything in one project and every binding in place: check passes, the deploy goes through. */
export function sameProjectWorld(): BenchWorld {
  const runtime = `runner@${APP.id}.iam.gserviceaccount.com`;
  return {
    runtimeServiceAccount: runtime,
    image: `${REGION}-docker.pkg.dev/${APP.id}/apps/api:v1`,
    scenario: {
      ...base(),
      projects: [
        {
          id: APP.id,
          number: APP.number,
          policy: {
            bindings: [
              { role: 'roles/run.developer', members: [deployer] },
              { role: 'roles/viewer', members: [deployer] },
            ],
          },
        },
      ],
      serviceAccounts: [
        deployerAccount,
        {
          email: runtime,
          policy: { bindings: [{ role: 'roles/iam.serviceAccountUser', members: [deployer] }] },
        },
      ],
      repositories: [
        {
          name: `projects/${APP.id}/locations/${REGION}/repositories/apps`,
          images: { api: ['v1', 'v2'] },
          policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [deployer] }] },
        },
      ],
      secrets: [
        {
          name: `projects/${APP.id}/secrets/${SECRET}`,
          policy: {
            bindings: [
              { role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${runtime}`] },
            ],
          },
        },
      ],
    },
  };
}

/**
 * The job runs in bench-app as a service account of bench-shared, from an image in
 * bench-shared's registry. bench-app's Cloud Run service agent holds neither TokenCreator on
 * the account nor reader on the repository: mode `fix` must grant both, on the account and
 * the repository themselves. The org policy allows cross-project service accounts.
 */
export function crossProjectWorld(): BenchWorld {
  const runtime = `runner@${SHARED.id}.iam.gserviceaccount.com`;
  return {
    runtimeServiceAccount: runtime,
    image: `${REGION}-docker.pkg.dev/${SHARED.id}/images/api:v1`,
    scenario: {
      ...base(),
      projects: [
        {
          id: APP.id,
          number: APP.number,
          policy: {
            bindings: [
              { role: 'roles/run.developer', members: [deployer] },
              { role: 'roles/viewer', members: [deployer] },
            ],
          },
        },
        {
          id: SHARED.id,
          number: SHARED.number,
          orgPolicies: { 'iam.disableCrossProjectServiceAccountUsage': false },
          policy: {
            bindings: [
              { role: 'roles/viewer', members: [deployer] },
              { role: 'roles/orgpolicy.policyViewer', members: [deployer] },
            ],
          },
        },
      ],
      serviceAccounts: [
        deployerAccount,
        {
          email: runtime,
          policy: {
            bindings: [
              { role: 'roles/iam.serviceAccountUser', members: [deployer] },
              { role: 'roles/iam.serviceAccountAdmin', members: [deployer] },
            ],
          },
        },
      ],
      repositories: [
        {
          name: `projects/${SHARED.id}/locations/${REGION}/repositories/images`,
          images: { api: ['v1'] },
          policy: {
            bindings: [
              { role: 'roles/artifactregistry.reader', members: [deployer] },
              { role: 'roles/artifactregistry.admin', members: [deployer] },
            ],
          },
        },
      ],
      secrets: [
        {
          name: `projects/${APP.id}/secrets/${SECRET}`,
          policy: {
            bindings: [
              { role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${runtime}`] },
            ],
          },
        },
      ],
    },
  };
}

/** Secrets of the wide job beside SECRET: it reads ten in all (seven env vars, three volumes). */
export const WIDE_SECRETS = Array.from({ length: 9 }, (_, i) => `${SECRET}-${i + 1}`);

/**
 * The same-project world with ten secrets the runtime account may read, for a job whose
 * checks grow with it (ten secrets, three secret volumes, a Cloud SQL instance).
 */
export function wideWorld(): BenchWorld {
  const world = sameProjectWorld();
  const secrets = world.scenario.secrets as { name: string; policy: unknown }[];
  const first = secrets[0];
  for (const id of WIDE_SECRETS)
    secrets.push({ name: `projects/${APP.id}/secrets/${id}`, policy: structuredClone(first?.policy) });
  // The Cloud SQL instance, its API, and the runtime account's client role on its project.
  const [project] = world.scenario.projects as {
    enableServices?: string[];
    policy: { bindings: unknown[] };
  }[];
  if (project) {
    project.enableServices = ['sqladmin.googleapis.com'];
    project.policy.bindings.push({
      role: 'roles/cloudsql.client',
      members: [`serviceAccount:${world.runtimeServiceAccount}`],
    });
  }
  world.scenario.sqlInstances = [{ name: `projects/${APP.id}/instances/db`, region: REGION }];
  return world;
}

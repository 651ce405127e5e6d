// What Cloud Run verifies when a job is deployed or executed, and how each failure surfaces.
//
// Where each failure surfaces mirrors the real service as closely as public evidence shows:
// - Synchronous 4xx on the create/update request (the caller's own rights, checked up front):
//   `run.jobs.*` on the project, `iam.serviceAccounts.actAs` on the runtime service account
//   (also when the account does not exist: same "or it may not exist" message), the deployer's
//   read access to an Artifact Registry image (checked since January 2025; Cloud Run words it
//   "User must have permission to read the image, IMAGE. ..." and names no permission), the
//   org policy iam.disableCrossProjectServiceAccountUsage on a runtime account from another
//   project (400 FAILED_PRECONDITION with a PreconditionFailure naming the constraint), and the
//   service agent's getAccessToken on the runtime account (403 "Google Cloud Run Service Agent
//   does not have permission to get access tokens for the service account X. Please give ...":
//   held through roles/run.serviceAgent in the job's project, a TokenCreator grant elsewhere).
//   None of these leaves a job behind.
// - Long-running operation error + job terminalCondition CONDITION_FAILED (found while the
//   service reconciles the job, by the Cloud Run service agent acting for it): the agent
//   cannot read the image (reference 002), the image does not exist, the runtime account is
//   disabled, a referenced secret is missing or unreadable by the runtime account.
// - The same second group is re-checked when an execution starts (the world may have changed
//   since the deploy); a failure then fails the execution's ResourcesAvailable/Completed conditions.
import { type Caller, type Ctx, HttpError } from './contract.ts';
import { type ImageLocation, imageDigest, parseImageUrl } from './images.ts';
import { checkJobOrgPolicies } from './orgpolicy-enforce.ts';
import { booleanEnforced } from './orgpolicy-state.ts';
import { connectedFailure } from './run-connected.ts';

const CROSS_PROJECT = 'iam.disableCrossProjectServiceAccountUsage';

import type { JobRef, Json } from './run-model.ts';
import { asArray, asJson, defaultComputeSa, serviceAgentOf, str } from './run-model.ts';
import { gpuQuotaFailure } from './run-quota.ts';
import { apiOffIn } from './services.ts';
import { findRepository, findSecret, findServiceAccount, projectOfEmail } from './world-index.ts';

/** A failure found while reconciling: the operation error and the condition it leaves. */
export interface Failure {
  /** gRPC code for the operation error. */
  code: number;
  message: string;
  /** v2 Condition.reason enum value, when one fits. */
  reason?: string;
}

export interface ImageParts extends ImageLocation {
  url: string;
}

/** Artifact Registry (and gcr.io-on-AR) image URL -> its repository; undefined for other registries. */
export function parseImage(url: string): ImageParts | undefined {
  const loc = parseImageUrl(url);
  return loc ? { ...loc, url } : undefined;
}

/** The image URL without tag or digest: the key of world.imageExitCodes. */
export function imageKey(url: string): string {
  const noDigest = url.split('@')[0] ?? url;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

export function repositoryName(img: ImageParts): string {
  return `projects/${img.project}/locations/${img.location}/repositories/${img.repository}`;
}

export function jobImages(job: Json): string[] {
  const task = asJson(asJson(job.template).template);
  return asArray(task.containers)
    .map((c) => str(c.image))
    .filter((i): i is string => !!i);
}

export function runtimeAccount(ref: JobRef, job: Json): string {
  const task = asJson(asJson(job.template).template);
  return str(task.serviceAccount) ?? defaultComputeSa(ref.project, ref.projectId);
}

const saResource = (ctx: Ctx, email: string) =>
  `projects/${projectOfEmail(ctx.world, email) ?? '-'}/serviceAccounts/${email}`;

function actAsDenied(email: string, legacy: boolean): HttpError {
  return new HttpError(
    403,
    'PERMISSION_DENIED',
    `Permission 'iam.serviceaccounts.actAs' denied on service account ${email} (or it may not exist).`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'iam.googleapis.com',
        metadata: {
          permission: 'iam.serviceAccounts.actAs',
          resource: `projects/-/serviceAccounts/${email}`,
        },
      },
    ],
    legacy,
  );
}

/** The caller's own checks, answered synchronously on create/update. Throws HttpError. */
export function checkDeployer(ctx: Ctx, ref: JobRef, job: Json, legacy = false): void {
  const email = runtimeAccount(ref, job);
  const sa = findServiceAccount(ctx.world, email);
  if (!sa || !ctx.can('iam.serviceAccounts.actAs', saResource(ctx, sa.email)))
    throw actAsDenied(email, legacy);
  checkJobOrgPolicies(ctx, ref, job, legacy);

  if (ref.project && sa.project !== ref.project.id) {
    const saProject = ctx.world.projects.find((p) => p.id === sa.project);
    if (saProject && booleanEnforced(ctx.world, `projects/${saProject.id}`, CROSS_PROJECT)) {
      throw new HttpError(
        400,
        'FAILED_PRECONDITION',
        `Service account ${email} belongs to project ${sa.project}, where the organization policy constraint ` +
          `constraints/iam.disableCrossProjectServiceAccountUsage is enforced, so it cannot be attached to a job in project ${ref.projectId}.`,
        [
          {
            '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
            violations: [
              {
                type: 'constraints/iam.disableCrossProjectServiceAccountUsage',
                subject: `projects/${sa.project}`,
                description:
                  'Cross-project service account usage is disabled in the service account project.',
              },
            ],
          },
        ],
        legacy,
      );
    }
  }

  for (const url of jobImages(job)) {
    const img = parseImage(url);
    if (!img) continue;
    if (!ctx.can('artifactregistry.repositories.downloadArtifacts', repositoryName(img)))
      throw deployerCannotReadImage(img, ref, legacy);
  }

  const agent = serviceAgentOf(ref.project, ref.projectId);
  if (!ctx.can('iam.serviceAccounts.getAccessToken', saResource(ctx, sa.email), agent))
    throw new HttpError(403, 'PERMISSION_DENIED', agentTokenMessage(agent, sa.email), [], legacy);
}

/** The deployer's own image check, in Cloud Run's words: "User", the image, no permission name. */
function deployerCannotReadImage(img: ImageParts, ref: JobRef, legacy: boolean): HttpError {
  const other =
    img.project !== ref.projectId
      ? ` Note that the image is from project [${img.project}], which is not the same as this project [${ref.projectId}]. ` +
        'Permission must be granted to the User from this project. See https://cloud.google.com/run/docs/deploying#other-projects'
      : '';
  return new HttpError(
    403,
    'PERMISSION_DENIED',
    `User must have permission to read the image, ${img.url}. Ensure that the provided container image URL is correct ` +
      'and that the above account has permission to access the image. If you just enabled the Cloud Run API, ' +
      `the permissions might take a few minutes to propagate.${other}`,
    [],
    legacy,
  );
}

/** Cloud Run's words when its service agent cannot mint tokens for the runtime account. */
export function agentTokenMessage(agent: Caller, email: string): string {
  return (
    `Google Cloud Run Service Agent does not have permission to get access tokens for the service account ${email}. ` +
    `Please give ${agent.email} permission iam.serviceAccounts.getAccessToken on the service account. ` +
    'Alternatively, if the service account is unspecified or in the same project you are deploying in, ensure that ' +
    'the Service Agent is assigned the Google Cloud Run Service Agent role roles/run.serviceAgent.'
  );
}

function imageExists(ctx: Ctx, img: ImageParts): boolean {
  const repo = findRepository(ctx.world, img.project, img.location, img.repository);
  const tags = repo?.images[img.path];
  if (!tags) return false;
  if (img.digest) return repo !== undefined && img.digest === imageDigest(repo.name, img.path);
  return tags.includes(img.tag ?? 'latest');
}

/** `disabled`: the registry refused because Artifact Registry is off in the image's project. */
function agentCannotReadImage(agent: Caller, img: ImageParts, ref: JobRef, disabled?: string): Failure {
  const host = img.repository.endsWith('gcr.io') ? img.repository : `${img.location}-docker.pkg.dev`;
  const manifest = `https://${host}/v2/${img.project}/${img.repository.endsWith('gcr.io') ? '' : `${img.repository}/`}${img.path}/manifests/${img.digest ?? img.tag ?? 'latest'}`;
  const other =
    img.project !== ref.projectId
      ? ` Note that the image is from project [${img.project}], which is not the same as this project [${ref.projectId}]. ` +
        `Permission must be granted to the Google Cloud Run Service Agent ${agent.email} from this project.` +
        ' See https://cloud.google.com/run/docs/deploying#other-projects'
      : '';
  return {
    code: 7,
    reason: 'CONTAINER_PERMISSION_DENIED',
    message:
      `Google Cloud Run Service Agent ${agent.email} must have permission to read the image, ${imageKey(img.url)}. ` +
      'Ensure that the provided container image URL is correct and that the above account has permission to access the image. ' +
      'If you just enabled the Cloud Run API, the permissions might take a few minutes to propagate.' +
      `${other} Cause: 403 Forbidden GET ${manifest} ` +
      `{"errors":[{"code":"DENIED","message":${disabled ? JSON.stringify(disabled) : `"Permission \\"artifactregistry.repositories.downloadArtifacts\\" denied on resource \\"${repositoryName(img)}\\" (or it may not exist)"`}}]}`,
  };
}

function secretRefs(job: Json, ref: JobRef): Array<{ secret: string; version: string }> {
  const task = asJson(asJson(job.template).template);
  const out: Array<{ secret: string; version: string }> = [];
  const full = (s: string) => (s.startsWith('projects/') ? s : `projects/${ref.projectId}/secrets/${s}`);
  for (const c of asArray(task.containers)) {
    for (const e of asArray(c.env)) {
      const k = asJson(asJson(e.valueSource).secretKeyRef);
      const s = str(k.secret);
      if (s) out.push({ secret: full(s), version: str(k.version) ?? 'latest' });
    }
  }
  for (const v of asArray(task.volumes)) {
    const sv = asJson(v.secret);
    const s = str(sv.secret);
    if (!s) continue;
    const items = asArray(sv.items);
    if (items.length === 0) out.push({ secret: full(s), version: 'latest' });
    for (const i of items) out.push({ secret: full(s), version: str(i.version) ?? 'latest' });
  }
  return out;
}

/** Checks found while reconciling (and again at execution start); the first failure, or undefined. */
export function reconcileFailure(ctx: Ctx, ref: JobRef, job: Json): Failure | undefined {
  const agent = serviceAgentOf(ref.project, ref.projectId);
  const email = runtimeAccount(ref, job);
  const sa = findServiceAccount(ctx.world, email);
  if (!sa) {
    return { code: 5, message: `Service account ${email} does not exist.` };
  }
  if (sa.disabled) {
    return { code: 9, message: `Service account ${sa.email} is disabled.` };
  }
  // Checked on the write already; an execution re-checks it (the grant may be gone since).
  if (!ctx.can('iam.serviceAccounts.getAccessToken', saResource(ctx, sa.email), agent))
    return { code: 7, message: agentTokenMessage(agent, sa.email) };
  for (const url of jobImages(job)) {
    const img = parseImage(url);
    if (!img) continue;
    const off = apiOffIn(ctx, img.project, 'artifactregistry.googleapis.com');
    if (off) return agentCannotReadImage(agent, img, ref, off);
    if (!ctx.can('artifactregistry.repositories.downloadArtifacts', repositoryName(img), agent)) {
      return agentCannotReadImage(agent, img, ref);
    }
    if (!imageExists(ctx, img)) {
      return { code: 5, reason: 'CONTAINER_MISSING', message: `Image '${url}' not found.` };
    }
  }
  const runtime: Caller = { member: `serviceAccount:${sa.email}`, alsoMatches: [], email: sa.email };
  for (const { secret, version } of secretRefs(job, ref)) {
    const m = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(secret);
    const found = m?.[1] && m[2] ? findSecret(ctx.world, m[1], m[2]) : undefined;
    const versionName = `${secret}/versions/${version}`;
    const off = m?.[1] ? apiOffIn(ctx, m[1], 'secretmanager.googleapis.com') : undefined;
    if (off) {
      // The frame is the emulator's (no public record of Cloud Run's); the cause is Google's sentence.
      return {
        code: 7,
        reason: 'SECRETS_ACCESS_CHECK_FAILED',
        message: `Cannot access secret ${versionName} for job service account ${sa.email}: ${off}`,
      };
    }
    if (
      !found ||
      (version !== 'latest' && !found.versions.includes(version)) ||
      found.versions.length === 0
    ) {
      return {
        code: 5,
        reason: 'SECRETS_ACCESS_CHECK_FAILED',
        message: `Secret ${versionName} was not found.`,
      };
    }
    if (!ctx.can('secretmanager.versions.access', found.name, runtime)) {
      return {
        code: 7,
        reason: 'SECRETS_ACCESS_CHECK_FAILED',
        message:
          `Permission denied on secret: ${versionName} for job service account ${sa.email}. The service account ` +
          "must be granted the 'Secret Manager Secret Accessor' role (roles/secretmanager.secretAccessor) on the secret, its project or higher.",
      };
    }
  }
  return connectedFailure(ctx, ref, job) ?? gpuQuotaFailure(ctx.world, ref, job);
}

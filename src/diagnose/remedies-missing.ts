// Remedies for what is missing or used up rather than denied: a disabled API, exhausted quota,
// an image, service account or secret that does not exist. The resource and the command that
// inspects it are given only when the facts name them.
import { shellQuote } from '../iam/commands.ts';
import type { Finding } from '../model.ts';
import type { RepoFacts, SecretFacts } from './facts.ts';
import { type Base, cmd, flag, located, saResource, withSubject } from './remedy-parts.ts';

export function apiDisabled(
  o: Base & { service: string; project: string | undefined; whose?: string },
): Finding {
  const project = o.project ?? 'PROJECT_ID';
  const where = o.whose ? `project ${project} (${o.whose})` : `project ${project}`;
  return withSubject(
    {
      check: 'api-disabled',
      status: 'failed',
      title: `API ${o.service} is not enabled`,
      resource: `projects/${project}/services/${o.service}`,
      evidence: o.evidence,
      remedy: `Enable ${o.service} on ${where}, wait a few minutes, then re-run.`,
      command: `gcloud services enable ${shellQuote(o.service)} ${flag('project', project)}`,
    },
    o.subject ?? 'project_id',
  );
}

/** GPU quota names carry the accelerator (nvidia_l4_gpu_allocation, GPUS_ALL_REGIONS, ..._gpus). */
const GPU = /gpu/i;

export function quota(o: Base & { project: string | undefined; metric?: string; said?: string }): Finding {
  const gpu = GPU.test(`${o.metric ?? ''} ${o.said ?? ''}`);
  // The service a metric belongs to is its prefix (aiplatform.googleapis.com/...); Cloud Run's otherwise.
  const service = /^([a-z0-9-]+\.googleapis\.com)\//.exec(o.metric ?? '')?.[1] ?? 'run.googleapis.com';
  const project = o.project ?? 'PROJECT_ID';
  const f: Finding = {
    check: 'quota',
    status: 'failed',
    title: o.metric ? `Quota ${o.metric} exhausted${gpu ? ' (GPU)' : ''}` : 'Quota or rate limit exhausted',
    evidence: o.evidence,
    remedy: gpu
      ? `The job asks for GPUs the project's quota does not cover: request GPU quota for ${o.metric ?? 'the GPU type'} in this region for project ${project}, pick a gpu_type or region with quota, or lower gpu/parallelism.`
      : `Re-run later, lower the request rate (parallel deploys) or request more quota${o.metric ? ` for ${o.metric}` : ''} for project ${project}.`,
  };
  const where = o.project
    ? {
        resource: `projects/${o.project}`,
        command: `gcloud alpha services quota list --service=${service} ${flag('consumer', `projects/${o.project}`)}`,
      }
    : undefined;
  return withSubject(located(f, where), o.subject ?? (gpu ? 'gpu' : undefined));
}

export function imageNotFound(o: Base & { image: string | undefined; repo: RepoFacts | undefined }): Finding {
  const f: Finding = {
    check: 'image-not-found',
    status: 'failed',
    title: 'Container image not found',
    evidence: o.evidence,
    remedy: `Check the image URL${o.image ? ` ${o.image}` : ''}: push the image (or tag) before deploying, or fix the name.`,
  };
  return withSubject(located(f, o.repo ? imageList(o.repo, o.image) : undefined), o.subject ?? 'image');
}

/** The repository and the command that lists what it holds (for gcr.io, the image's own path). */
function imageList(repo: RepoFacts, image: string | undefined): { resource: string; command: string } {
  const base = `${repo.location}-docker.pkg.dev/${repo.project}/${repo.repository}`;
  return {
    resource: `projects/${repo.project}/locations/${repo.location}/repositories/${repo.repository}`,
    command: `gcloud artifacts docker images list ${shellQuote(repo.repository.includes('gcr.io') ? (image ?? base) : base)} --include-tags`,
  };
}

export function serviceAccountMissing(
  o: Base & { serviceAccount: string | undefined; saProject: string | undefined },
): Finding {
  const f: Finding = {
    check: 'runtime-sa',
    status: 'failed',
    title: "The job's service account does not exist or is disabled",
    evidence: o.evidence,
    remedy: `Check the service account email${o.serviceAccount ? ` ${o.serviceAccount}` : ''}; create or enable it, or pick an existing one.`,
  };
  const where = o.serviceAccount
    ? {
        resource: saResource(o.serviceAccount, o.saProject),
        command: cmd([
          'gcloud iam service-accounts describe',
          shellQuote(o.serviceAccount),
          o.saProject ? flag('project', o.saProject) : undefined,
        ]),
      }
    : undefined;
  return withSubject(located(f, where), o.subject ?? 'service_account');
}

export function secretMissing(
  o: Base & { secret: SecretFacts | undefined; version: string | undefined },
): Finding {
  const f: Finding = {
    check: 'secret-not-found',
    status: 'failed',
    title: 'A secret the job references does not exist',
    evidence: o.evidence,
    remedy: o.secret
      ? `Create the secret projects/${o.secret.project}/secrets/${o.secret.secret}${o.version ? ` (version ${o.version})` : ''} or fix the reference: the version must exist and be enabled.`
      : 'Create the referenced secret version, or fix the reference: the version must exist and be enabled.',
  };
  const where = o.secret && {
    resource: `projects/${o.secret.project}/secrets/${o.secret.secret}`,
    command: cmd([
      'gcloud secrets versions list',
      shellQuote(o.secret.secret),
      flag('project', o.secret.project),
    ]),
  };
  return withSubject(located(f, where), o.subject);
}

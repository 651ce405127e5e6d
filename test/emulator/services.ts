// Which Google API serves a request, and SERVICE_DISABLED as Google answers it when that API
// is not enabled on the quota ("consumer") project. Google has two kinds of APIs
// (https://cloud.google.com/docs/quotas/quota-project): resource-based APIs bill the project
// that holds the resource the request names (a Shared VPC host's subnetwork, a key's, a
// secret's or an image's project), whoever calls; client-based APIs bill the project of the
// credential: for a federated token the workload identity pool's project, for a service
// account's token the account's project, for a user the x-goog-user-project header (gcloud's
// own OAuth client otherwise, whose project has every API enabled).
import type { IncomingHttpHeaders } from 'node:http';
import {
  type Caller,
  type Ctx,
  type EmuRequest,
  type Handler,
  HttpError,
  type World,
  type WorldProject,
} from './contract.ts';
import { errorInfo, isRecord } from './http.ts';
import { findBucket } from './world-connected.ts';
import { findProject, projectOfEmail } from './world-index.ts';

/** Display names Google uses in the message ("<title> has not been used in project N ..."). */
const TITLES: Record<string, string> = {
  'run.googleapis.com': 'Cloud Run Admin API',
  'iam.googleapis.com': 'Identity and Access Management (IAM) API',
  'iamcredentials.googleapis.com': 'IAM Service Account Credentials API',
  'cloudresourcemanager.googleapis.com': 'Cloud Resource Manager API',
  'orgpolicy.googleapis.com': 'Organization Policy API',
  'artifactregistry.googleapis.com': 'Artifact Registry API',
  'secretmanager.googleapis.com': 'Secret Manager API',
  'sts.googleapis.com': 'Security Token Service API',
  'policytroubleshooter.googleapis.com': 'Policy Troubleshooter API',
  'serviceusage.googleapis.com': 'Service Usage API',
  'logging.googleapis.com': 'Cloud Logging API',
  'storage.googleapis.com': 'Cloud Storage API',
  'compute.googleapis.com': 'Compute Engine API',
  'vpcaccess.googleapis.com': 'Serverless VPC Access API',
  'cloudkms.googleapis.com': 'Cloud Key Management Service (KMS) API',
  'sqladmin.googleapis.com': 'Cloud SQL Admin API',
  'cloudscheduler.googleapis.com': 'Cloud Scheduler API',
};

/**
 * The resource-based APIs among those served: each names a project-scoped resource in its
 * path (Storage: the bucket, whose project holds it; Logging: the resourceNames it reads), and
 * the quota-project page gives Compute as the example of the kind. IAM, IAM Credentials,
 * STS, Resource Manager, Org Policy, Service Usage and Policy Troubleshooter stay
 * client-based (the WIF pool's project for IAM Credentials, as the google-github-actions/auth
 * setup requires it enabled there), and so does Cloud SQL Admin: it must be enabled "in the
 * project that you are connecting from" (https://cloud.google.com/sql/docs/mysql/connect-run).
 */
const RESOURCE_BASED = new Set([
  'run.googleapis.com',
  'secretmanager.googleapis.com',
  'artifactregistry.googleapis.com',
  'compute.googleapis.com',
  'cloudkms.googleapis.com',
  'vpcaccess.googleapis.com',
  'storage.googleapis.com',
  'logging.googleapis.com',
]);

/** The project (id or number) holding the resource a resource-based API's request names. */
export function resourceProjectOf(service: string, req: EmuRequest, world: World): string | undefined {
  if (!RESOURCE_BASED.has(service)) return undefined;
  if (service === 'storage.googleapis.com') {
    const bucket = /^\/storage\/v1\/b\/([^/]+)/.exec(req.path)?.[1];
    return bucket ? findBucket(world, decodeURIComponent(bucket))?.project : undefined;
  }
  if (service === 'logging.googleapis.com') {
    const names = isRecord(req.body) && Array.isArray(req.body.resourceNames) ? req.body.resourceNames : [];
    return /^projects\/([^/]+)$/.exec(String(names[0] ?? ''))?.[1];
  }
  return /\/(?:projects|namespaces)\/([^/:]+)/.exec(req.path)?.[1];
}

/** The display name of a service (its own name when the emulator has none). */
export function serviceTitle(service: string): string {
  return TITLES[service] ?? service;
}

/** The services the emulator knows by name. */
export function knownServices(): string[] {
  return Object.keys(TITLES);
}

/** Tag every handler of an API module with its service, so ctx.requireCaller checks it is enabled. */
export function forService(service: string, handlers: Handler[]): Handler[] {
  return handlers.map((h) => (req, ctx) => {
    ctx.service = service;
    const project = resourceProjectOf(service, req, ctx.world);
    if (project === undefined) delete ctx.resourceProject;
    else ctx.resourceProject = project;
    return h(req, ctx);
  });
}

/** 403 PERMISSION_DENIED, ErrorInfo SERVICE_DISABLED, LocalizedMessage and Help, as Google sends them. */
export function serviceDisabled(service: string, project: WorldProject, legacy = false): HttpError {
  const title = TITLES[service] ?? service;
  const url = `https://console.developers.google.com/apis/api/${service}/overview?project=${project.number}`;
  const message =
    `${title} has not been used in project ${project.number} before or it is disabled. Enable it by visiting ${url} ` +
    'then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.';
  const error = new HttpError(
    403,
    'PERMISSION_DENIED',
    message,
    [
      errorInfo('SERVICE_DISABLED', 'googleapis.com', {
        service,
        consumer: `projects/${project.number}`,
        activationUrl: url,
        serviceTitle: title,
        containerInfo: project.number,
      }),
      { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [{ description: 'Google developers console API activation', url }],
      },
    ],
    legacy,
  );
  // Where an API still sends the legacy errors[] array, a disabled API's entry reads
  // reason accessNotConfigured, domain usageLimits (as Google's client libraries print it:
  // "googleapi: Error 403: ... has not been used in project N ..., accessNotConfigured",
  // GoogleCloudPlatform/community#884; googlearchive/storage-getting-started-javascript#4).
  error.legacyReason = 'accessNotConfigured';
  error.legacyDomain = 'usageLimits';
  return error;
}

/** Is `service` enabled on the project? Projects outside the world (Google's own) have everything. */
export function enabledOn(project: WorldProject | undefined, service: string): boolean {
  return !project || project.services.includes(service);
}

/** The project a request with this credential is billed to, when the world holds it. */
export function consumerProject(
  world: World,
  caller: Caller,
  headers: IncomingHttpHeaders,
): WorldProject | undefined {
  const pool =
    /^principal(?:Set)?:\/\/iam\.googleapis\.com\/projects\/(\d+)\/locations\/global\/workloadIdentityPools\//.exec(
      caller.member,
    )?.[1];
  if (pool) return findProject(world, pool);
  if (caller.member.startsWith('serviceAccount:') && caller.email) {
    const id = projectOfEmail(world, caller.email);
    return id ? findProject(world, id) : undefined;
  }
  const quota = headers['x-goog-user-project'];
  return typeof quota === 'string' ? findProject(world, quota) : undefined;
}

/**
 * Throws SERVICE_DISABLED when the request's API is not enabled on its quota project: the
 * resource's project for a resource-based API, the caller's consumer project otherwise.
 */
export function requireEnabled(ctx: Ctx, caller: Caller, headers: IncomingHttpHeaders): void {
  const service = ctx.service;
  if (!service) return;
  if (RESOURCE_BASED.has(service)) {
    const holder = ctx.resourceProject ? findProject(ctx.world, ctx.resourceProject) : undefined;
    if (!enabledOn(holder, service)) throw serviceDisabled(service, holder as WorldProject);
    return;
  }
  const project = consumerProject(ctx.world, caller, headers);
  if (!enabledOn(project, service)) throw serviceDisabled(service, project as WorldProject);
}

/**
 * Google's SERVICE_DISABLED sentence when `service` is off in the project (id or number) that
 * holds a resource the job uses: resource-based APIs bill that project, so Cloud Run's agent
 * meets the same refusal there (https://cloud.google.com/docs/quotas/quota-project).
 */
export function apiOffIn(ctx: Ctx, project: string, service: string): string | undefined {
  const p = findProject(ctx.world, project);
  return p && !enabledOn(p, service) ? serviceDisabled(service, p).message : undefined;
}

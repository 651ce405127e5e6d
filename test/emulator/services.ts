// Which Google API serves a request, and SERVICE_DISABLED as Google answers it when that API
// is not enabled on the consumer project: the project the credential bills to, not the
// resource's. For a federated token that is the workload identity pool's project; for a
// service account's token, the account's project; for a user, the x-goog-user-project header
// (gcloud's own OAuth client otherwise, whose project has every API enabled).
import type { IncomingHttpHeaders } from 'node:http';
import { type Caller, type Ctx, type Handler, HttpError, type World, type WorldProject } from './contract.ts';
import { errorInfo } from './http.ts';
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

/** Tag every handler of an API module with its service, so ctx.requireCaller checks it is enabled. */
export function forService(service: string, handlers: Handler[]): Handler[] {
  return handlers.map((h) => (req, ctx) => {
    ctx.service = service;
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
  return new HttpError(
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

/** Throws SERVICE_DISABLED when the request's API is not enabled on the caller's consumer project. */
export function requireEnabled(ctx: Ctx, caller: Caller, headers: IncomingHttpHeaders): void {
  const service = ctx.service;
  if (!service) return;
  const project = consumerProject(ctx.world, caller, headers);
  if (!enabledOn(project, service)) throw serviceDisabled(service, project as WorldProject);
}

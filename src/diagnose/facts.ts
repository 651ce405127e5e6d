// Pure extraction of the facts a diagnosis needs (who, which permission, which resource) from
// the deploy plan and from the free text of an error. Messages differ between APIs, API
// versions and tools, so every pattern here is deliberately loose and case-insensitive.
import type { ApiError } from '../gcp/errors.ts';
import { permissionsInText } from '../gcp/permission-grammar.ts';
import type { Config, DeployPlan, SecretRef, Subject } from '../model.ts';
import { safeSegments } from '../resource-name.ts';

export type Stage = 'inputs' | 'auth' | 'resolve' | 'iam' | 'deploy' | 'execute';

export interface DiagnoseContext {
  stage: Stage;
  plan?: DeployPlan;
  config?: Config;
  /** owner/repo of the workflow run, used to name the workload identity principal set. */
  repository?: string;
  /** What the action was attempting when it failed (StepError), quoted in the evidence. */
  attempting?: string;
}

const EMAIL = /[a-z0-9][a-z0-9._+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi;
const AGENT = /^service-(\d+)@serverless-robot-prod\.iam\.gserviceaccount\.com$/i;
const REPOSITORY = /projects\/([a-z0-9.:-]+)\/locations\/([a-z0-9-]+)\/repositories\/([a-z0-9._-]+)/i;
const AR_IMAGE =
  /\b([a-z0-9-]+)-docker\.pkg\.dev\/([a-z0-9.:-]+)\/([a-z0-9._-]+)(?:\/[\w./-]*[\w])?(?:[:@][\w.:-]+)?/i;
const GCR_IMAGE = /\b((?:[a-z]+\.)?gcr\.io)\/([a-z0-9.:-]+)\/[\w./-]*[\w](?:[:@][\w.:-]+)?/i;
const SECRET = /projects\/([a-z0-9.:-]+)\/secrets\/([\w-]+)/i;

export { canonicalPermission } from '../gcp/permission-grammar.ts';

/** Every permission name the text mentions (by the permission grammar), canonical spelling, in order. */
export function permissionsIn(text: string): string[] {
  return permissionsInText(text);
}

export function emailsIn(text: string): string[] {
  return [...new Set((text.match(EMAIL) ?? []).map((e) => e.replace(/\.+$/, '').toLowerCase()))];
}

export function isServiceAgent(email: string): boolean {
  return AGENT.test(email);
}

export function mentionsServiceAgent(text: string): boolean {
  return /serverless-robot-prod|service\s*agent/i.test(text);
}

export interface RepoFacts {
  project: string;
  location: string;
  repository: string;
}

/** The Artifact Registry repository named in the text, by resource name or by image URL. */
export function repositoryIn(text: string): RepoFacts | undefined {
  const facts = repositoryNamedIn(text);
  // An error message is an API answer: its parts become resource names and grants only when safe.
  return facts && safeSegments(facts.project, facts.location, facts.repository) ? facts : undefined;
}

function repositoryNamedIn(text: string): RepoFacts | undefined {
  const r = REPOSITORY.exec(text);
  if (r?.[1] && r[2] && r[3]) return { project: r[1], location: r[2], repository: r[3] };
  const i = AR_IMAGE.exec(text);
  if (i?.[1] && i[2] && i[3]) return { project: i[2], location: i[1], repository: i[3] };
  const g = GCR_IMAGE.exec(text);
  if (g?.[1] && g[2]) return { project: g[2], location: gcrLocation(g[1]), repository: g[1] };
  return undefined;
}

function gcrLocation(host: string): string {
  const prefix = host.split('.')[0];
  return prefix === 'gcr' ? 'us' : (prefix ?? 'us');
}

export function imageIn(text: string): string | undefined {
  return AR_IMAGE.exec(text)?.[0] ?? GCR_IMAGE.exec(text)?.[0];
}

export interface SecretFacts {
  project: string;
  secret: string;
}

export function secretIn(text: string): SecretFacts | undefined {
  const m = SECRET.exec(text);
  return m?.[1] && m[2] && safeSegments(m[1], m[2]) ? { project: m[1], secret: m[2] } : undefined;
}

/** Project quoted by the "API has not been used in project X" family of messages. */
export function disabledApiProjectIn(text: string): string | undefined {
  const project = /\bin project ['"[]?([a-z0-9.:-]+)/i.exec(text)?.[1];
  return project !== undefined && safeSegments(project) ? project : undefined;
}

// API display names as Google's SERVICE_DISABLED messages pair them with their services (the
// corpus quotes each pairing: emblem#757, gcr-lifecycle-policy#5, golang-samples#818,
// terraform-dynamic-javascript-webapp#48, terraform-provider-google#10510, knative-gcp#243).
const API_NAMES: Array<[RegExp, string]> = [
  [/Cloud Run Admin API/i, 'run.googleapis.com'],
  [/Cloud Resource Manager API/i, 'cloudresourcemanager.googleapis.com'],
  [/Cloud SQL Admin API/i, 'sqladmin.googleapis.com'],
  [/Serverless VPC Access API/i, 'vpcaccess.googleapis.com'],
  [/Identity and Access Management \(IAM\) API/i, 'iam.googleapis.com'],
  [/IAM Service Account Credentials API/i, 'iamcredentials.googleapis.com'],
  [/Cloud Scheduler API/i, 'cloudscheduler.googleapis.com'],
  [/Cloud Functions API/i, 'cloudfunctions.googleapis.com'],
  [/Secret Manager API/i, 'secretmanager.googleapis.com'],
  [/Artifact Registry API/i, 'artifactregistry.googleapis.com'],
];

export function serviceNameIn(text: string): string | undefined {
  const named = /\b([a-z0-9-]+\.googleapis\.com)\b/i.exec(text)?.[1]?.toLowerCase();
  // A URL of the API called (run.googleapis.com/v2/...) is not the disabled one: the display name wins.
  const display = API_NAMES.find(([re]) => re.test(text))?.[1];
  return display ?? named;
}

const STATUS_WORDS = [
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'UNAUTHENTICATED',
  'INVALID_ARGUMENT',
  'ALREADY_EXISTS',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'ABORTED',
  'INTERNAL',
];
/** Canonical status of an HTTP status code. */
export const HTTP_STATUS: Record<string, string> = {
  '400': 'INVALID_ARGUMENT',
  '401': 'UNAUTHENTICATED',
  '403': 'PERMISSION_DENIED',
  '404': 'NOT_FOUND',
  '409': 'ABORTED',
  '429': 'RESOURCE_EXHAUSTED',
};

/** A canonical status quoted by text that came without structure (gcloud output, wrapped errors). */
export function statusInText(text: string): string | undefined {
  for (const s of STATUS_WORDS) if (new RegExp(`\\b${s}\\b`).test(text)) return s;
  const http = /(?:\bError |\(|\bHTTP |status(?: code)?:? )(401|403|404|429)\b/i.exec(text)?.[1];
  return http ? HTTP_STATUS[http] : undefined;
}

export interface Provider {
  name: string;
  projectNumber: string;
  pool: string;
  provider: string;
}

export function parseProvider(name: string | undefined): Provider | undefined {
  const m = /^projects\/([^/]+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/.exec(
    name ?? '',
  );
  return m?.[1] && m[2] && m[3]
    ? { name: name as string, projectNumber: m[1], pool: m[2], provider: m[3] }
    : undefined;
}

/** IAM member form of an email: service accounts vs users. */
export function memberOf(identity: string): string {
  if (/^(principal|principalSet):\/\//.test(identity) || identity.includes(':')) return identity;
  return identity.endsWith('.gserviceaccount.com') ? `serviceAccount:${identity}` : `user:${identity}`;
}

/** The principal set that names every workflow run of one repository. */
export function repositoryPrincipalSet(provider: Provider, repository: string): string {
  return `principalSet://iam.googleapis.com/projects/${provider.projectNumber}/locations/global/workloadIdentityPools/${provider.pool}/attribute.repository/${repository}`;
}

/** Who the action calls Google as, in IAM member form, when that is known. */
export function deployerMember(ctx: DiagnoseContext): string | undefined {
  const email = ctx.plan?.deployer ?? ctx.config?.impersonateServiceAccount;
  if (email) return memberOf(email);
  const provider = parseProvider(ctx.config?.workloadIdentityProvider);
  if (provider && ctx.repository) return repositoryPrincipalSet(provider, ctx.repository);
  return undefined;
}

/**
 * The job's runtime account: the first account the error names that is not the deployer, else
 * the plan's or the input's service_account.
 */
export function runtimeAccount(named: string[], ctx: DiagnoseContext, deployer?: string): string | undefined {
  return (
    named.find((e) => e !== deployer?.toLowerCase()) ?? ctx.plan?.serviceAccount ?? ctx.config?.serviceAccount
  );
}

/** One failure as classify.ts has read it, for the classifiers it hands it to. */
export interface ReadFailure {
  api: ApiError;
  ctx: DiagnoseContext;
  /** Everything the error says, details included, as one searchable text. */
  text: string;
  evidence: string;
  provider: Provider | undefined;
}

/** Project of a service account email (NAME@PROJECT.iam.gserviceaccount.com; the default compute one is by number). */
export function projectOfServiceAccount(email: string, plan?: DeployPlan): string | undefined {
  if (plan && email.toLowerCase() === plan.serviceAccount.toLowerCase()) return plan.serviceAccountProject;
  const m = /@([a-z0-9-]+)\.iam\.gserviceaccount\.com$/i.exec(email);
  if (m?.[1]) return m[1];
  const n = /^(\d+)-compute@developer\.gserviceaccount\.com$/i.exec(email);
  if (n?.[1] && plan && plan.projectNumber === n[1]) return plan.project;
  return undefined;
}

/** The job's project: from the plan once resolved, else the input. */
export function jobProject(ctx: DiagnoseContext): string | undefined {
  return ctx.plan?.project ?? ctx.config?.projectId;
}

/** The job's image URL: from the plan once resolved, else the input. */
export function jobImage(ctx: DiagnoseContext): string | undefined {
  return ctx.plan?.image.url ?? ctx.config?.image;
}

/** The Artifact Registry repository of the job's image, when the plan resolved one. */
export function jobRepository(ctx: DiagnoseContext): RepoFacts | undefined {
  const i = ctx.plan?.image;
  return i?.project && i.location && i.repository
    ? { project: i.project, location: i.location, repository: i.repository }
    : undefined;
}

/** Messages often quote the project number; show the id when the plan knows it is the same project. */
export function projectIdOf(project: string | undefined, ctx: DiagnoseContext): string | undefined {
  if (project && ctx.plan && project === ctx.plan.projectNumber) return ctx.plan.project;
  return project;
}

/**
 * The secret a message names (its project as an id when the plan knows the number), the job's
 * reference to it, and the subject to annotate: the env var (or volume) that references it,
 * else the secret itself. With no secret named, a job with one secret reference can only mean that one.
 */
export function secretOf(
  text: string,
  ctx: DiagnoseContext,
): { secret?: SecretFacts; ref?: SecretRef; subject?: Subject } {
  const named = secretIn(text);
  const secrets = ctx.plan?.secrets ?? [];
  const ref = named
    ? secrets.find((s) => s.secret === named.secret)
    : secrets.length === 1
      ? secrets[0]
      : undefined;
  const secret = named
    ? { project: projectIdOf(named.project, ctx) ?? named.project, secret: named.secret }
    : ref && { project: ref.project, secret: ref.secret };
  const subject = ref ? ref.name : secret?.secret;
  return {
    ...(secret ? { secret } : {}),
    ...(ref ? { ref } : {}),
    ...(subject ? { subject: `secret:${subject}` as const } : {}),
  };
}

import type { Finding, Subject } from '../model.ts';
import { safeSegments } from '../resource-name.ts';
import {
  type DiagnoseContext,
  disabledApiProjectIn,
  jobProject,
  type Provider,
  projectIdOf,
  projectOfServiceAccount,
  type ReadFailure,
  serviceNameIn,
} from './facts.ts';
import { apiDisabled } from './remedies-missing.ts';

const API_SUBJECTS: Record<string, Subject> = {
  'vpcaccess.googleapis.com': 'vpc_connector',
  'sqladmin.googleapis.com': 'cloudsql_instances',
  'sql-component.googleapis.com': 'cloudsql_instances',
  'secretmanager.googleapis.com': 'secrets',
  'cloudkms.googleapis.com': 'kms_key',
  'artifactregistry.googleapis.com': 'image',
};

/** The API-disabled finding, when the error says an API is off (ErrorInfo reason first, then words). */
export function classifyDisabled(failure: ReadFailure): Finding | undefined {
  const { api, ctx, text, evidence, provider } = failure;
  const reason = api.reason ?? '';
  if (
    reason !== 'SERVICE_DISABLED' &&
    reason !== 'accessNotConfigured' &&
    !/has not been used in project|\bAPI\b[^.]*\b(?:is )?disabled\b/i.test(text)
  )
    return undefined;
  // ErrorInfo metadata is an API answer: a part that is not one plain segment is not used.
  const plain = (v: string | undefined) => (v !== undefined && safeSegments(v) ? v : undefined);
  const quoted = plain(api.metadata.consumer?.replace(/^projects\//, '')) ?? disabledApiProjectIn(text);
  const consumer = projectIdOf(quoted, ctx);
  const service = plain(api.metadata.service) ?? serviceNameIn(text) ?? 'run.googleapis.com';
  const whose = consumerRole(quoted, ctx, provider);
  // The API of what the job connects to is the input that names it (a connector's project, Cloud SQL).
  const subject = API_SUBJECTS[service];
  return apiDisabled({
    evidence,
    service,
    project: consumer ?? jobProject(ctx),
    ...(whose ? { whose } : {}),
    ...(subject ? { subject } : {}),
  });
}

/**
 * Why the API is needed in a project other than the job's: Google checks the consumer project
 * of the credential, which for a federated token is the pool's and for an impersonated
 * account's token is the account's.
 */
function consumerRole(
  project: string | undefined,
  ctx: DiagnoseContext,
  provider: Provider | undefined,
): string | undefined {
  if (!project || project === ctx.plan?.project || project === ctx.plan?.projectNumber) return undefined;
  if (provider && project === provider.projectNumber)
    return `the project of workload identity pool ${provider.pool}, which the workflow's federated token is billed to`;
  const deployer = ctx.config?.impersonateServiceAccount ?? ctx.plan?.deployer;
  const saProject = deployer ? projectOfServiceAccount(deployer, ctx.plan) : undefined;
  if (deployer && saProject === project)
    return `the project of ${deployer}, which the impersonated account's tokens are billed to`;
  return undefined;
}

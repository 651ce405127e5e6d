// Pure classification of one API failure into a known kind. Decisions rest on structure first
// (ErrorInfo reason and metadata, canonical status, gRPC code, legacy errors[] reason) and on
// permission names, and only then on loose, case-insensitive phrases: the same failure is
// worded differently by v1 and v2, by operations and by gcloud.
import type { ApiError } from '../gcp/errors.ts';
import type { Finding, Subject } from '../model.ts';
import { classifyDenied, deniedFacts } from './classify-denied.ts';
import { classifyDisabled } from './classify-disabled.ts';
import { classifyEarly } from './classify-early.ts';
import { classifyMissing } from './classify-missing.ts';
import {
  type DiagnoseContext,
  emailsIn,
  HTTP_STATUS,
  isServiceAgent,
  jobProject,
  parseProvider,
  projectOfServiceAccount,
  runtimeAccount,
  statusInText,
} from './facts.ts';
import { classifyFamily } from './families.ts';
import { unauthenticated } from './remedies-auth.ts';
import { connectedFailure } from './remedies-connected.ts';
import { orgPolicy } from './remedies-iam.ts';
import { invalidArgument, invalidInput } from './remedies-input.ts';
import { quota } from './remedies-missing.ts';
import { serverError } from './remedies-network.ts';
import { unknownFailure } from './remedies-run.ts';
import { signalsOf } from './signals.ts';
import { classifyTaskLog } from './task-logs.ts';

/** Everything the error says, including details and legacy errors[], as one searchable text. */
function fullText(api: ApiError): string {
  const parts = [api.message, ...Object.values(api.metadata)];
  if (api.raw?.details?.length) parts.push(JSON.stringify(api.raw.details));
  if (api.raw?.errors?.length) parts.push(JSON.stringify(api.raw.errors));
  return parts.join(' ');
}

/** The canonical status, recovered from the text when the error came without structure. */
function canonicalStatus(api: ApiError, text: string): string {
  const http = /^(?:HTTP|CODE)_(\d{3})$/.exec(api.status)?.[1];
  if (http && HTTP_STATUS[http]) return HTTP_STATUS[http];
  if (api.status === 'UNKNOWN' || http) return statusInText(text) ?? api.status;
  return api.status;
}

function evidenceOf(api: ApiError, status: string, ctx: DiagnoseContext): string {
  const code = api.httpStatus ? ` (HTTP ${api.httpStatus})` : '';
  const reason = api.reason && api.reason !== status ? ` [${api.reason}]` : '';
  const what = ctx.attempting ? `While trying to ${ctx.attempting}: ` : '';
  return `${what}${status}${code}${reason}: ${api.message || '(no message)'}`;
}

const INPUT_NAMES: Subject[] = [
  'service_account',
  'impersonate_service_account',
  'workload_identity_provider',
  'project_id',
  'region',
  'image',
  'job',
  'execute',
];

/** The input an input-validation message names (longest names first: service_account vs impersonate_...). */
export function inputSubjectIn(text: string): Subject | undefined {
  return INPUT_NAMES.find((n) => new RegExp(`(?:^|[^\\w])${n}(?:[^\\w]|$)`).test(text));
}

const QUOTA_REASONS =
  /^(RATE_LIMIT_EXCEEDED|RESOURCE_QUOTA_EXCEEDED|QUOTA_EXCEEDED|rateLimitExceeded|quotaExceeded|userRateLimitExceeded)$/i;

export function classify(api: ApiError, ctx: DiagnoseContext): Finding {
  const text = fullText(api);
  const status = canonicalStatus(api, text);
  const evidence = evidenceOf(api, status, ctx);
  const reason = api.reason ?? '';
  const plan = ctx.plan;
  const provider = parseProvider(ctx.config?.workloadIdentityProvider);

  const read = { api, ctx, text, evidence, provider };
  const early = classifyEarly(read);
  if (early) return early;

  // Structure first: constraints, field violations, quotas and missing resources (src/diagnose/families.ts).
  const family = classifyFamily({ api, ctx, text, status, evidence, signals: signalsOf(api, text) });
  if (family) return family;

  const emails = emailsIn(text);
  const agentEmail = emails.find(isServiceAgent);
  const otherEmails = emails.filter((e) => !isServiceAgent(e));

  if (/disableCrossProjectServiceAccountUsage|cross[- ]project service account/i.test(text)) {
    const sa = runtimeAccount(otherEmails, ctx, plan?.deployer);
    return orgPolicy({
      evidence,
      saProject: (sa && projectOfServiceAccount(sa, plan)) ?? plan?.serviceAccountProject,
    });
  }

  const disabled = classifyDisabled(read);
  if (disabled) return disabled;

  if (api.httpStatus === 429 || QUOTA_REASONS.test(reason))
    return quota({ evidence, project: jobProject(ctx) });

  // Cloud SQL's own answers (its connectors quote them): not authorized, no instance, API off.
  if (/cloud ?sql|createEphemeral|generateEphemeral|instance metadata \(connection name/i.test(text)) {
    const sql = classifyTaskLog([text], ctx, evidence, false);
    if (sql) return sql;
  }

  const facts = deniedFacts(api, status, text, ctx);

  const connected =
    facts.agentSpeaks || /VPC connector/i.test(text)
      ? connectedFailure(text, {
          evidence,
          agent: agentEmail ?? plan?.serviceAgent,
          job: {
            region: plan?.region ?? ctx.config?.region,
            project: jobProject(ctx),
            projectNumber: plan?.projectNumber,
          },
        })
      : undefined;
  if (connected) return connected;

  if (facts.denied || facts.permissions.length > 0) {
    const found = classifyDenied({ ctx, text, evidence, agentEmail, otherEmails, provider, ...facts });
    if (found) return found;
  }

  const missing = classifyMissing(read, status, otherEmails);
  if (missing) return missing;

  if (status === 'UNAUTHENTICATED') return unauthenticated({ evidence });
  if (ctx.stage === 'inputs')
    return invalidInput({ evidence: api.message, subject: inputSubjectIn(api.message) });
  // Google refused a value without naming the field: still an invalid argument, not an unknown.
  if (status === 'INVALID_ARGUMENT' && api.httpStatus !== undefined)
    return invalidArgument({ evidence, field: undefined, description: api.message, from: 'text' });
  if ((api.httpStatus ?? 0) >= 500)
    return serverError({ evidence, httpStatus: api.httpStatus ?? 500, service: api.service });
  return unknownFailure({
    evidence,
    subject: undefined,
    said: `${status}${api.httpStatus ? ` (HTTP ${api.httpStatus})` : ''}: ${api.message || '(no message)'}`,
  });
}

// The failures decided before Google's answer is read for IAM: a body or redirect the action
// would not act on, GitHub's OIDC and the STS token exchange (OAuth error codes, not
// google.rpc.Status), a region Cloud Run does not serve, GitHub's own failure, an operation still
// running at the bound, and no answer at all. Called first by classify.ts.
import { noAnswer } from '../gcp/errors.ts';
import type { Finding } from '../model.ts';
import { type DiagnoseContext, projectOfServiceAccount, type ReadFailure } from './facts.ts';
import { refusedAnswer } from './remedies-answer.ts';
import { idTokenPermission, wifCondition, wifProvider } from './remedies-auth.ts';
import { githubUnavailable, unreachable } from './remedies-network.ts';
import { operationUnfinished } from './remedies-operation.ts';
import { forkNoIdToken, noCredentials, regionUnsupported } from './remedies-setup.ts';

export function classifyEarly(failure: ReadFailure): Finding | undefined {
  const { api, ctx, text, evidence, provider } = failure;
  const reason = api.reason ?? '';
  const refused = refusedAnswer(api, evidence); // a body or redirect the action would not act on
  if (refused) return refused;
  // GitHub OIDC and the STS token exchange (OAuth error codes, not google.rpc.Status).
  const fork = /pull request from the fork (\S+),/.exec(evidence)?.[1];
  if (fork) return forkNoIdToken({ evidence, head: fork });
  if (/ACTIONS_ID_TOKEN_REQUEST_(?:URL|TOKEN)/.test(text)) return idTokenPermission({ evidence });
  if (/Could not load the default credentials/i.test(text)) return noCredentials({ evidence });
  // Cloud Run's answer for a location it does not serve (field `region`, "Unsupported region X").
  const region = /\bUnsupported region ([a-z0-9-]+)/i.exec(text)?.[1];
  if (region) return regionUnsupported({ evidence, region });
  // google-auth-library may flatten the OAuth body into text ("Error code unauthorized_client: ...").
  const oauth = /^(?:unauthorized_client|invalid_target|invalid_grant|invalid_request|invalid_client)$/.test(
    reason,
  )
    ? reason
    : /\b(unauthorized_client|invalid_target|invalid_grant|invalid_request|invalid_client)\b/.exec(text)?.[1];
  if (oauth === 'unauthorized_client' || /attribute condition/i.test(text))
    return wifCondition({ evidence, provider, repository: ctx.repository, ...impersonation(ctx) });
  if (oauth) return wifProvider({ evidence, provider, reason: oauth });
  // No answer, or GitHub's own failure: nothing here is a missing permission or a Cloud quota.
  if (api.service === 'GitHub') return githubUnavailable({ evidence, httpStatus: api.httpStatus });
  // Cloud Run answered and took the request; its operation was still running at the bound.
  if (api.unfinished)
    return operationUnfinished({
      evidence: noAnswer(api, ctx.attempting ?? 'call it') ?? evidence,
      unfinished: api.unfinished,
      waitedMs: api.timeoutMs,
      deploy: ctx.stage === 'deploy',
      plan: ctx.plan,
    });
  if (api.httpStatus === undefined && api.networkCode)
    return unreachable({
      evidence: `${noAnswer(api, ctx.attempting ?? 'call it')}: ${api.message}`,
      service: api.service,
      timedOut: api.networkCode === 'ETIMEDOUT',
    });
  return undefined;
}

/** The deployer account the workflow impersonates, and its project, when it does. */
function impersonation(ctx: DiagnoseContext): { impersonate?: string; impersonateProject?: string } {
  const sa = ctx.config?.impersonateServiceAccount;
  if (!sa) return {};
  const project = projectOfServiceAccount(sa, ctx.plan);
  return project ? { impersonate: sa, impersonateProject: project } : { impersonate: sa };
}

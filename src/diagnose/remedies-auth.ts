// Remedies for failures before any Google API is reached: the GitHub OIDC token and the
// workload identity token exchange (STS).

import { shellQuote } from '../iam/commands.ts';
import type { Finding } from '../model.ts';
import type { Provider } from './facts.ts';
import { cmd, flag, located } from './remedy-parts.ts';

interface Base {
  evidence: string;
}

/** The provider as gcloud's positional name and flags (the project by number, as in its resource name). */
function providerArgs(p: Provider): string[] {
  return [
    shellQuote(p.provider),
    flag('project', p.projectNumber),
    '--location=global',
    flag('workload-identity-pool', p.pool),
  ];
}

export function idTokenPermission(o: Base): Finding {
  return {
    check: 'id-token',
    status: 'failed',
    title: 'The workflow job may not request a GitHub OIDC token',
    evidence: o.evidence,
    remedy:
      'Add `permissions: { id-token: write, contents: read }` to the workflow job that runs this step (pull requests from forks never receive an OIDC token).',
    subject: 'workload_identity_provider',
  };
}

export function wifCondition(
  o: Base & { provider: Provider | undefined; repository: string | undefined },
): Finding {
  const f: Finding = {
    check: 'wif-condition',
    status: 'failed',
    title: "The workload identity provider's attribute condition rejected this workflow",
    evidence: o.evidence,
    remedy: `Run from a repository, branch or event the provider's attribute condition accepts, or widen the condition${o.repository ? ` to accept ${o.repository}` : ''} (for example assertion.repository == 'OWNER/REPO').`,
    subject: 'workload_identity_provider',
  };
  const where = o.provider
    ? {
        resource: o.provider.name,
        command: cmd([
          'gcloud iam workload-identity-pools providers update-oidc',
          ...providerArgs(o.provider),
          flag('attribute-condition', `assertion.repository == '${o.repository ?? 'OWNER/REPO'}'`),
        ]),
      }
    : undefined;
  return located(f, where);
}

/** STS refused the audience or the token itself (provider missing/disabled, wrong issuer, expired token). */
export function wifProvider(o: Base & { provider: Provider | undefined; reason: string }): Finding {
  const f: Finding = {
    check: 'wif-provider',
    status: 'failed',
    title: 'The workload identity token exchange was refused',
    evidence: o.evidence,
    remedy:
      o.reason === 'invalid_target'
        ? 'Check workload_identity_provider: the pool or provider does not exist, is disabled or is in another project number.'
        : "Check the provider's issuer (https://token.actions.githubusercontent.com), allowed audiences and attribute mapping.",
    subject: 'workload_identity_provider',
  };
  const where = o.provider
    ? {
        resource: o.provider.name,
        command: cmd(['gcloud iam workload-identity-pools providers describe', ...providerArgs(o.provider)]),
      }
    : undefined;
  return located(f, where);
}

export function unauthenticated(o: Base): Finding {
  return {
    check: 'unauthenticated',
    status: 'failed',
    title: 'Google rejected the credentials',
    evidence: o.evidence,
    remedy:
      'Check workload_identity_provider / impersonate_service_account, or the credentials a previous google-github-actions/auth step left.',
    subject: 'workload_identity_provider',
  };
}

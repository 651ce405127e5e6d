// Remedies for failures before any Google API is reached: the GitHub OIDC token and the
// workload identity token exchange (STS).

import { shellQuote, wifUserCommand } from '../iam/commands.ts';
import type { Finding } from '../model.ts';
import { type Provider, repositoryPrincipalSet } from './facts.ts';
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

/** GitHub owner/repo names: safe inside a CEL string and a double-quoted shell word. */
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * The provider's attribute condition rejected this workflow. The fix extends the condition with
 * an `||` clause for this repository and keeps what it admits today (replacing it would lock out
 * every other workflow); when the workflow impersonates a deployer account, the new repository
 * also needs roles/iam.workloadIdentityUser on it. The action cannot read the current condition
 * (it has no credential yet), so the command reads it first; a caller that knows it passes it.
 */
export function wifCondition(
  o: Base & {
    provider: Provider | undefined;
    repository: string | undefined;
    currentCondition?: string;
    impersonate?: string;
    impersonateProject?: string;
  },
): Finding {
  const repo = o.repository && REPOSITORY.test(o.repository) ? o.repository : 'OWNER/REPO';
  const clause = `assertion.repository == '${repo}'`;
  const current = o.currentCondition ?? 'CURRENT_CONDITION';
  const second = o.impersonate
    ? ` Then let the repository impersonate ${o.impersonate}: grant its principal set roles/iam.workloadIdentityUser on that account.`
    : '';
  const f: Finding = {
    check: 'wif-condition',
    status: 'failed',
    title: "The workload identity provider's attribute condition rejected this workflow",
    evidence: o.evidence,
    remedy:
      `Extend the provider's attribute condition, do not replace it: (${current}) || ${clause} ` +
      `keeps every workflow it admits today and adds ${repo}.${second}`,
    subject: 'workload_identity_provider',
  };
  if (!o.provider) return f;
  const args = providerArgs(o.provider);
  const commands = [
    o.currentCondition === undefined
      ? `CURRENT_CONDITION="$(${cmd(['gcloud iam workload-identity-pools providers describe', ...args, "--format='value(attributeCondition)'"])})"`
      : undefined,
    cmd([
      'gcloud iam workload-identity-pools providers update-oidc',
      ...args,
      o.currentCondition === undefined
        ? `--attribute-condition="(\${CURRENT_CONDITION}) || ${clause}"`
        : flag('attribute-condition', `(${o.currentCondition}) || ${clause}`),
    ]),
    // Last: gcloud binding commands end with --condition=None (see iam/commands.ts).
    o.impersonate
      ? wifUserCommand(repositoryPrincipalSet(o.provider, repo), o.impersonate, o.impersonateProject ?? '-')
      : undefined,
  ];
  return located(f, {
    resource: o.provider.name,
    command: commands.filter((c): c is string => c !== undefined).join('\n'),
  });
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

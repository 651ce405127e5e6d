// Remedies that must not widen an identity: a workflow that deploys as its repository's
// principal set (no impersonated deployer) is told to impersonate a deployer account, never
// given a project-level role for every workflow of the repository.
import { grantCommand } from '../iam/commands.ts';
import type { Finding } from '../model.ts';
import { type Base, withSubject } from './remedy-parts.ts';

export const FEDERATED_SET = /^principalSet:\/\//;

/**
 * The workflow deploys as the repository's principal set itself (no impersonate_service_account,
 * often service_account set the way google-github-actions/auth means it). A project-level role
 * for that set would let every workflow of the repository manage every job: impersonate a
 * deployer account instead, hold the role there, and keep service_account for the job's identity.
 */
export function federatedDeployer(
  o: Base & {
    member: string;
    permission: string;
    project: string;
    role: string;
    mixedUp?: string | undefined;
  },
): Finding {
  const sa = o.mixedUp ?? `deployer@${o.project}.iam.gserviceaccount.com`;
  return withSubject(
    {
      check: o.mixedUp ? 'service-account-mixup' : 'deployer-identity',
      status: 'failed',
      title: o.mixedUp
        ? `service_account ${o.mixedUp} looks like the deployer (google-github-actions/auth's meaning): the workflow deploys as its repository principal set, which holds no deploy role`
        : 'The workflow deploys as its repository principal set, which holds no deploy role',
      principal: o.member,
      permission: o.permission,
      role: o.role,
      resource: `projects/${o.project}`,
      evidence: o.evidence,
      remedy:
        `Do not grant ${o.role} on project ${o.project} to ${o.member}: that gives it to every workflow of the repository. ` +
        `${o.mixedUp ? `Move ${o.mixedUp} from service_account to impersonate_service_account and name the job's own runtime account in service_account. ` : ''}` +
        'Impersonate a deployer service account (input impersonate_service_account) that holds the role, and let the principal set ' +
        `impersonate only that account (roles/iam.workloadIdentityUser on it). In this action service_account is the job's runtime identity, ` +
        'not the deployer google-github-actions/auth calls service_account.',
      command: [
        o.mixedUp ? undefined : `gcloud iam service-accounts create deployer --project=${o.project}`,
        grantCommand({
          kind: 'project',
          resource: `projects/${o.project}`,
          role: o.role,
          member: `serviceAccount:${sa}`,
        }),
        grantCommand({
          kind: 'serviceAccount',
          resource: `projects/${o.project}/serviceAccounts/${sa}`,
          role: 'roles/iam.workloadIdentityUser',
          member: o.member,
        }),
      ]
        .filter((c): c is string => c !== undefined)
        .join('\n'),
    },
    o.subject ?? (o.mixedUp ? 'service_account' : 'impersonate_service_account'),
  );
}

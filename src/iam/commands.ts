// The exact gcloud command an administrator can run to close a gap (pure).
import type { Grant } from '../model.ts';

/** Quote for a POSIX shell only when needed, so ordinary commands stay copy-paste clean. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function parts(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  const segs = name.split('/');
  for (let i = 0; i + 1 < segs.length; i += 2) out[segs[i] as string] = segs[i + 1] as string;
  return out;
}

const q = shellQuote;

/** `gcloud ... add-iam-policy-binding` for a grant on a service account, repository, secret or project. */
export function grantCommand(grant: Grant): string {
  const p = parts(grant.resource);
  // --condition=None: gcloud refuses, when run non-interactively, to add an unconditioned
  // binding to a policy that holds any conditional one unless told so explicitly.
  const tail = `--member=${q(grant.member)} --role=${q(grant.role)} --condition=None`;
  switch (grant.kind) {
    case 'serviceAccount':
      return `gcloud iam service-accounts add-iam-policy-binding ${q(p.serviceAccounts ?? '')} --project=${q(p.projects ?? '')} ${tail}`;
    case 'repository':
      return `gcloud artifacts repositories add-iam-policy-binding ${q(p.repositories ?? '')} --location=${q(p.locations ?? '')} --project=${q(p.projects ?? '')} ${tail}`;
    case 'secret':
      return `gcloud secrets add-iam-policy-binding ${q(p.secrets ?? '')} --project=${q(p.projects ?? '')} ${tail}`;
    case 'job':
      // `gcloud run jobs add-iam-policy-binding` has no --condition flag.
      return `gcloud run jobs add-iam-policy-binding ${q(p.jobs ?? '')} --region=${q(p.locations ?? '')} --project=${q(p.projects ?? '')} --member=${q(grant.member)} --role=${q(grant.role)}`;
    case 'project':
      return `gcloud projects add-iam-policy-binding ${q(p.projects ?? '')} ${tail}`;
    case 'subnetwork':
      // This command has no --condition flag (subnetwork bindings cannot be conditional).
      return `gcloud compute networks subnets add-iam-policy-binding ${q(p.subnetworks ?? '')} --region=${q(p.regions ?? '')} --project=${q(p.projects ?? '')} --member=${q(grant.member)} --role=${q(grant.role)}`;
    case 'bucket':
      return `gcloud storage buckets add-iam-policy-binding ${q(`gs://${p.buckets ?? ''}`)} ${tail}`;
    case 'cryptoKey':
      return `gcloud kms keys add-iam-policy-binding ${q(p.cryptoKeys ?? '')} --keyring=${q(p.keyRings ?? '')} --location=${q(p.locations ?? '')} --project=${q(p.projects ?? '')} ${tail}`;
  }
}

export function enableServiceCommand(service: string, project: string): string {
  return `gcloud services enable ${q(service)} --project=${q(project)}`;
}

export function orgPolicyCommand(constraint: string, project: string): string {
  return `gcloud resource-manager org-policies disable-enforce ${q(constraint)} --project=${q(project)}`;
}

/** The workload identity user binding that lets a federated principal impersonate the deployer. */
export function wifUserCommand(principal: string, serviceAccount: string, project: string): string {
  return grantCommand({
    kind: 'serviceAccount',
    resource: `projects/${project}/serviceAccounts/${serviceAccount}`,
    role: 'roles/iam.workloadIdentityUser',
    member: principal,
  });
}

export function enableServiceAccountCommand(email: string, project: string): string {
  return `gcloud iam service-accounts enable ${q(email)} --project=${q(project)}`;
}

export function createServiceAccountCommand(email: string, project: string): string {
  return `gcloud iam service-accounts create ${q(email.split('@')[0] ?? email)} --project=${q(project)}`;
}

/**
 * A one-line gcloud command laid out to read and to copy: the command and its positional
 * arguments on the first line, then one `--flag` per line, joined by ` \` continuations.
 * Quoted values (shellQuote) stay whole.
 */
export function commandLines(command: string): string {
  const words = command.match(/(?:[^\s']+|'(?:[^']|'\\'')*')+/g) ?? [command];
  const first = words.findIndex((w) => w.startsWith('--'));
  if (first <= 0) return command;
  const head = words.slice(0, first).join(' ');
  return [head, ...words.slice(first).map((w) => `  ${w}`)].join(' \\\n');
}

// Which permissions a deny policy can name: Google's "Permissions supported in deny policies"
// (https://cloud.google.com/iam/docs/deny-permissions-support, read 2026-12-07). A permission
// no deny policy can name cannot be taken away by one, so its check needs no deny read.
// Only the permissions the requirement rows ask of other principals are listed, each with
// where its support was confirmed; the page's full table could not be read through the
// project's search tools (only its head), so a permission not confirmed either way is
// treated as possibly supported and its deny policies are read.
export const DENY_SUPPORT_READ = '2026-12-07';
export const DENY_SUPPORT_PAGE = 'https://cloud.google.com/iam/docs/deny-permissions-support';

export interface DenySupport {
  /** true: a deny policy can name it; false: none can; undefined: not confirmed (read deny). */
  supported: boolean | undefined;
  /** Where the answer comes from. */
  source: string;
}

const IN_USE = 'named in deny rules of public deny policies (code search), so the API accepts it';

export const DENY_SUPPORT: Readonly<Record<string, DenySupport>> = {
  'iam.serviceAccounts.getAccessToken': { supported: true, source: IN_USE },
  'secretmanager.versions.access': { supported: true, source: IN_USE },
  'cloudkms.cryptoKeyVersions.useToDecrypt': { supported: true, source: IN_USE },
  'storage.objects.get': { supported: true, source: IN_USE },
  'artifactregistry.repositories.downloadArtifacts': {
    supported: true,
    source: 'test/scenarios/iam/36-deny-policy-on-agent.yaml (a deny rule naming it)',
  },
  'storage.objects.create': { supported: undefined, source: 'not confirmed' },
  'cloudsql.instances.connect': { supported: undefined, source: 'not confirmed' },
  'compute.subnetworks.use': { supported: undefined, source: 'not confirmed' },
  'vpcaccess.connectors.use': { supported: undefined, source: 'not confirmed' },
};

/** Whether a deny policy could take `permission` away (unknown permissions: assume it could). */
export function denyCanName(permission: string): boolean {
  return DENY_SUPPORT[permission]?.supported !== false;
}

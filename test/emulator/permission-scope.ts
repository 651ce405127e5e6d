// Which permissions a resource type's testIamPermissions accepts: those of the type itself and
// of the types it contains (a project accepts run.jobs.create, a service account only
// iam.serviceAccounts.*). Anything else is refused with 400, as Google does, rather than
// silently answered "not held".
import { badRequest } from './http.ts';

/** Permission prefixes (service.resourceType.) each leaf resource type accepts. */
const LEAF_SCOPES: Array<[RegExp, string[]]> = [
  [/^projects\/[^/]+\/serviceAccounts\/[^/]+$/, ['iam.serviceAccounts.', 'iam.serviceAccountKeys.']],
  [
    /^projects\/[^/]+\/locations\/[^/]+\/repositories\/[^/]+$/,
    [
      'artifactregistry.repositories.',
      'artifactregistry.dockerimages.',
      'artifactregistry.packages.',
      'artifactregistry.tags.',
      'artifactregistry.versions.',
      'artifactregistry.files.',
      'artifactregistry.attachments.',
      'artifactregistry.rules.',
    ],
  ],
  [/^projects\/[^/]+\/secrets\/[^/]+$/, ['secretmanager.secrets.', 'secretmanager.versions.']],
  [/^projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/]+$/, ['run.jobs.', 'run.executions.', 'run.tasks.']],
  // Buckets, keys, key rings and subnetworks are as strict (issue: they accepted any permission).
  [
    /^projects\/_\/buckets\/[^/]+$/,
    ['storage.buckets.', 'storage.objects.', 'storage.managedFolders.', 'storage.multipartUploads.'],
  ],
  [
    /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/,
    ['cloudkms.cryptoKeys.', 'cloudkms.cryptoKeyVersions.'],
  ],
  [
    /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+$/,
    ['cloudkms.keyRings.', 'cloudkms.cryptoKeys.', 'cloudkms.cryptoKeyVersions.', 'cloudkms.importJobs.'],
  ],
  [/^projects\/[^/]+\/regions\/[^/]+\/subnetworks\/[^/]+$/, ['compute.subnetworks.']],
];

/** Permissions that only an ancestor of the resource type can hold. */
function aboveContainer(permission: string, resource: string): boolean {
  if (resource.startsWith('organizations/')) return false;
  if (permission.startsWith('resourcemanager.organizations.')) return true;
  if (resource.startsWith('folders/')) return false;
  // A project holds neither folder permissions nor the creation of projects (done on a parent).
  return (
    permission.startsWith('resourcemanager.folders.') || permission === 'resourcemanager.projects.create'
  );
}

export function appliesTo(permission: string, resource: string): boolean {
  for (const [pattern, prefixes] of LEAF_SCOPES) {
    if (pattern.test(resource)) return prefixes.some((p) => permission.startsWith(p));
  }
  return !aboveContainer(permission, resource);
}

/** 400 INVALID_ARGUMENT for the first permission that does not apply to the resource. */
export function requireApplicable(permissions: string[], resource: string): void {
  const wrong = permissions.find((p) => !appliesTo(p, resource));
  if (wrong) throw badRequest(`Permission ${wrong} is not valid for this resource.`);
}

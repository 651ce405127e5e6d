// A repository that does not exist is not an access gap: no role makes a wrong image URL work.
// When Google answers NOT_FOUND for the image's repository (it does once the caller may see the
// project's repositories), the finding says so and offers no grant.
import type { StepError } from '../gcp/errors.ts';
import type { Finding } from '../model.ts';
import type { PolicyResource } from './backend.ts';
import type { Reader } from './reader.ts';

/**
 * Why the repository is proven missing, or undefined. A 404 proves it; a 403 ("or it may not
 * exist") is followed by one read of the repository itself, whose 404 proves it.
 */
export async function missingRepository(
  resource: PolicyResource,
  error: StepError,
  reader: Reader,
): Promise<string | undefined> {
  if (resource.kind !== 'repository') return undefined;
  if (error.api?.status === 'NOT_FOUND') return error.message;
  if (error.api?.status !== 'PERMISSION_DENIED' || !reader.repository) return undefined;
  const probe = await reader.repository(resource.name);
  return !probe.ok && probe.error.api?.status === 'NOT_FOUND' ? probe.error.message : undefined;
}

export const REPOSITORY_NOT_FOUND = 'Repository not found: check the image URL';

/** Turn `finding` into the proven "repository not found" gap (in place, and returned). */
export function repositoryNotFound(finding: Finding, resource: PolicyResource, message: string): Finding {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)$/.exec(resource.name);
  finding.status = 'missing';
  finding.title = REPOSITORY_NOT_FOUND;
  finding.subject = 'image';
  finding.resource = resource.name;
  finding.evidence = `Artifact Registry has no repository ${resource.name} (${message}).`;
  finding.remedy = m
    ? `The image names repository "${m[3]}" in project "${m[1]}", location "${m[2]}", which does not exist: check the image input's host (${m[2]}-docker.pkg.dev), project and repository, or create the repository and push the image first.`
    : 'Check the image input: its repository does not exist.';
  if (m) finding.command = `gcloud artifacts repositories list --project=${m[1]} --location=${m[2]}`;
  else delete finding.command;
  delete finding.role;
  delete finding.grant;
  delete finding.permission;
  return finding;
}

/**
 * One missing repository is one failure: the deployer's and the service agent's image checks
 * both prove it, but the fix (the image URL) is one, so only the first of them is reported.
 */
export function oneGapPerRepository<T extends { finding: Finding }>(results: readonly T[]): T[] {
  const seen = new Set<string>();
  return results.filter(({ finding: f }) => {
    if (f.title !== REPOSITORY_NOT_FOUND || f.status !== 'missing' || !f.resource) return true;
    if (seen.has(f.resource)) return false;
    seen.add(f.resource);
    // Nobody lacks a role: the URL is wrong whoever pulls it.
    delete f.principal;
    return true;
  });
}

/**
 * A secret whose policy read answers NOT_FOUND does not exist (Secret Manager answers 403 for a
 * secret the caller may not see, 404 for one that is not there): a gap no role closes.
 */
export function missingSecret(resource: PolicyResource, error: StepError): string | undefined {
  return resource.kind === 'secret' && error.api?.status === 'NOT_FOUND' ? error.message : undefined;
}

/** Turn `finding` into the proven "secret does not exist" gap (in place, and returned). */
export function secretNotFound(finding: Finding, resource: PolicyResource, message: string): Finding {
  const m = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(resource.name);
  finding.status = 'missing';
  finding.check = 'secret-not-found';
  finding.title = `Secret ${resource.name} does not exist`;
  finding.resource = resource.name;
  finding.evidence = `Secret Manager has no secret ${resource.name} (${message}).`;
  finding.remedy = m
    ? `The job references secret "${m[2]}" in project "${m[1]}", which does not exist: fix the name in secrets (or the job.yaml), or create it (gcloud secrets create ${m[2]} --project=${m[1]}) and add a version.`
    : 'Fix the secret reference: the secret does not exist.';
  if (m) finding.command = `gcloud secrets list --project=${m[1]}`;
  else delete finding.command;
  delete finding.role;
  delete finding.grant;
  delete finding.permission;
  delete finding.principal;
  return finding;
}

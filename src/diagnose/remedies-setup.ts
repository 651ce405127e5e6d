// First mistakes of a new setup, each with a named cause: a region typo or a region Cloud Run
// does not serve, no credentials at all, a fork pull request (no OIDC token), and the
// service_account input given the deployer (google-github-actions/auth's meaning of the name).
import { isKnownRegion, nearestRegion } from '../job/regions.ts';
import type { Finding } from '../model.ts';

/** Before any call: a warning for a region the built-in list lacks (the list may be stale). */
export function regionWarning(region: string): Finding | undefined {
  if (isKnownRegion(region)) return undefined;
  const near = nearestRegion(region);
  return {
    check: 'region',
    status: 'warning',
    title: near
      ? `Region "${region}" looks like a typo of ${near}`
      : `Region "${region}" is not a Cloud Run region this action knows`,
    evidence: `"${region}" is not in the action's list of Cloud Run regions (https://cloud.google.com/run/docs/locations).`,
    remedy: near
      ? `Set region: ${near}. If ${region} is a region Google added after this release, ignore this warning: Cloud Run decides.`
      : "Check the region input against `gcloud run regions list`. The list may be older than Google's: Cloud Run decides.",
    command: 'gcloud run regions list',
    subject: 'region',
  };
}

/** Cloud Run answered that it does not serve the location. */
export function regionUnsupported(o: { evidence: string; region: string | undefined }): Finding {
  const near = o.region ? nearestRegion(o.region) : undefined;
  return {
    check: 'region',
    status: 'failed',
    title: `Cloud Run does not serve region "${o.region ?? '?'}"`,
    evidence: o.evidence,
    remedy: `Set the region input to a Cloud Run region${near && near !== o.region ? ` (did you mean ${near}?)` : ''}; \`gcloud run regions list\` shows them all.`,
    command: 'gcloud run regions list',
    subject: 'region',
  };
}

/** Neither workload_identity_provider nor Application Default Credentials. */
export function noCredentials(o: { evidence: string }): Finding {
  return {
    check: 'no-credentials',
    status: 'failed',
    title:
      'No Google credentials: workload_identity_provider is not set and there are no Application Default Credentials',
    evidence: o.evidence,
    remedy:
      'Set workload_identity_provider (and impersonate_service_account) on this step, or run google-github-actions/auth before it; docs/SETUP.md creates the pool, provider and deployer account.',
    subject: 'workload_identity_provider',
  };
}

/** A pull request from a fork: GitHub gives its workflow no OIDC token, so nothing can be checked. */
export function forkNoIdToken(o: { evidence: string; head: string }): Finding {
  return {
    check: 'id-token',
    status: 'failed',
    title: `Pull requests from forks (${o.head}) get no GitHub OIDC token: nothing was checked or deployed`,
    evidence: o.evidence,
    remedy:
      "GitHub withholds id-token from workflows of fork pull requests. Skip this step for them (if: github.event.pull_request.head.repo.full_name == github.repository), or run the preflight after a maintainer's review from a branch of this repository.",
    subject: 'workload_identity_provider',
  };
}

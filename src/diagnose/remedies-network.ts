// Failures that are no one's missing permission: no answer, a broken connection, GitHub's own
// throttling. Classified before any permission reading, so a URL in the message
// (`run.googleapis.com/v1/...`) is never taken for a permission.
import type { Finding } from '../model.ts';

export function unreachable(o: {
  evidence: string;
  service: string | undefined;
  timedOut: boolean;
}): Finding {
  const service = o.service ?? 'the API';
  return {
    check: o.timedOut ? 'no-answer' : 'connection-broken',
    status: 'failed',
    title: o.timedOut ? `No answer from ${service}` : `The connection to ${service} broke`,
    evidence: o.evidence,
    remedy: `Nothing was refused: ${service} did not answer in time or dropped the connection (reads were retried within the step's budget). Re-run the workflow; if it persists, check https://status.cloud.google.com and the runner's network (proxy, firewall).`,
  };
}

export function githubUnavailable(o: { evidence: string; httpStatus: number | undefined }): Finding {
  const throttled = o.httpStatus === 429;
  return {
    check: 'github-unavailable',
    status: 'failed',
    title: throttled ? 'GitHub throttled the request' : 'GitHub did not serve the request',
    evidence: o.evidence,
    remedy: throttled
      ? 'GitHub (not Google Cloud) asked the action to slow down; it retried as long as the step allowed. Re-run the workflow later; no Cloud Run quota is involved.'
      : 'A GitHub service (the OIDC token endpoint or the REST API) failed; it was retried. Re-run the workflow; see https://www.githubstatus.com.',
  };
}

export function serverError(o: {
  evidence: string;
  httpStatus: number;
  service: string | undefined;
}): Finding {
  return {
    check: 'server-error',
    status: 'failed',
    title: `${o.service ?? 'Google Cloud'} failed with a server error (HTTP ${o.httpStatus})`,
    evidence: o.evidence,
    remedy:
      'The server failed, not the request: reads were retried within the step budget, writes are never repeated blindly. Re-run the workflow; if it persists, check https://status.cloud.google.com.',
  };
}

// What a Google client library throws when an API answers with an error: an Error that carries
// the HTTP response, whose body is the google.rpc.Status under `error`. The diagnose and report
// tests build their failures with it, so each case states only the status and words it is about.
import type { Config } from '../../src/model.ts';

export interface RpcStatus {
  code: number;
  status?: string;
  message: string;
  details?: unknown[];
}

export function googleError(
  http: number,
  error: RpcStatus,
  thrown = `Request failed with status code ${http}`,
): Error {
  return Object.assign(new Error(thrown), { response: { status: http, data: { error } } });
}

/** The workflow's inputs the error corpus assumes: a federated, impersonating deployer in us-central1. */
export const CORPUS_CONFIG = {
  workloadIdentityProvider:
    'projects/987654321098/locations/global/workloadIdentityPools/github/providers/actions',
  impersonateServiceAccount: 'deployer@app-prod.iam.gserviceaccount.com',
  region: 'us-central1',
} as Config;

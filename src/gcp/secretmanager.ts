// Secret Manager v1: the IAM policy of a secret (who may access its versions).
import type { ApiContext } from './clients.ts';
import { policyCalls } from './iam.ts';

/** Secrets are named projects/P/secrets/S; getIamPolicy is a GET (secretmanager v1 discovery). */
export function createSecretManagerClient(o: ApiContext) {
  return policyCalls(o, 'secretmanager', 'v1', 'get-query');
}

export type SecretManagerClient = ReturnType<typeof createSecretManagerClient>;

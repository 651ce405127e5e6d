// Cloud KMS v1: a crypto key's IAM policy (CMEK: the Cloud Run service agent encrypts and
// decrypts with it), through the auth client; getIamPolicy is a GET there (cloudkms v1
// discovery document).
import type { ApiContext } from './clients.ts';
import { policyCalls } from './iam.ts';

/** Keys are named projects/P/locations/L/keyRings/R/cryptoKeys/K. */
export function createKmsClient(ctx: ApiContext) {
  const key = policyCalls(ctx, 'cloudkms', 'v1', 'get-query');
  return {
    getKeyIamPolicy: key.getIamPolicy,
    setKeyIamPolicy: key.setIamPolicy,
    testKeyPermissions: key.testIamPermissions,
  };
}

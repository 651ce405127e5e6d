// Cloud KMS v1: a crypto key's IAM policy (CMEK: the Cloud Run service agent encrypts and
// decrypts with it). Called through the auth client; getIamPolicy is a GET there.
import type { ApiContext } from './clients.ts';
import type { Policy } from './iam.ts';
import { pathOf, rest } from './rest.ts';

/** projects/P/locations/L/keyRings/R/cryptoKeys/K */
const base = (key: string) => `v1/${pathOf(key)}`;

export function createKmsClient(ctx: ApiContext) {
  return {
    getKeyIamPolicy: (key: string) =>
      rest<Policy>(ctx, 'cloudkms', `${base(key)}:getIamPolicy`, {
        params: { 'options.requestedPolicyVersion': 3 },
      }),
    setKeyIamPolicy: (key: string, policy: Policy) =>
      rest<Policy>(ctx, 'cloudkms', `${base(key)}:setIamPolicy`, {
        method: 'POST',
        body: { policy, updateMask: 'bindings,etag' },
      }),
    testKeyPermissions: async (key: string, permissions: string[]) =>
      (
        await rest<{ permissions?: string[] }>(ctx, 'cloudkms', `${base(key)}:testIamPermissions`, {
          method: 'POST',
          body: { permissions },
        })
      ).permissions ?? [],
  };
}

// Cloud KMS v1: crypto key and key ring IAM (GET getIamPolicy, setIamPolicy,
// testIamPermissions), what CMEK needs the Cloud Run service agent to hold.
import { iamMethods } from '../access.ts';
import type { Handler } from '../contract.ts';
import { forService } from '../services.ts';
import { canonical, findCryptoKey, findKeyRing } from '../world-connected.ts';

const KEY = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/:]+)$/;

/** The IAM methods of one KMS resource type: its not-found word, lookup and permission family. */
function kmsIam(
  pattern: RegExp,
  type: 'CryptoKey' | 'KeyRing',
  find: typeof findCryptoKey,
  permissions: 'cloudkms.cryptoKeys' | 'cloudkms.keyRings',
) {
  return iamMethods(pattern, 'GET', (ctx, [name = '']) => {
    const resource = canonical(ctx.world, name);
    return {
      domain: 'cloudkms.googleapis.com',
      denied: (p) => `Permission '${p}' denied on resource '${name}' (or it may not exist).`,
      notFound: `${type} ${name} not found.`,
      resource,
      holder: find(ctx.world, resource),
      getPermission: `${permissions}.getIamPolicy`,
      setPermission: `${permissions}.setIamPolicy`,
    };
  });
}

const keyIam = kmsIam(KEY, 'CryptoKey', findCryptoKey, 'cloudkms.cryptoKeys');

// Key rings carry policies too, and their keys inherit them (https://cloud.google.com/kms/docs/iam).
const RING = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/:]+)$/;

const ringIam = kmsIam(RING, 'KeyRing', findKeyRing, 'cloudkms.keyRings');

export const handlers: Handler[] = forService('cloudkms.googleapis.com', [...keyIam, ...ringIam]);

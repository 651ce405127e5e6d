// Secret Manager v1: the IAM policy of a secret (who may access its versions).
import { secretmanager_v1 } from '@googleapis/secretmanager/build/v1.js';
import { decodeAnswer, permissionsAnswer } from './answer.ts';
import { type ApiContext, clientOptions } from './clients.ts';
import { CALL_OPTIONS, decodePolicy, type Policy, type ReadPolicy } from './iam.ts';

const SERVICE = 'secretmanager.googleapis.com';

/** Secrets are named projects/P/secrets/S. */
export function createSecretManagerClient(o: ApiContext) {
  const sm = new secretmanager_v1.Secretmanager(clientOptions('secretmanager', o));
  return {
    async getIamPolicy(secret: string): Promise<ReadPolicy> {
      const res = await sm.projects.secrets.getIamPolicy(
        { resource: secret, 'options.requestedPolicyVersion': 3 },
        CALL_OPTIONS,
      );
      return decodePolicy(SERVICE, res.data);
    },
    async setIamPolicy(secret: string, policy: Policy): Promise<ReadPolicy> {
      const res = await sm.projects.secrets.setIamPolicy(
        {
          resource: secret,
          requestBody: { policy: policy as secretmanager_v1.Schema$Policy, updateMask: 'bindings,etag' },
        },
        CALL_OPTIONS,
      );
      return decodePolicy(SERVICE, res.data);
    },
    async testIamPermissions(secret: string, permissions: string[]): Promise<string[]> {
      const res = await sm.projects.secrets.testIamPermissions(
        { resource: secret, requestBody: { permissions } },
        CALL_OPTIONS,
      );
      return decodeAnswer(SERVICE, 'a TestIamPermissionsResponse', permissionsAnswer, res.data);
    },
  };
}

export type SecretManagerClient = ReturnType<typeof createSecretManagerClient>;

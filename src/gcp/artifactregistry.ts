// Artifact Registry v1 repository IAM. No @googleapis package exists for it, so this speaks
// the REST API through the auth client's own request() (gaxios), which adds the token.
import type { AuthClient } from 'google-auth-library';
import { apiRoot } from '../auth/endpoints.ts';
import type { ApiContext } from './clients.ts';
import { asPolicy, CALL_OPTIONS, type Policy } from './iam.ts';

/** Repositories are named projects/P/locations/L/repositories/R. */
export function createArtifactRegistryClient(o: ApiContext) {
  const root = `${apiRoot('artifactregistry', o.universe, o.env)}v1/`;
  const auth: AuthClient = o.auth;
  const call = async <T>(method: 'GET' | 'POST', path: string, data?: unknown): Promise<T> => {
    const res = await auth.request<T>({
      url: `${root}${path}`,
      method,
      ...(data === undefined ? {} : { data }),
      ...CALL_OPTIONS,
      responseType: 'json',
    });
    return res.data;
  };
  return {
    /** The repository itself (artifactregistry.repositories.get): 404 proves it does not exist. */
    async getRepository(repository: string): Promise<{ name?: string }> {
      return call('GET', repository);
    },
    // Artifact Registry reads the policy with GET and the version as a query parameter.
    async getIamPolicy(repository: string): Promise<Policy> {
      return asPolicy(await call('GET', `${repository}:getIamPolicy?options.requestedPolicyVersion=3`));
    },
    // Its SetIamPolicyRequest has no updateMask: the whole policy (with etag) is sent.
    async setIamPolicy(repository: string, policy: Policy): Promise<Policy> {
      return asPolicy(await call('POST', `${repository}:setIamPolicy`, { policy }));
    },
    async testIamPermissions(repository: string, permissions: string[]): Promise<string[]> {
      const data = await call<{ permissions?: string[] }>('POST', `${repository}:testIamPermissions`, {
        permissions,
      });
      return data?.permissions ?? [];
    },
  };
}

export type ArtifactRegistryClient = ReturnType<typeof createArtifactRegistryClient>;

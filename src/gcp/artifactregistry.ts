// Artifact Registry v1 repository IAM. No @googleapis package exists for it, so this speaks
// the REST API through the auth client's own request() (gaxios), which adds the token.
import { objectAnswer, permissionsAnswer, text } from './answer.ts';
import type { ApiContext } from './clients.ts';
import { CALL_OPTIONS, type Policy, policyDecoder } from './iam.ts';
import { rest } from './rest.ts';

const POLICY = { what: 'a Policy', decode: policyDecoder };
// Repository.name (gcloud's artifactregistry_v1_messages.py) is the one field the action reads.
const REPOSITORY = {
  what: 'a Repository',
  decode: (v: unknown, at: string) => {
    const o = objectAnswer(v, at);
    return { name: text(o.name, `${at}.name`) };
  },
};

/** Repositories are named projects/P/locations/L/repositories/R. */
export function createArtifactRegistryClient(o: ApiContext) {
  const call = { timeout: CALL_OPTIONS.timeout };
  return {
    /** The repository itself (artifactregistry.repositories.get): 404 proves it does not exist. */
    async getRepository(repository: string): Promise<{ name: string }> {
      return rest(o, 'artifactregistry', `v1/${repository}`, REPOSITORY, call);
    },
    // Artifact Registry reads the policy with GET and the version as a query parameter.
    async getIamPolicy(repository: string) {
      return rest(o, 'artifactregistry', `v1/${repository}:getIamPolicy`, POLICY, {
        ...call,
        params: { 'options.requestedPolicyVersion': 3 },
      });
    },
    // Its SetIamPolicyRequest has no updateMask: the whole policy (with etag) is sent.
    async setIamPolicy(repository: string, policy: Policy) {
      return rest(o, 'artifactregistry', `v1/${repository}:setIamPolicy`, POLICY, {
        ...call,
        method: 'POST',
        body: { policy },
      });
    },
    async testIamPermissions(repository: string, permissions: string[]): Promise<string[]> {
      return rest(
        o,
        'artifactregistry',
        `v1/${repository}:testIamPermissions`,
        { what: 'a TestIamPermissionsResponse', decode: permissionsAnswer },
        { ...call, method: 'POST', body: { permissions } },
      );
    },
  };
}

export type ArtifactRegistryClient = ReturnType<typeof createArtifactRegistryClient>;

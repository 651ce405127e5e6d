// Artifact Registry v1 repository IAM, through the auth client's request() (rest.ts): its
// getIamPolicy is a GET with the policy version as a query parameter, and its SetIamPolicyRequest
// has no updateMask (artifactregistry v1 discovery document).
import { objectAnswer, text } from './answer.ts';
import type { ApiContext } from './clients.ts';
import { IAM_CALL_TIMEOUT_MS, policyCalls } from './iam.ts';
import { rest } from './rest.ts';

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
  return {
    /** The repository itself (artifactregistry.repositories.get): 404 proves it does not exist. */
    getRepository: (repository: string): Promise<{ name: string }> =>
      rest(o, 'artifactregistry', `v1/${repository}`, REPOSITORY, { timeout: IAM_CALL_TIMEOUT_MS }),
    ...policyCalls(o, 'artifactregistry', 'v1', 'get-query', { updateMask: false }),
  };
}

export type ArtifactRegistryClient = ReturnType<typeof createArtifactRegistryClient>;
